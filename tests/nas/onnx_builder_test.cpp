// Subnet → ONNX: the built model goes through the same frontend as any exported network,
// and the frontend's MAC and parameter counts equal the space's own analytical counts.
#include <cstdio>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "frontend/frontend.h"
#include "nas/blocks.h"
#include "nas/onnx_builder.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

using namespace h4h;
using namespace h4h::nas;

namespace {
const SearchSpace& space(const char* name) {
  static const SearchSpace fm = load_search_space(bundled_space_path("h4h_fmnist"));
  static const SearchSpace edge = load_search_space(bundled_space_path("h4h_edge"));
  return std::string(name) == "h4h_fmnist" ? fm : edge;
}

Workload lower(const onnx::ModelProto& m) { return load_onnx_model_workload(m, "subnet.onnx", {}); }

int count_class(const Workload& w, KernelClass c) {
  int n = 0;
  for (const auto& k : w.kernels) n += k.cls == c;
  return n;
}
}  // namespace

TEST(OnnxBuilder, FrontendMacsAndParamsEqualAnalyticalCountsForRandomSubnets) {
  std::mt19937_64 rng(11);
  for (const char* name : {"h4h_fmnist", "h4h_edge"}) {
    const SearchSpace& sp = space(name);
    for (int i = 0; i < 6; ++i) {
      const Subnet s = i == 0 ? largest_subnet(sp) : i == 1 ? smallest_subnet(sp) : sample_subnet(sp, rng);
      const Workload w = lower(build_subnet_model(sp, s));
      EXPECT_EQ(w.total_macs(), subnet_macs(sp, s)) << encode_subnet(s);
      EXPECT_EQ(w.total_params(), subnet_params(sp, s)) << encode_subnet(s);
    }
  }
}

TEST(OnnxBuilder, MbconvBlockCountsMatchHandComputedValues) {
  // MBConv k3 e4, 16→24 channels, 8×8 input, stride 2: expand 1×1 16→64 at 8×8, depthwise
  // 3×3 on 64 channels at 4×4, project 64→24 at 4×4.
  BlockInstance b;
  b.kind = BlockKind::mbconv;
  b.in_channels = 16;
  b.out_channels = 24;
  b.in_size = 8;
  b.stride = 2;
  b.kernel = 3;
  b.expansion = 4;
  const int64_t macs = 64 * 16 * 64 + 16 * 64 * 9 + 16 * 64 * 24;
  const int64_t params = (16 * 64 + 64) + (64 * 9 + 64) + (64 * 24 + 24);
  EXPECT_EQ(b.macs(), macs);
  EXPECT_EQ(b.params(), params);
  const Workload w = lower(build_block_model(b));
  EXPECT_EQ(w.total_macs(), macs);
  EXPECT_EQ(w.total_params(), params);
  EXPECT_EQ(count_class(w, KernelClass::conv), 3);
}

TEST(OnnxBuilder, TransformerBlockIsRecognizedAsAttentionWithLinearsAndNorms) {
  // 32-wide, 4 heads, MLP ratio 2, on a 7×7 map (49 tokens).
  BlockInstance b;
  b.kind = BlockKind::transformer;
  b.in_channels = b.out_channels = 32;
  b.in_size = 7;
  b.heads = 4;
  b.mlp_ratio = 2;
  const int64_t n = 49, c = 32;
  EXPECT_EQ(b.macs(), n * c * 3 * c + 2 * n * n * c + n * c * c + 2 * n * c * 2 * c);
  const Workload w = lower(build_block_model(b));
  EXPECT_EQ(w.total_macs(), b.macs());
  EXPECT_EQ(w.total_params(), b.params());
  EXPECT_EQ(count_class(w, KernelClass::linear), 4);  // qkv, proj, fc1, fc2
  EXPECT_EQ(count_class(w, KernelClass::matmul), 2);  // QKᵀ and ·V: two dynamic operands
  int softmax = 0, norms = 0, gelus = 0;
  for (const auto& k : w.kernels) {
    softmax += k.op == "Softmax";
    norms += k.op == "LayerNorm";
    gelus += k.op == "GELU";
  }
  EXPECT_EQ(softmax, 1);
  EXPECT_EQ(norms, 2);
  EXPECT_EQ(gelus, 1);
}

TEST(OnnxBuilder, SavedModelLoadsFromFileAndKeepsBatchSymbolic) {
  const SearchSpace& sp = space("h4h_fmnist");
  const Subnet s = largest_subnet(sp);
  const std::string path = ::testing::TempDir() + "/subnet.onnx";
  save_model(build_subnet_model(sp, s), path);
  FrontendOptions o;
  o.batch = 4;
  const Workload w = load_onnx_workload(path, o);
  EXPECT_EQ(w.total_macs(), 4 * subnet_macs(sp, s));
  std::remove(path.c_str());
}

TEST(OnnxBuilder, EveryBlockInstanceOfTheSpaceBuildsAndCountsMatch) {
  const SearchSpace& sp = space("h4h_fmnist");
  const auto blocks = all_block_instances(sp);
  EXPECT_GT(blocks.size(), 100u);
  for (size_t i = 0; i < blocks.size(); i += 7) {
    const Workload w = lower(build_block_model(blocks[i]));
    EXPECT_EQ(w.total_macs(), blocks[i].macs()) << blocks[i].key();
    EXPECT_EQ(w.total_params(), blocks[i].params()) << blocks[i].key();
  }
}
