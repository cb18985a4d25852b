// Lowering rules: the MAC convention, conv geometry, depthwise groups, view-vs-copy.
#include <gtest/gtest.h>

#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

using test::ModelBuilder;

TEST(LowerConv, MacsFollowConventionWithOnnxPadding) {
  // 3→8 channels, 3×3, stride 2, pad 1 on 32×32: Hout = floor((32 + 2 − 3)/2) + 1 = 16.
  ModelBuilder b;
  b.input("x", {-1, 3, 32, 32}).param("w", {8, 3, 3, 3}).output("y");
  auto& c = b.node("Conv", {"x", "w"}, {"y"});
  ModelBuilder::attr_ints(c, "pads", {1, 1, 1, 1});
  ModelBuilder::attr_ints(c, "strides", {2, 2});
  Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  const Kernel& k = w.kernels[0];
  EXPECT_EQ(k.conv.out_h, 16);
  EXPECT_EQ(k.conv.out_w, 16);
  EXPECT_EQ(k.conv.stride_h, 2);
  EXPECT_EQ(k.macs, 1LL * 8 * 16 * 16 * 3 * 3 * 3);
  EXPECT_EQ(k.gemm.m, 16 * 16);
  EXPECT_EQ(k.gemm.n, 8);
  EXPECT_EQ(k.gemm.k, 27);
  EXPECT_EQ(k.input_elems, 3 * 32 * 32);
  EXPECT_EQ(k.output_elems, 8 * 16 * 16);
}

TEST(LowerConv, DepthwiseConvDividesReductionByGroups) {
  ModelBuilder b;
  b.input("x", {-1, 16, 10, 10}).param("w", {16, 1, 3, 3}).output("y");
  auto& c = b.node("Conv", {"x", "w"}, {"y"});
  ModelBuilder::attr_ints(c, "pads", {1, 1, 1, 1});
  ModelBuilder::attr_int(c, "group", 16);
  Workload w = test::lower_all(b, 3);
  const Kernel& k = w.kernels[0];
  EXPECT_EQ(k.conv.groups, 16);
  EXPECT_EQ(k.macs, 3LL * 16 * 10 * 10 * 1 * 3 * 3);  // N·Cout·H·W·(Cin/g)·kh·kw
  EXPECT_EQ(k.gemm.batch, 16);
  EXPECT_EQ(k.gemm.n, 1);
  EXPECT_EQ(k.gemm.k, 9);
}

TEST(LowerDataMovement, ReshapeIsAViewAndRealTransposeIsACopy) {
  ModelBuilder b;
  b.input("x", {-1, 4, 6}).output("y");
  b.const_ints("shape", {1, 24});
  b.node("Reshape", {"x", "shape"}, {"r"}, "reshape");
  auto& t = b.node("Transpose", {"x"}, {"t"}, "transpose");
  ModelBuilder::attr_ints(t, "perm", {0, 2, 1});
  auto& u = b.node("Transpose", {"r"}, {"u"}, "unit_transpose");
  ModelBuilder::attr_ints(u, "perm", {1, 0});  // moves only the unit batch dim
  b.output("t").output("u");
  b.node("Relu", {"r"}, {"y"});
  Workload w = test::lower_all(b);
  std::map<std::string, const Kernel*> by;
  for (const auto& k : w.kernels) by[k.name] = &k;
  EXPECT_FALSE(by.at("reshape")->is_copy);
  EXPECT_TRUE(by.at("transpose")->is_copy);
  EXPECT_FALSE(by.at("unit_transpose")->is_copy);
  EXPECT_EQ(by.at("reshape")->cls, KernelClass::data_movement);
}

TEST(LowerProducers, ProducersFollowTensorEdges) {
  ModelBuilder b;
  b.input("x", {-1, 4}).output("z");
  b.node("Relu", {"x"}, {"a"}, "a");
  b.node("Sigmoid", {"x"}, {"b"}, "b");
  b.node("Add", {"a", "b"}, {"z"}, "z");
  Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 3u);
  const Kernel& add = w.kernels[2];
  EXPECT_EQ(add.name, "z");
  ASSERT_EQ(add.producers.size(), 2u);
  EXPECT_EQ(w.kernels[add.producers[0]].name, "a");
  EXPECT_EQ(w.kernels[add.producers[1]].name, "b");
  EXPECT_TRUE(w.kernels[0].producers.empty());
}

TEST(LowerPool, GlobalAveragePoolIsPoolClassWithZeroMacs) {
  ModelBuilder b;
  b.input("x", {-1, 8, 7, 7}).output("y");
  b.node("GlobalAveragePool", {"x"}, {"y"});
  Workload w = test::lower_all(b);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::pool);
  EXPECT_EQ(w.kernels[0].macs, 0);
  EXPECT_EQ(w.kernels[0].vector_ops, 8 * 7 * 7);
  EXPECT_EQ(w.kernels[0].output_shape, (Shape{1, 8, 1, 1}));
}

}  // namespace
}  // namespace h4h

namespace h4h {
namespace {

TEST(LowerEinsum, TwoOperandEinsumMacsAreTheProductOfAllLabels) {
  // Attention scores as MaxViT writes them: b h i d, b h j d -> b h i j.
  test::ModelBuilder b;
  b.input("q", {-1, 2, 16, 8}).input("k", {-1, 2, 16, 8}).output("s");
  auto& e = b.node("Einsum", {"q", "k"}, {"s"}, "scores");
  auto* a = e.add_attribute();
  a->set_name("equation");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("bhid,bhjd->bhij");
  Workload w = test::lower_all(b, 3, {"q", "k"});
  ASSERT_EQ(w.kernels.size(), 1u);
  const Kernel& k = w.kernels[0];
  EXPECT_EQ(k.cls, KernelClass::matmul);
  EXPECT_EQ(k.output_shape, (Shape{3, 2, 16, 16}));
  EXPECT_EQ(k.macs, 3LL * 2 * 16 * 16 * 8);  // output elements × K
  EXPECT_EQ(k.gemm.batch, 6);
  EXPECT_EQ(k.gemm.m, 16);
  EXPECT_EQ(k.gemm.n, 16);
  EXPECT_EQ(k.gemm.k, 8);
}

TEST(LowerEinsum, EllipsisBroadcastsLeadingDims) {
  test::ModelBuilder b;
  b.input("x", {-1, 4, 5, 6}).input("w", {6, 7}).output("y");
  auto& e = b.node("Einsum", {"x", "w"}, {"y"});
  auto* a = e.add_attribute();
  a->set_name("equation");
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s("...d,de->...e");
  Workload w = test::lower_all(b);
  EXPECT_EQ(w.kernels[0].cls, KernelClass::linear);  // w is a parameter by default
  EXPECT_EQ(w.kernels[0].macs, 1LL * 4 * 5 * 7 * 6);
}

}  // namespace
}  // namespace h4h
