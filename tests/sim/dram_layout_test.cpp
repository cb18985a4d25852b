// DRAM layout: 4 KiB-aligned regions, inputs first, then weights and outputs per kernel;
// no two regions overlap; multi-output kernels lay their tensors back to back.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "frontend/frontend.h"
#include "sim/engine/dram_layout.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

Tensor tensor(const char* name, int64_t elems) {
  Tensor t;
  t.name = name;
  t.elems = elems;
  return t;
}

TEST(DramLayout, RegionsAreAlignedAndInNetworkOrder) {
  // x (100 B) ─► conv (weights 5000 B) ─► y (3000 B) ─► split ─► y0 (1000 B), y1 (2000 B)
  Workload w;
  w.tensors = {tensor("x", 100), tensor("y", 3000), tensor("y0", 1000), tensor("y1", 2000)};
  Kernel conv;
  conv.name = "conv";
  conv.input_elems = 100;
  conv.weight_elems = 5000;
  conv.output_elems = 3000;
  conv.inputs = {0};
  conv.outputs = {1};
  Kernel split;
  split.name = "split";
  split.input_elems = 3000;
  split.output_elems = 3000;
  split.inputs = {1};
  split.outputs = {2, 3};
  w.kernels = {conv, split};
  link_tensors(w);
  const DramLayout l = layout_in_dram(w);
  EXPECT_EQ(l.input_addr, 0u);                    // 100 B → one 4 KiB block

  EXPECT_EQ(l.output_addr[0], 4096u + 8192u);     // conv weights take two blocks
  EXPECT_EQ(l.tensor_addr[0], 0u);                // the network input
  EXPECT_EQ(l.tensor_addr[1], 12288u);
  // split: an empty weight region still takes a block, then its two outputs back to back.
  EXPECT_EQ(l.weight_addr[1], 12288u + 4096u);
  EXPECT_EQ(l.output_addr[1], 12288u + 4096u + 4096u);
  EXPECT_EQ(l.tensor_addr[2], l.output_addr[1]);
  EXPECT_EQ(l.tensor_addr[3], l.output_addr[1] + 1000);
  EXPECT_EQ(l.end_bytes, l.output_addr[1] + 4096);
  EXPECT_EQ(l.input_addr_of(w, 0), 0u);
  EXPECT_EQ(l.input_addr_of(w, 1), l.output_addr[0]);
}

TEST(DramLayout, NoTwoRegionsOfARealNetworkOverlap) {
  const Workload w =
      load_onnx_workload(test::source_path("tests/data/onnx/googlenet_op13.onnx"), {});
  const DramLayout l = layout_in_dram(w);
  std::vector<std::pair<uint64_t, uint64_t>> regions;  // [begin, end)
  auto aligned = [](int64_t bytes) {
    return (static_cast<uint64_t>(std::max<int64_t>(bytes, 1)) + 4095) / 4096 * 4096;
  };
  int64_t input_bytes = 0;
  for (const auto& k : w.kernels)
    if (k.producers.empty()) input_bytes = std::max(input_bytes, w.input_bytes(k));
  regions.push_back({l.input_addr, l.input_addr + aligned(input_bytes)});
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const Kernel& k = w.kernels[i];
    regions.push_back({l.weight_addr[i], l.weight_addr[i] + aligned(w.weight_bytes(k))});
    regions.push_back({l.output_addr[i], l.output_addr[i] + aligned(w.output_bytes(k))});
  }
  std::sort(regions.begin(), regions.end());
  for (size_t i = 1; i < regions.size(); ++i) {
    EXPECT_LE(regions[i - 1].second, regions[i].first) << "region " << i;
    EXPECT_EQ(regions[i].first % kDramRegionAlignBytes, 0u);
  }
  EXPECT_EQ(regions.back().second, l.end_bytes);
}

}  // namespace
}  // namespace h4h
