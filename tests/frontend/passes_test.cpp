// Each pass on a tiny graph built in code: op counts and shapes before/after.
#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

using test::ModelBuilder;

TEST(RemoveIdentityPass, IdentityAndDropoutDisappear) {
  ModelBuilder b;
  b.input("x", {-1, 8}).output("y");
  b.node("Identity", {"x"}, {"a"});
  b.node("Relu", {"a"}, {"r"});
  b.node("Dropout", {"r"}, {"y"});
  Graph g = test::graph_of(b);
  EXPECT_EQ(g.live_count(), 3u);
  make_remove_identity_pass()->apply(g);
  g.rebuild_edges();
  EXPECT_EQ(g.live_count(), 1u);
  EXPECT_EQ(g.live_count("Relu"), 1u);
  // The graph output is now produced by the Relu.
  ASSERT_TRUE(g.producer(g.graph_outputs[0]).has_value());
}

ModelBuilder conv_bn_relu(bool conv_output_shared) {
  ModelBuilder b;
  b.input("x", {-1, 3, 8, 8}).param("w", {4, 3, 3, 3});
  b.param("s", {4}).param("bias", {4}).param("mean", {4}).param("var", {4});
  auto& c = b.node("Conv", {"x", "w"}, {"c"});
  ModelBuilder::attr_ints(c, "pads", {1, 1, 1, 1});
  b.node("BatchNormalization", {"c", "s", "bias", "mean", "var"}, {"bn"});
  b.node("Relu", {"bn"}, {"y"});
  b.output("y");
  if (conv_output_shared) {
    b.node("Add", {"c", "y"}, {"z"});
    b.output("z");
  }
  return b;
}

TEST(FoldBatchNormPass, BatchNormFoldsIntoPrecedingConvAndReluFuses) {
  Workload w = test::lower_all(conv_bn_relu(false));
  ASSERT_EQ(w.kernels.size(), 1u);
  const Kernel& k = w.kernels[0];
  EXPECT_EQ(k.op, "Conv");
  EXPECT_EQ(k.activation, "Relu");
  EXPECT_EQ(k.weight_elems, 4 * 3 * 3 * 3 + 4);   // W' and the bias BN contributes
  EXPECT_EQ(k.param_elems, 4 * 3 * 3 * 3 + 4 + 4); // + γ; running stats are not parameters
  EXPECT_EQ(k.macs, 1 * 4 * 8 * 8 * 3 * 3 * 3);
}

TEST(FoldBatchNormPass, BatchNormStaysWhenConvOutputIsShared) {
  Workload w = test::lower_all(conv_bn_relu(true));
  EXPECT_NE(test::find_op(w, "BatchNormalization"), nullptr);
  EXPECT_TRUE(test::find_op(w, "Conv")->activation.empty());
}

TEST(FuseLinearPass, MatMulWithStaticWeightAndBiasBecomesLinear) {
  ModelBuilder b;
  b.input("x", {-1, 4, 8}).param("w", {8, 16}).param("bias", {16}).output("y");
  b.node("MatMul", {"x", "w"}, {"mm"});
  b.node("Add", {"mm", "bias"}, {"y"});
  Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::linear);
  EXPECT_EQ(w.kernels[0].macs, 4 * 16 * 8);
  EXPECT_EQ(w.kernels[0].weight_elems, 8 * 16 + 16);
  EXPECT_EQ(w.kernels[0].gemm.m, 4);
  EXPECT_EQ(w.kernels[0].gemm.n, 16);
  EXPECT_EQ(w.kernels[0].gemm.k, 8);
}

TEST(FuseLinearPass, GemmWithTransposedStaticWeightIsLinear) {
  ModelBuilder b;
  b.input("x", {-1, 8}).param("w", {16, 8}).param("bias", {16}).output("y");
  auto& n = b.node("Gemm", {"x", "w", "bias"}, {"y"});
  ModelBuilder::attr_int(n, "transB", 1);
  Workload w = test::lower_all(b, 2);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::linear);
  EXPECT_EQ(w.kernels[0].macs, 2 * 16 * 8);
  EXPECT_EQ(w.kernels[0].gemm.k, 8);
}

