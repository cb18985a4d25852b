// The per-tCK DRAM controller's rules, each on a hand-computed case (LPDDR4-4266 defaults:
// tRCD 39, RL 36, WL 18, tRP 39, tRAS 90, tRTP 16, tWTR 22, tRRD 22 tCK; 32 B bursts of 8 tCK;
// channel 0's bank b row r starts at (r x 8 + b) x 4 KiB). A transaction added in tCK t moves
// to its bank's command queue in t (one a tCK) and its first command goes at t + 1.
#include "models/dram/dram_cycle_controller.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/models/dram_test_util.h"

namespace h4h {
namespace {

using test::kBank;
using test::kRow;
using test::lpddr4;
using test::run;

TEST(DramCycleController, AReadIsActAtTheNextTckThenTrcdThenRlAndHalfTheBurst) {
  DramCycleController c(lpddr4(), DramControllerParams{});
  EXPECT_EQ(c.access(0, 32, false, 1000).done_cycle, 1000 + 1 + 39 + 36 + 8);
  EXPECT_EQ(c.access(64, 32, false, 5000).done_cycle, 5000 + 1 + 36 + 8);  // row hit
}

TEST(DramCycleController, BurstsOfOneRowIssueHalfABurstLengthApart) {
  // Eight bursts: ACT at 1, READs at 40, 48, ..., 96 (tCCD = BL/2 = 8).
  DramCycleController c(lpddr4(), DramControllerParams{});
  EXPECT_EQ(c.access(0, 256, false, 0).done_cycle, 1 + 39 + 7 * 8 + 36 + 8);
}

TEST(DramCycleController, BackToBackRowHitsAreOneTraceSegment) {
  DramCycleController c(lpddr4(), DramControllerParams{});
  c.record_segments = true;
  c.access(0, 256, false, 0);        // 8 bursts of one row, data from 76 to 140
  c.access(kRow, 32, false, 10000);  // another row: a segment of its own
  ASSERT_EQ(c.segments().size(), 2u);
  EXPECT_EQ(c.segments()[0].bursts, 8);
  EXPECT_EQ(c.segments()[0].first_data_cycle, 1 + 39 + 36);
  EXPECT_EQ(c.segments()[0].done_cycle, 1 + 39 + 7 * 8 + 36 + 8);
  EXPECT_FALSE(c.segments()[0].row_hit);  // it opened its row
  EXPECT_EQ(c.segments()[1].bursts, 1);
}

TEST(DramCycleController, AYoungerRowHitGoesBeforeAnOlderMiss) {
  DramCycleController c(lpddr4(), DramControllerParams{});
  const int64_t open = c.submit(0, 32, false, 0);     // bank 0 row 0: ACT at 1
  const int64_t miss = c.submit(kRow, 32, false, 0);  // bank 0 row 1
  const int64_t hit = c.submit(64, 32, false, 0);     // bank 0 row 0, younger
  auto done = run(c, 100000);
  EXPECT_EQ(done[open], 1 + 39 + 36 + 8);
  EXPECT_EQ(done[hit], done[open] + 8);  // right behind, on the open row
  // The miss closes the row at tRAS after the ACT (the hit's tRTP is over by then), then
  // tRP, ACT, tRCD, RL and its burst.
  EXPECT_EQ(done[miss], 1 + 90 + 39 + 39 + 36 + 8);
}

TEST(DramCycleController, RowHitsHoldAReadyPrechargeOnlyBelowTheCap) {
  // Bank 0's row 0 has served 2 column commands (reads at 40 and 991). A miss (row 1) heads
  // its queue, two writes to row 0 wait behind it (not posted: in order). At 1007 the PRE is
  // ready (tRTP after 991) but the writes are not (read-to-write turnaround: 1018). Cap 4: the
  // waiting hits hold the PRE; they write at 1018 and 1026 and the miss closes the row after
  // the second's write recovery (1026 + WL + BL/2 + tWR = 1091). Cap 2: the row has had its
  // 2, the PRE goes at 1007 and the writes wait for the miss.
  for (int64_t cap : {4, 2}) {
    SCOPED_TRACE(cap);
    DramControllerParams cp;
    cp.write_buffer_bursts = 0;
    cp.row_hit_cap = cap;
    DramCycleController c(lpddr4(), cp);
    c.access(0, 32, false, 0);
    c.submit(64, 32, false, 990);  // READ at 991
    const int64_t miss = c.submit(kRow, 32, false, 991);
    const int64_t w1 = c.submit(128, 32, true, 991), w2 = c.submit(192, 32, true, 991);
    auto done = run(c, 100000);
    const int64_t pre = cap == 4 ? 1026 + 18 + 8 + 39 : 1007;
    EXPECT_EQ(done[miss], pre + 39 + 39 + 36 + 8);
    EXPECT_EQ(done[w1] < done[miss], cap == 4);
    EXPECT_EQ(done[w2] < done[miss], cap == 4);
    if (cap == 4) {
      EXPECT_EQ(done[w2], 1026 + 18 + 8);
    }
  }
}

TEST(DramCycleController, AFifthActivateWaitsForTheFourActivateWindow) {
  // Five banks opened at once: ACTs tRRD apart (1, 23, 45, 67); the fifth would go at 89 by
  // tRRD but the window of four opened at 1 holds it to 1 + tFAW.
  DramTimingParams p = lpddr4();
  p.tfaw_cycles = 120;
  DramCycleController c(p, DramControllerParams{});
  std::vector<int64_t> ids;
  for (int b = 0; b < 5; ++b) ids.push_back(c.submit(kBank * b, 32, false, 0));
  auto done = run(c, 100000);
  for (int b = 0; b < 4; ++b) EXPECT_EQ(done[ids[b]], 1 + 22 * b + 39 + 36 + 8) << b;
  EXPECT_EQ(done[ids[4]], 1 + 120 + 39 + 36 + 8);
}

TEST(DramCycleController, AReadAfterAWriteWaitsForTheWriteToReadTurnaround) {
  // Writes not posted, so the write goes in order: ACT at 1, WRITE at 40; the READ to the same
  // row waits WL + BL/2 + tWTR after it.
  DramControllerParams cp;
  cp.write_buffer_bursts = 0;
  DramCycleController c(lpddr4(), cp);
  const int64_t w = c.submit(0, 32, true, 0);
  const int64_t r = c.submit(64, 32, false, 0);
  auto done = run(c, 100000);
  EXPECT_EQ(done[w], 1 + 39 + 18 + 8);
  EXPECT_EQ(done[r], 40 + 18 + 8 + 22 + 36 + 8);
}

TEST(DramCycleController, AWriteAfterAReadWaitsForTheBusToTurnAround) {
  // READ at 40; the WRITE no earlier than RL + BL/2 + 1 - WL after it.
  DramControllerParams cp;
  cp.write_buffer_bursts = 0;
  DramCycleController c(lpddr4(), cp);
  c.submit(0, 32, false, 0);
  const int64_t w = c.submit(64, 32, true, 0);
  auto done = run(c, 100000);
  EXPECT_EQ(done[w], 40 + (36 + 8 + 1 - 18) + 18 + 8);
}

TEST(DramCycleController, ADueRefreshClosesTheRowsAndHoldsActivatesForTrfc) {
  DramTimingParams p = lpddr4();
  p.refresh = true;
  p.trefi_ns = 2000 * p.tck_ps / 1000.0;  // tREFI = 2000 tCK
  ASSERT_EQ(p.trefi_cycles(), 2000);
  DramCycleController c(p, DramControllerParams{});
  c.access(0, 32, false, 0);  // bank 0 row 0 open
  // At 2000: PRE of bank 0, REF tRP later, then the read's ACT tRFC after the REF.
  EXPECT_EQ(c.access(64, 32, false, 2000).done_cycle, 2000 + 39 + p.trfc_cycles() + 39 + 36 + 8);
  EXPECT_EQ(c.stats().refreshes, p.channels);  // every channel refreshes
}

TEST(DramCycleController, APostedWriteCompletesWhenTheBufferTakesIt) {
  DramCycleController c(lpddr4(), DramControllerParams{});
  EXPECT_EQ(c.access(0, 32, true, 1000).done_cycle, 1001);
  EXPECT_EQ(c.stats().bursts, 0);  // still in the buffer
  EXPECT_EQ(c.stats().bytes_written, 32);
  // A read of that address is served from the buffer, a tCK later.
  EXPECT_EQ(c.access(0, 32, false, 2000).done_cycle, 2001);
  EXPECT_EQ(c.stats().bursts, 0);
}

TEST(DramCycleController, BufferedWritesDrainOnlyAboveTheIdleThreshold) {
  DramCycleController c(lpddr4(), DramControllerParams{});
  for (int k = 0; k < 4; ++k) c.submit(64 * k, 64, true, 0);  // 8 bursts: not above 8
  run(c, 100000);
  EXPECT_EQ(c.stats().bursts, 0);
  EXPECT_EQ(c.next_decision_cycle(), INT64_MAX);  // waiting for company
  c.submit(256, 32, true, 100000);                // the 9th burst
  run(c, 200000);
  EXPECT_EQ(c.stats().bursts, 9);
}

TEST(DramCycleController, AFullReadQueueIsRefusedUntilItDrains) {
  DramControllerParams cp;
  cp.bank_queue_bursts = 1;
  cp.read_queue_bursts = 2;
  DramCycleController c(lpddr4(), cp);
  for (int k = 0; k < 2; ++k) {
    ASSERT_TRUE(c.will_accept(64 * k, false));
    c.submit(64 * k, 32, false, 0);
  }
  EXPECT_FALSE(c.will_accept(256, false));
  EXPECT_TRUE(c.will_accept(256, true));  // the write buffer is another queue
  run(c, 100000);
  EXPECT_TRUE(c.will_accept(256, false));
}

TEST(DramCycleController, QuietTimeIsSkippedWithoutChangingAnyResult) {
  // The jump over tCKs where nothing can happen is exact: the same request stream, once
  // advanced a tCK at a time and once in one call, finishes identically.
  auto finish_times = [](bool step_by_step) {
    DramTimingParams p = lpddr4();
    p.refresh = true;
    DramCycleController c(p, DramControllerParams{});
    for (int k = 0; k < 200; ++k)
      c.submit(static_cast<uint64_t>(k) * 4160 % (1 << 22), 64, k % 3 == 0, 7 * k);
    std::map<int64_t, int64_t> done;
    for (int64_t t = step_by_step ? 0 : 100000; t <= 100000; ++t)
      for (const auto& f : run(c, t)) done.insert(f);
    return done;
  };
  const auto stepped = finish_times(true);
  EXPECT_EQ(stepped.size(), 200u);
  EXPECT_EQ(stepped, finish_times(false));
}

}  // namespace
}  // namespace h4h
