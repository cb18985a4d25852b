// SCALE-Sim topologies follow SCALE-Sim v2's own rules (scalesim/topology_utils.py).
#include <gtest/gtest.h>

#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

Workload load(const std::string& name) {
  return load_scalesim_topology(test::source_path("tests/data/scalesim/" + name));
}

TEST(ScaleSimTopology, OutputSizeFollowsNoPaddingRule) {
  Workload w = load("alexnet.csv");
  ASSERT_EQ(w.kernels.size(), 5u);
  // Conv1: ceil((224 − 11 + 4) / 4) = ceil(54.25) = 55.
  EXPECT_EQ(w.kernels[0].conv.out_h, 55);
  EXPECT_EQ(w.kernels[0].conv.out_w, 55);
  // 55·55 · 11·11·3 · 96 = 105,415,200 MACs.
  EXPECT_EQ(w.kernels[0].macs, 105415200);
  // Conv2: 27 − 5 + 1 = 23; 23·23 · 5·5·96 · 256.
  EXPECT_EQ(w.kernels[1].conv.out_h, 23);
  EXPECT_EQ(w.kernels[1].macs, 325017600);
}

TEST(ScaleSimTopology, WholeFileTotalEqualsFormulaSum) {
  // Hout = Wout per layer (square maps): (H, F, s, C, N) of SCALE-Sim's alexnet.csv.
  struct L { int64_t h, f, s, c, n; };
  const L layers[] = {{224, 11, 4, 3, 96}, {27, 5, 1, 96, 256}, {13, 3, 1, 256, 384},
                      {13, 3, 1, 384, 384}, {13, 3, 1, 384, 256}};
  int64_t expect = 0;
  for (const auto& l : layers) {
    const int64_t o = (l.h - l.f + l.s + l.s - 1) / l.s;
    expect += o * o * l.f * l.f * l.c * l.n;
  }
  EXPECT_EQ(expect, 805118496);  // hand-summed: 105,415,200 + 325,017,600 + 107,053,056·2 + 160,579,584
  EXPECT_EQ(load("alexnet.csv").total_macs(), expect);
}

TEST(ScaleSimTopology, DepthwiseLayerMapsPerGroup) {
  Workload w = load("mobilenet_dp.csv");
  const Kernel& dp = w.kernels[1];
  EXPECT_EQ(dp.name, "Conv2_DP");
  EXPECT_EQ(dp.conv.groups, 32);
  EXPECT_EQ(dp.conv.out_channels, 32);
  EXPECT_EQ(dp.conv.out_h, 112);
  // SCALE-Sim runs 32 single-channel layers of 112·112·3·3·1 MACs each.
  EXPECT_EQ(dp.macs, 32LL * 112 * 112 * 9);
  EXPECT_EQ(dp.weight_elems, 32 * 9);
  // Stride-2 depthwise: ceil((114 − 3 + 2) / 2) = 57.
  EXPECT_EQ(w.kernels[3].conv.out_h, 57);
}

TEST(ScaleSimTopology, GemmRowsBecomeLinearKernels) {
  Workload w = load("vit_s.csv");
  ASSERT_EQ(w.kernels.size(), 5u);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::linear);
  EXPECT_EQ(w.kernels[0].gemm.m, 196);
  EXPECT_EQ(w.kernels[0].gemm.n, 192);
  EXPECT_EQ(w.kernels[0].gemm.k, 384);
  // Σ M·N·K = 196 · (192·384 + 1176·64 + 64·1176 + 1536·384 + 384·1536)
  EXPECT_EQ(w.total_macs(), 196LL * 1403904);
}

TEST(ScaleSimTopology, LayersFormAChain) {
  Workload w = load("alexnet.csv");
  EXPECT_TRUE(w.kernels[0].producers.empty());
  for (size_t i = 1; i < w.kernels.size(); ++i)
    EXPECT_EQ(w.kernels[i].producers, (std::vector<int>{static_cast<int>(i) - 1}));
}

TEST(ScaleSimTopology, TrailingCommaCommentsAndTabsAccepted) {
  // SCALE-Sim's own mobilnet_paper.csv quirks: blank line, "#dw" comments, a row without
  // the trailing comma, tab indentation.
  Workload w = load("mobilnet_paper.csv");
  ASSERT_EQ(w.kernels.size(), 10u);
  EXPECT_EQ(w.kernels[6].name, "Conv11");
  EXPECT_EQ(w.kernels[6].conv.stride_h, 1);
  EXPECT_EQ(w.kernels[7].name, "Conv14_dw_0");
  EXPECT_EQ(w.model, "mobilnet_paper");
}

TEST(ScaleSimTopology, NinthFieldIsStrideWidth) {
  Workload w = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nc,10,10,3,3,4,8,1,2,\n",
      "t.csv");
  EXPECT_EQ(w.kernels[0].conv.out_h, 8);
  EXPECT_EQ(w.kernels[0].conv.out_w, 5);  // ceil((10 − 3 + 2) / 2) = ceil(4.5)
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    parse_scalesim_topology(text, "bad.csv");
    FAIL() << "expected UserError containing " << fragment;
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ScaleSimTopology, BadRowNamesFileLineAndColumn) {
  const std::string header =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n";
  expect_error(header + "c,10,10,3,3,4,8,1,\nd,10,x,3,3,4,8,1,\n", "bad.csv:3: column 3");
  expect_error(header + "c,10,10,3,3,0,8,1,\n", "must be > 0, got 0");
  expect_error(header + "c,10,10,3,3,-4,8,1,\n", "must be > 0, got -4");
  expect_error(header + "c,10,10,3,3,4,8,\n", "expected 8 fields");
  expect_error(header + "c,2,2,3,3,4,8,1,\n", "larger than the IFMAP");
  expect_error(header, "no layers");
  expect_error("", "empty file");
  expect_error("name,a,b\n1,2,3\n", "not a SCALE-Sim topology");
  expect_error("Layer, M, N, K,\nL0,1,2\n", "expected 4 fields");
}

TEST(ScaleSimTopology, MissingFileAndDirectoryAreUserErrors) {
  EXPECT_THROW(load_scalesim_topology("/nonexistent.csv"), UserError);
  EXPECT_THROW(load_scalesim_topology("/tmp"), UserError);
}

}  // namespace
}  // namespace h4h
