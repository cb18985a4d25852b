// The scheduler's ready set as plain bookkeeping: dependencies, inference order, serial mode.
#include <gtest/gtest.h>

#include "sim/engine/ready_set.h"

namespace h4h {
namespace {

// a ─► c ◄─ b (a and b independent), then d after c.
Workload diamond() {
  Workload w;
  for (const char* n : {"a", "b", "c", "d"}) {
    Kernel k;
    k.name = n;
    w.kernels.push_back(k);
  }
  w.kernels[2].producers = {0, 1};
  w.kernels[3].producers = {2};
  return w;
}

TEST(ReadySet, KernelWaitsForEveryProducerInItsOwnInference) {
  const Workload w = diamond();
  ReadySet s(w, 2, /*serial=*/false);
  EXPECT_TRUE(s.ready(0, 0));
  EXPECT_TRUE(s.ready(0, 1));  // independent of a: concurrent schedules may overlap them
  Blocker b = s.blocker(0, 2);
  EXPECT_EQ(b.kind, Blocker::Kind::kernel);
  EXPECT_EQ(b.kernel, 0);
  EXPECT_FALSE(s.mark_done(0, 0));
  b = s.blocker(0, 2);
  EXPECT_EQ(b.kernel, 1);  // the next unfinished producer
  EXPECT_FALSE(s.mark_done(0, 1));
  EXPECT_TRUE(s.ready(0, 2));
  EXPECT_FALSE(s.ready(0, 3));
}

TEST(ReadySet, NextInferenceStartsOnlyAfterThePreviousOneFinishes) {
  const Workload w = diamond();
  ReadySet s(w, 2, false);
  EXPECT_EQ(s.blocker(1, 0).kind, Blocker::Kind::inference);
  EXPECT_EQ(s.blocker(1, 0).inference, 0);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(s.mark_done(0, i));
  EXPECT_EQ(s.remaining(0), 1);
  EXPECT_FALSE(s.ready(1, 0));
  EXPECT_TRUE(s.mark_done(0, 3));  // completes inference 0
  EXPECT_EQ(s.finished_inferences(), 1);
  EXPECT_TRUE(s.ready(1, 0));
  EXPECT_TRUE(s.done(0, 3));
  EXPECT_FALSE(s.done(1, 3));
}

TEST(ReadySet, SerialScheduleRunsKernelsInNetworkOrder) {
  const Workload w = diamond();
  ReadySet s(w, 1, /*serial=*/true);
  EXPECT_TRUE(s.ready(0, 0));
  const Blocker b = s.blocker(0, 1);  // no producer, but a runs first
  EXPECT_EQ(b.kind, Blocker::Kind::kernel);
  EXPECT_EQ(b.kernel, 0);
  s.mark_done(0, 0);
  EXPECT_TRUE(s.ready(0, 1));
}

// Extra edges (the global buffer's reuse order) hold a kernel back like producers do.
TEST(ReadySet, ExtraDependenciesHoldAKernelBackLikeProducers) {
  const Workload w = diamond();
  ReadySet s(w, 1, false, {{}, {0}, {}, {}});  // b must wait for a: a's bytes become b's
  EXPECT_TRUE(s.ready(0, 0));
  const Blocker b = s.blocker(0, 1);
  EXPECT_EQ(b.kind, Blocker::Kind::kernel);
  EXPECT_EQ(b.kernel, 0);
  s.mark_done(0, 0);
  EXPECT_TRUE(s.ready(0, 1));
}

// A pipelined edge: c needs its producer started, not done.
TEST(ReadySet, AnOverlappingConsumerWaitsOnlyForItsProducerToStart) {
  const Workload w = diamond();
  ReadySet s(w, 1, false, {}, {{}, {}, {}, {2}});  // d overlaps c
  s.mark_done(0, 0);
  s.mark_done(0, 1);
  Blocker b = s.blocker(0, 3);
  EXPECT_EQ(b.kind, Blocker::Kind::kernel_start);
  EXPECT_EQ(b.kernel, 2);
  s.mark_started(0, 2);
  EXPECT_TRUE(s.ready(0, 3));
  EXPECT_FALSE(s.done(0, 2));
}

}  // namespace
}  // namespace h4h