TEST(FuseLinearPass, MatMulOfTwoDataInputsStaysMatmul) {
  ModelBuilder b;
  b.input("x", {-1, 4, 8}).input("y", {-1, 8, 5}).output("z");
  b.node("MatMul", {"x", "y"}, {"z"});
  Workload w = test::lower_all(b, 0, {"x", "y"});
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::matmul);
  EXPECT_EQ(w.kernels[0].macs, 4 * 5 * 8);
}

TEST(FuseLinearPass, SecondGraphInputIsAParameterByDefault) {
  // Graph-only exports list parameters after the data input: by default they are weights.
  ModelBuilder b;
  b.input("x", {-1, 4, 8}).input("w", {8, 5}).output("z");
  b.node("MatMul", {"x", "w"}, {"z"});
  Workload w = test::lower_all(b);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::linear);
  EXPECT_EQ(w.total_params(), 40);
}

ModelBuilder decomposed_layernorm() {
  ModelBuilder b;
  b.input("x", {-1, 6, 16}).param("gamma", {16}).param("beta", {16}).output("y");
  b.const_float("two", 2.0f).const_float("eps", 1e-5f);
  auto& m1 = b.node("ReduceMean", {"x"}, {"mu"});
  ModelBuilder::attr_ints(m1, "axes", {-1});
  b.node("Sub", {"x", "mu"}, {"d"});
  b.node("Pow", {"d", "two"}, {"d2"});
  auto& m2 = b.node("ReduceMean", {"d2"}, {"var"});
  ModelBuilder::attr_ints(m2, "axes", {-1});
  b.node("Add", {"var", "eps"}, {"ve"});
  b.node("Sqrt", {"ve"}, {"sd"});
  b.node("Div", {"d", "sd"}, {"n"});
  b.node("Mul", {"n", "gamma"}, {"ng"});
  b.node("Add", {"ng", "beta"}, {"y"});
  return b;
}

TEST(FuseLayerNormPass, DecomposedPatternBecomesOneKernel) {
  Workload w = test::lower_all(decomposed_layernorm());
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].op, "LayerNorm");
  EXPECT_EQ(w.kernels[0].cls, KernelClass::vector);
  EXPECT_EQ(w.kernels[0].param_elems, 32);
  EXPECT_EQ(w.kernels[0].output_shape, (Shape{1, 6, 16}));
}

TEST(FuseLayerNormPass, LayerNormalizationOpBecomesLayerNorm) {
  ModelBuilder b(17);
  b.input("x", {-1, 6, 16}).param("gamma", {16}).param("beta", {16}).output("y");
  auto& n = b.node("LayerNormalization", {"x", "gamma", "beta"}, {"y"});
  ModelBuilder::attr_int(n, "axis", -1);
  Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].op, "LayerNorm");
  EXPECT_EQ(w.kernels[0].param_elems, 32);
}

TEST(FuseGeluPass, ErfFormulaBecomesOneGeluKernel) {
  ModelBuilder b;
  b.input("x", {-1, 10}).output("y");
  b.const_float("sqrt2", 1.4142135f).const_float("one", 1.0f).const_float("half", 0.5f);
  b.node("Div", {"x", "sqrt2"}, {"a"});
  b.node("Erf", {"a"}, {"e"});
  b.node("Add", {"e", "one"}, {"p"});
  b.node("Mul", {"x", "p"}, {"m"});
  b.node("Mul", {"m", "half"}, {"y"});
  Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].op, "GELU");
  EXPECT_EQ(w.kernels[0].vector_ops, 10);
}

TEST(FuseGeluPass, ErfWithOtherConstantsIsNotGelu) {
  ModelBuilder b;
  b.input("x", {-1, 10}).output("y");
  b.const_float("three", 3.0f).const_float("one", 1.0f).const_float("half", 0.5f);
  b.node("Div", {"x", "three"}, {"a"});
  b.node("Erf", {"a"}, {"e"});
  b.node("Add", {"e", "one"}, {"p"});
  b.node("Mul", {"x", "p"}, {"m"});
  b.node("Mul", {"m", "half"}, {"y"});
  Workload w = test::lower_all(b);
  EXPECT_EQ(test::find_op(w, "GELU"), nullptr);
  EXPECT_NE(test::find_op(w, "Erf"), nullptr);
}

