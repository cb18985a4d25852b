// Tensor placement over a workload: hand-computed chains that fit and do not fit, views,
// pinned network inputs/outputs, the ablation switch; and, on real networks, the live
// tensors of every step checked against the buffer by an independent sweep over steps.
#include <gtest/gtest.h>

#include "frontend/frontend.h"
#include "sim/memory/tensor_plan.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

// A chain of vector kernels over tensors of `bytes` (int8): the first a network input, the
// last a network output. Default: x (1000 B) → k0 → a (2000 B) → k1 → b (3000 B) → k2 → y (500 B).
Workload chain(const std::vector<int64_t>& bytes = {1000, 2000, 3000, 500}) {
  Workload w;
  const int n = static_cast<int>(bytes.size());
  for (int t = 0; t < n; ++t) {
    Tensor tensor;
    tensor.name = "t" + std::to_string(t);
    tensor.elems = bytes[t];
    tensor.network_output = t == n - 1;
    w.tensors.push_back(tensor);
  }
  for (int i = 0; i + 1 < n; ++i) {
    Kernel k;
    k.name = "k" + std::to_string(i);
    k.cls = KernelClass::vector;
    k.inputs = {i};
    k.outputs = {i + 1};
    k.input_elems = bytes[i];
    k.output_elems = bytes[i + 1];
    w.kernels.push_back(k);
  }
  link_tensors(w);
  return w;
}

std::vector<std::string> homes(const TensorPlan& p) {
  std::vector<std::string> v;
  for (const auto& t : p.tensors) v.push_back(t.reason);
  return v;
}

TEST(TensorPlan, ChainKeepsWhatFitsAndSpillsTheRest) {
  const Workload w = chain();
  TensorPlanParams p;
  p.alignment_bytes = 64;
  // b (3000 B) at 0, a (live with b at step 1) at 3008: 5008 bytes for both.
  p.global_buffer_bytes = 8192;
  TensorPlan plan = plan_tensors(w, p);
  EXPECT_EQ(homes(plan), (std::vector<std::string>{"network input", "on chip", "on chip", "network output"}));
  EXPECT_EQ(plan.tensors[2].offset_bytes, 0);
  EXPECT_EQ(plan.tensors[1].offset_bytes, 3008);
  EXPECT_EQ(plan.peak_bytes, 5008);
  EXPECT_EQ(plan.tensors[1].first_step, 0);
  EXPECT_EQ(plan.tensors[1].last_step, 1);
  p.global_buffer_bytes = 4096;  // b stays, a does not fit beside it
  EXPECT_EQ(homes(plan_tensors(w, p)), (std::vector<std::string>{"network input", "spilled", "on chip", "network output"}));
  p.global_buffer_bytes = 2048;  // b spills; a fits alone
  plan = plan_tensors(w, p);
  EXPECT_EQ(homes(plan), (std::vector<std::string>{"network input", "on chip", "spilled", "network output"}));
  EXPECT_EQ(plan.tensors[1].offset_bytes, 0);
  p.global_buffer_bytes = 1024;
  EXPECT_EQ(homes(plan_tensors(w, p)), (std::vector<std::string>{"network input", "spilled", "spilled", "network output"}));
  p.global_buffer_bytes = 1 << 20;
  p.activations_on_chip = false;
  plan = plan_tensors(w, p);
  EXPECT_EQ(homes(plan), (std::vector<std::string>{"ablation", "ablation", "ablation", "ablation"}));
  for (int t = 0; t < 4; ++t) EXPECT_FALSE(plan.on_chip(t));
}

TEST(TensorPlan, AViewSharesItsInputsStorageAndExtendsItsLife) {
  // x → conv → a → Reshape (view) → a' → k2 (step 2) → y
  Workload w = chain();
  w.kernels[1].cls = KernelClass::data_movement;
  w.kernels[1].op = "Reshape";
  w.kernels[1].is_copy = false;
  w.tensors[2].elems = 2000;  // same bytes as its input
  TensorPlanParams p;
  p.global_buffer_bytes = 1 << 20;
  const TensorPlan plan = plan_tensors(w, p);
  EXPECT_EQ(plan.tensors[2].storage, 1);
  EXPECT_EQ(plan.tensors[1].last_step, 2);  // a lives until a' is read
  EXPECT_EQ(plan.tensors[2].offset_bytes, plan.tensors[1].offset_bytes);
  EXPECT_EQ(plan.peak_bytes, 2000);  // one storage, not two
}

TEST(TensorPlan, AViewOfTheNetworkOutputPinsItsSourceInDram) {
  Workload w = chain();
  w.kernels[2].cls = KernelClass::data_movement;
  w.kernels[2].op = "Flatten";
  w.kernels[2].is_copy = false;
  TensorPlanParams p;
  p.global_buffer_bytes = 1 << 20;
  const TensorPlan plan = plan_tensors(w, p);
  EXPECT_EQ(plan.tensors[2].reason, "network output");  // b is what y views
  EXPECT_EQ(plan.tensors[1].reason, "on chip");
}

