// Real networks exported from torchvision (graph only, opsets 13 and 17): the frontend's MAC
// totals must equal published figures and an independent PyTorch count (reference.json is
// written by scripts/export_fixtures.py from aten-level counting, not from ONNX).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "frontend/frontend.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

std::string fixture(const std::string& name) { return test::source_path("tests/data/onnx/" + name); }

int64_t macs_of(const std::string& file, int64_t batch = 0) {
  FrontendOptions o;
  o.batch = batch;
  return load_onnx_workload(fixture(file), o).total_macs();
}

// Public figures at 1×3×224×224 (torchvision model docs / the papers' GMAC counts).
TEST(TorchvisionModels, PublishedMacCountsMatchExactly) {
  for (const char* opset : {"13", "17"}) {
    SCOPED_TRACE(opset);
    EXPECT_EQ(macs_of(std::string("resnet50_op") + opset + ".onnx"), 4089184256LL);
    EXPECT_EQ(macs_of(std::string("mobilenet_v2_op") + opset + ".onnx"), 300774272LL);
    EXPECT_EQ(macs_of(std::string("vit_b_16_op") + opset + ".onnx"), 17563828224LL);
  }
}

nlohmann::json reference() {
  std::ifstream in(fixture("reference.json"));
  EXPECT_TRUE(in.good()) << "missing tests/data/onnx/reference.json";
  nlohmann::json j;
  in >> j;
  return j;
}

TEST(TorchvisionModels, EveryExportedModelMatchesIndependentPytorchCount) {
  const auto ref = reference();
  int checked = 0;
  for (const auto& [model, r] : ref.items()) {
    for (int opset : r.value("exported_opsets", std::vector<int>{})) {
      const std::string file = model + "_op" + std::to_string(opset) + ".onnx";
      SCOPED_TRACE(file);
      EXPECT_EQ(macs_of(file), r.at("macs").get<int64_t>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
}

// Custom schema rules are checked against gemm_ops_of (a rule for another op can never
// apply and is refused): every conv, linear and matmul kernel of a real network must carry
// one of its class's ops there, or such a rule would be refused wrongly.
TEST(TorchvisionModels, EveryGemmKernelCarriesAnOpOfItsClass) {
  std::vector<std::string> files = {"tiny_attention_op17.onnx", "tiny_cnn_op13.onnx"};
  const auto ref = reference();
  for (const auto& [model, r] : ref.items()) {
    const auto opsets = r.value("exported_opsets", std::vector<int>{});
    if (!opsets.empty()) files.push_back(model + "_op" + std::to_string(opsets.back()) + ".onnx");
  }
  int gemm_kernels = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    for (const auto& k : load_onnx_workload(fixture(file), {}).kernels) {
      if (k.cls != KernelClass::conv && k.cls != KernelClass::linear && k.cls != KernelClass::matmul)
        continue;
      const auto& ops = gemm_ops_of(k.cls);
      EXPECT_NE(std::find(ops.begin(), ops.end(), k.op), ops.end()) << k.name << ": " << k.op;
      ++gemm_kernels;
    }
  }
  EXPECT_GT(gemm_kernels, 1000);
}

TEST(TorchvisionModels, BatchScalesMacsFromTheDynamicAxis) {
  const auto ref = reference();
  int checked = 0;
  for (const auto& [model, r] : ref.items()) {
    if (!r.contains("macs_batch2") || r["macs_batch2"].is_null()) continue;
    for (int opset : r.value("exported_opsets", std::vector<int>{})) {
      const std::string file = model + "_op" + std::to_string(opset) + ".onnx";
      SCOPED_TRACE(file);
      EXPECT_EQ(macs_of(file, 2), r["macs_batch2"].get<int64_t>());
      ++checked;
    }
  }
  EXPECT_GE(checked, 2);
}

TEST(TorchvisionModels, SwinAttentionIsRecognizedInEveryBlock) {
  for (const char* file : {"swin_t_op13.onnx", "swin_t_op17.onnx"}) {
    SCOPED_TRACE(file);
    Workload w = load_onnx_workload(fixture(file), {});
    int qk = 0, softmax = 0, av = 0, layernorm = 0, gelu = 0;
    for (const auto& k : w.kernels) {
      qk += k.tag == "attention.qk";
      softmax += k.tag == "attention.softmax";
      av += k.tag == "attention.av";
      layernorm += k.op == "LayerNorm";
      gelu += k.op == "GELU";
    }
    // Swin-T: 2+2+6+2 = 12 blocks, each one windowed attention and one MLP.
    EXPECT_EQ(qk, 12);
    EXPECT_EQ(softmax, 12);
    EXPECT_EQ(av, 12);
    EXPECT_EQ(gelu, 12);
    // Two norms per block, one per patch merging (3), one final.
    EXPECT_EQ(layernorm, 12 * 2 + 3 + 1 + 1);
  }
}

TEST(TorchvisionModels, ResNet50ConvsAbsorbBatchNormAndRelu) {
  for (const char* file : {"resnet50_op13.onnx", "resnet50_op17.onnx"}) {
    SCOPED_TRACE(file);
    Workload w = load_onnx_workload(fixture(file), {});
    int convs = 0, fused_relu = 0, standalone_relu = 0;
    for (const auto& k : w.kernels) {
      EXPECT_NE(k.op, "BatchNormalization");
      convs += k.cls == KernelClass::conv;
      fused_relu += k.cls == KernelClass::conv && k.activation == "Relu";
      standalone_relu += k.op == "Relu";
    }
    // 16 bottlenecks × 3 convs + 4 downsample convs + the stem = 53 convs. Every conv but
    // the third of a bottleneck and the downsample carries its ReLU; the bottleneck's ReLU
    // follows the residual Add, so it stays a vector kernel (16 of them).
    EXPECT_EQ(convs, 53);
    EXPECT_EQ(fused_relu, 53 - 16 - 4);
    EXPECT_EQ(standalone_relu, 16);
  }
}

}  // namespace
}  // namespace h4h