TEST(MarkAttentionPass, QkSoftmaxAvAreTagged) {
  ModelBuilder b;
  b.input("x", {-1, 16, 32}).param("wq", {32, 32}).param("wk", {32, 32}).param("wv", {32, 32});
  b.const_float("scale", 0.1767767f);
  b.output("y");
  b.node("MatMul", {"x", "wq"}, {"q"});
  b.node("MatMul", {"x", "wk"}, {"k"});
  b.node("MatMul", {"x", "wv"}, {"v"});
  auto& t = b.node("Transpose", {"k"}, {"kt"});
  ModelBuilder::attr_ints(t, "perm", {0, 2, 1});
  b.node("MatMul", {"q", "kt"}, {"s"}, "qk");
  b.node("Mul", {"s", "scale"}, {"ss"});
  auto& sm = b.node("Softmax", {"ss"}, {"p"}, "softmax");
  ModelBuilder::attr_int(sm, "axis", -1);
  b.node("MatMul", {"p", "v"}, {"y"}, "av");
  Workload w = test::lower_all(b);
  std::map<std::string, const Kernel*> by_name;
  for (const auto& k : w.kernels) by_name[k.name] = &k;
  EXPECT_EQ(by_name.at("qk")->tag, "attention.qk");
  EXPECT_EQ(by_name.at("softmax")->tag, "attention.softmax");
  EXPECT_EQ(by_name.at("av")->tag, "attention.av");
  EXPECT_EQ(by_name.at("qk")->cls, KernelClass::matmul);
  EXPECT_EQ(by_name.at("qk")->macs, 16 * 16 * 32);  // out elems × K
  EXPECT_EQ(by_name.at("av")->macs, 16 * 32 * 16);
  // The three projections have static weights: Linear, the CIM-friendly class.
  int linear = 0;
  for (const auto& k : w.kernels) linear += k.cls == KernelClass::linear;
  EXPECT_EQ(linear, 3);
}

class NamedPass : public Pass {
 public:
  const char* name() const override { return "same"; }
  bool apply(Graph&) override { return false; }
};

TEST(PassManager, RegisteringTwoPassesWithOneNameIsAnError) {
  PassManager pm;
  pm.add(std::make_unique<NamedPass>());
  EXPECT_THROW(pm.add(std::make_unique<NamedPass>()), std::logic_error);
}

TEST(PassManager, DefaultPipelineNamesAreUnique) {
  auto names = default_pass_pipeline().names();
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  EXPECT_GE(names.size(), 7u);
}

}  // namespace
}  // namespace h4h

namespace h4h {
namespace {

TEST(FuseSwishPass, XTimesSigmoidXIsSiluAndXTimesHardSigmoidXIsHardSwish) {
  test::ModelBuilder b;
  b.input("x", {-1, 4, 6, 6}).param("w", {4, 4, 1, 1}).output("y").output("z");
  b.node("Sigmoid", {"x"}, {"s"});
  b.node("Mul", {"x", "s"}, {"y"});
  b.node("Conv", {"x", "w"}, {"c"});
  auto& hs = b.node("HardSigmoid", {"c"}, {"h"});
  test::ModelBuilder::attr_float(hs, "alpha", 1.0f / 6.0f);
  b.node("Mul", {"c", "h"}, {"z"});
  Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 2u);
  EXPECT_EQ(test::find_op(w, "SiLU")->vector_ops, 4 * 6 * 6);
  // HardSwish is cheap and piecewise-linear: it rides on the conv's output path.
  EXPECT_EQ(test::find_op(w, "Conv")->activation, "HardSwish");
}

TEST(FuseSwishPass, SigmoidGateOfAnotherTensorIsNotSilu) {
  // The squeeze-excitation gate: x · sigmoid(f(x)) is a real product of two tensors.
  test::ModelBuilder b;
  b.input("x", {-1, 4}).output("y");
  b.node("Relu", {"x"}, {"r"});
  b.node("Sigmoid", {"r"}, {"s"});
  b.node("Mul", {"x", "s"}, {"y"});
  Workload w = test::lower_all(b);
  EXPECT_EQ(test::find_op(w, "SiLU"), nullptr);
  EXPECT_NE(test::find_op(w, "Sigmoid"), nullptr);
}

}  // namespace
}  // namespace h4h