// x → k0 → a (2000 B) → k1 → b (3000 B) → k2 → c (2000 B) → k3 → y: b goes first at 0, a
// beside it at 3008, and c, born after a's last read, takes a's bytes. In a concurrent
// schedule k2 (c's writer) must then wait for every kernel that touched a (k0, k1).
TEST(TensorPlan, ReusedBytesMakeTheNewWriterWaitForTheOldOnesUsers) {
  const Workload w = chain({1000, 2000, 3000, 2000, 500});
  TensorPlanParams p;
  p.global_buffer_bytes = 1 << 20;
  const TensorPlan plan = plan_tensors(w, p);
  ASSERT_EQ(plan.tensors[2].offset_bytes, 0);
  ASSERT_EQ(plan.tensors[1].offset_bytes, 3008);
  ASSERT_EQ(plan.tensors[3].offset_bytes, 3008);
  const auto deps = buffer_reuse_dependencies(w, plan);
  EXPECT_EQ(deps[2], (std::vector<int>{0, 1}));
  EXPECT_TRUE(deps[0].empty());
  EXPECT_TRUE(deps[1].empty());
  EXPECT_TRUE(deps[3].empty());  // y is in DRAM
}

// Independent of the planner: at every step, the on-chip tensors alive then must lie in
// the buffer without sharing a byte.
void expect_live_sets_fit(const Workload& w, const TensorPlan& plan, int64_t capacity) {
  for (size_t step = 0; step < w.kernels.size(); ++step) {
    std::vector<std::pair<int64_t, int64_t>> live;
    for (size_t t = 0; t < w.tensors.size(); ++t) {
      const TensorPlacement& tp = plan.tensors[t];
      if (tp.storage != static_cast<int>(t) || !plan.on_chip(static_cast<int>(t))) continue;
      if (tp.first_step <= static_cast<int>(step) && static_cast<int>(step) <= tp.last_step)
        live.push_back({tp.offset_bytes, tp.offset_bytes + w.tensor_bytes(w.tensors[t])});
    }
    std::sort(live.begin(), live.end());
    for (size_t i = 0; i < live.size(); ++i) {
      EXPECT_LE(live[i].second, capacity) << "step " << step;
      if (i > 0) {
        EXPECT_LE(live[i - 1].second, live[i].first) << "step " << step;
      }
    }
  }
}

// The same chain with k2 starting at k1's step (row-band pipelining: its writes begin while
// k1 runs): c is alive from step 1, so it may not take a's bytes (a is read at step 1), and
// k2 waits for nobody's end.
TEST(TensorPlan, AKernelStartingWithItsProducerWritesNoBytesAnEarlierKernelStillHolds) {
  const Workload w = chain({1000, 2000, 3000, 2000, 500});
  TensorPlanParams p;
  p.global_buffer_bytes = 1 << 20;
  p.kernel_start_step = {0, 1, 1, 3};
  const TensorPlan plan = plan_tensors(w, p);
  EXPECT_EQ(plan.tensors[3].first_step, 1);
  EXPECT_EQ(plan.tensors[3].last_step, 3);
  EXPECT_EQ(plan.tensors[1].last_step, 1);  // reads keep their steps
  // b at 0, a at 3008, c at 5056 (64-byte aligned): all three are live at step 1.
  EXPECT_EQ(plan.tensors[3].offset_bytes, 5056);
  EXPECT_EQ(plan.peak_bytes, 7056);
  const auto deps = buffer_reuse_dependencies(w, plan);
  for (const auto& d : deps) EXPECT_TRUE(d.empty());
  expect_live_sets_fit(w, plan, p.global_buffer_bytes);
}

TEST(TensorPlan, LiveTensorsOfRealNetworksNeverShareABytePastTheBuffer) {
  for (const char* f : {"mobilenet_v2_op13.onnx", "googlenet_op13.onnx", "swin_t_op17.onnx"}) {
    SCOPED_TRACE(f);
    const Workload w = load_onnx_workload(test::source_path(std::string("tests/data/onnx/") + f), {});
    for (int64_t kib : {64, 512, 2048}) {
      TensorPlanParams p;
      p.global_buffer_bytes = kib * 1024;
      const TensorPlan plan = plan_tensors(w, p);
      expect_live_sets_fit(w, plan, p.global_buffer_bytes);
      // Every tensor a kernel writes and reads is either on chip or in DRAM, never unplaced.
      for (const auto& tp : plan.tensors) EXPECT_FALSE(tp.reason.empty());
    }
  }
}

}  // namespace
}  // namespace h4h
