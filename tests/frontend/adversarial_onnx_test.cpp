// Adversarial ONNX graphs, built in memory: each is refused with one exact, clear message
// naming the file, the tensor and the node (never a crash, a hang or a wrapped-around count),
// or loads in bounded time when it is merely large. docs/hardening.md lists them.
#include <gtest/gtest.h>

#include <climits>
#include <string>

#include "frontend/user_error.h"
#include "tests/bounded_run.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

using test::ModelBuilder;

constexpr int64_t k2e40 = int64_t{1} << 40;

// Writes a dim of the builder's first graph input as is (ModelBuilder turns negatives into
// symbols).
void set_input_dim(ModelBuilder& b, int axis, int64_t value) {
  b.mutable_model()
      .mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(axis)
      ->set_dim_value(value);
}

// The UserError text of lowering `b` (empty if it loads).
std::string error_of(const ModelBuilder& b, int64_t batch = 0) {
  try {
    test::lower_all(b, batch);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// --- dims whose products overflow 64 bits --------------------------------------------------

TEST(AdversarialOnnx, InputDimsWhoseProductOverflowsAreRefusedNotWrapped) {
  ModelBuilder b;
  b.input("x", {k2e40, k2e40, k2e40}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: tensor 'x' (input of node 'relu' (Relu)) has shape [1099511627776, "
      "1099511627776, 1099511627776]: more than 2^40 elements (the product overflows 64 bits), "
      "h4hsim's limit for one tensor");
}

TEST(AdversarialOnnx, ExpandToAnOverflowingShapeIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 1, 1}).const_ints("shape", {k2e40, k2e40, k2e40}).output("y");
  b.node("Expand", {"x", "shape"}, {"y"}, "expand");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: tensor 'y' (output of node 'expand' (Expand)) has shape [1099511627776, "
      "1099511627776, 1099511627776]: more than 2^40 elements (the product overflows 64 bits), "
      "h4hsim's limit for one tensor");
}

TEST(AdversarialOnnx, TileToAnOverflowingShapeIsRefused) {
  ModelBuilder b;
  b.input("x", {2, 8}).const_ints("reps", {k2e40, k2e40}).output("y");
  b.node("Tile", {"x", "reps"}, {"y"}, "tile");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: tensor 'y' (output of node 'tile' (Tile)) has shape [2199023255552, "
      "8796093022208]: more than 2^40 elements (the product overflows 64 bits), h4hsim's limit "
      "for one tensor");
}

// Before: the shape folder's element count wrapped to 0, so this folded into an "empty"
// constant of dims [2^40, 2^40, 2^40] and the Add below it counted 0 work.
TEST(AdversarialOnnx, ConstantOfShapeWithAnOverflowingShapeIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 1}).const_ints("shape", {k2e40, k2e40, k2e40}).output("y");
  b.node("ConstantOfShape", {"shape"}, {"c"}, "fill");
  b.node("Add", {"x", "c"}, {"y"}, "add");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: tensor 'c' (input of node 'add' (Add)) has shape [1099511627776, "
      "1099511627776, 1099511627776]: more than 2^40 elements (the product overflows 64 bits), "
      "h4hsim's limit for one tensor");
}

TEST(AdversarialOnnx, ReshapeTargetWhoseDimsOverflowIsRefusedNamingTheNode) {
  ModelBuilder b;
  b.input("x", {1, 8}).const_ints("target", {k2e40, k2e40, k2e40, 8}).output("y");
  b.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'reshape' (Reshape): target [1099511627776, 1099511627776, "
            "1099511627776, 8] overflows 64 bits (its dims multiply past 2^63)");
}

// Before: 2^40 x 2^20 MACs fit, but the kernel's count was int64 arithmetic on any size;
// [1, 3037000500] x [3037000500, 3037000500] printed total_macs -9223372036709301616.
TEST(AdversarialOnnx, MacCountPastTheLimitIsRefusedNamingTheNode) {
  ModelBuilder b;
  b.input("x", {1 << 20, 1 << 20}).param("w", {1 << 20, 1 << 20}).output("y");
  b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'mm' (Linear): 1099511627776 x 1048576 operations is more than 2^50, "
            "h4hsim's limit for one kernel");
}

TEST(AdversarialOnnx, MacCountThatOverflows64BitsIsRefusedNotNegative) {
  ModelBuilder b;
  b.input("x", {1, 3037000500}).param("w", {3037000500, 3037000500}).output("y");
  b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: parameter 'w' has shape [3037000500, 3037000500]: more than 2^40 elements, "
            "h4hsim's limit for one tensor");
}

TEST(AdversarialOnnx, BatchThatOverflowsTheActivationsIsRefused) {
  ModelBuilder b;
  b.input("x", {-1, 1 << 20}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  EXPECT_EQ(error_of(b, int64_t{1} << 30),
            "tiny.onnx: tensor 'x' (input of node 'relu' (Relu)) has shape [1073741824, 1048576]: "
            "more than 2^40 elements, h4hsim's limit for one tensor");
}

// --- negative and zero dims --------------------------------------------------------------

TEST(AdversarialOnnx, NegativeInputDimIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  set_input_dim(b, 1, -5);
  EXPECT_EQ(error_of(b), "tiny.onnx: input 'x' has a negative dim ([1, -5]); ONNX dims are >= 0");
}

TEST(AdversarialOnnx, NegativeFirstDimBelowMinusOneIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  set_input_dim(b, 0, -7);
  EXPECT_EQ(error_of(b), "tiny.onnx: input 'x' has a negative dim ([-7, 8]); ONNX dims are >= 0");
}

// Some exporters write -1 for a dynamic batch: it is the batch slot, fixed from --batch.
TEST(AdversarialOnnx, MinusOneFirstDimOfADataInputIsTheDynamicBatch) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  set_input_dim(b, 0, -1);
  const Workload w = test::lower_all(b, 3);
  EXPECT_EQ(w.batch, 3);
  EXPECT_EQ(w.kernels.at(0).output_shape, (Shape{3, 8}));
}

TEST(AdversarialOnnx, ZeroDimInADataInputIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 0}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: data input 'x' has a zero dim ([1, 0]): an empty tensor, nothing to simulate");
}

TEST(AdversarialOnnx, NegativeInitializerDimIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  auto* t = b.mutable_model().mutable_graph()->add_initializer();
  t->set_name("w");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(8);
  t->add_dims(-3);
  b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: initializer 'w' has a negative dim ([8, -3]); ONNX dims are >= 0");
}

TEST(AdversarialOnnx, NegativeReshapeTargetIsRefusedNamingTheNode) {
  ModelBuilder b;
  b.input("x", {1, 8}).const_ints("target", {-2, 4}).output("y");
  b.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: node 'reshape' (Reshape): target [-2, 4] has the dim -2; only -1 (infer it) "
      "may be negative");
}

// Before: accepted; ONNX's shape inference took the target as it was and the kernels
// after it worked on 12 elements made from 8.
TEST(AdversarialOnnx, ReshapeTargetOfAnotherSizeIsRefusedWithBothCounts) {
  ModelBuilder b;
  b.input("x", {1, 8}).const_ints("target", {3, 4}).output("y");
  b.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'reshape' (Reshape): cannot reshape tensor 'x' [1, 8] (8 elements) to "
            "[3, 4] (12 elements)");
}

TEST(AdversarialOnnx, ReshapeToAZeroDimIsRefused) {
  ModelBuilder b(14);  // allowzero is opset 14's
  b.input("x", {1, 8}).const_ints("target", {0, 0}).output("y");
  auto& n = b.node("Reshape", {"x", "target"}, {"y"}, "reshape");
  ModelBuilder::attr_int(n, "allowzero", 1);
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'reshape' (Reshape): cannot reshape tensor 'x' [1, 8] (8 elements) to "
            "[0, 0] (0 elements)");
}

TEST(AdversarialOnnx, SliceToAnEmptyActivationIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).const_ints("starts", {8}).const_ints("ends", {8}).const_ints("axes", {1});
  b.output("z");
  b.node("Slice", {"x", "starts", "ends", "axes"}, {"y"}, "slice");
  b.node("Relu", {"y"}, {"z"}, "relu");
  EXPECT_EQ(
      error_of(b),
      "tiny.onnx: tensor 'y' (output of node 'slice' (Slice)) has shape [1, 0]: an empty tensor, "
      "nothing to simulate");
}

// --- graph structure ---------------------------------------------------------------------

TEST(AdversarialOnnx, NodeConsumingItsOwnOutputIsACycle) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Add", {"x", "y"}, {"y"}, "self");
  EXPECT_EQ(error_of(b), "tiny.onnx: the graph has a cycle through node 'self' (Add)");
}

TEST(AdversarialOnnx, TwoNodeCycleIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("b");
  b.node("Add", {"x", "b"}, {"a"}, "n1");
  b.node("Relu", {"a"}, {"b"}, "n2");
  EXPECT_EQ(error_of(b), "tiny.onnx: the graph has a cycle through node 'n1' (Add)");
}

TEST(AdversarialOnnx, DanglingTensorNameIsRefusedNamingTensorAndNode) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Add", {"x", "ghost"}, {"y"}, "add");
  EXPECT_EQ(error_of(b), "tiny.onnx: tensor 'ghost' used by node 'add' (Add) is never defined");
}

TEST(AdversarialOnnx, TwoNodesWritingOneTensorAreRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Relu", {"x"}, {"y"}, "r1");
  b.node("Relu", {"x"}, {"y"}, "r2");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: tensor 'y' is produced twice (second time by node 'r2' (Relu))");
}

TEST(AdversarialOnnx, NodeOverwritingAGraphInputIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("x");
  b.node("Relu", {"x"}, {"x"}, "r");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: tensor 'x' is produced twice (second time by node 'r' (Relu))");
}

// Before: accepted silently (the declared output was simply never computed).
TEST(AdversarialOnnx, GraphOutputThatNothingProducesIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("nothing");
  b.node("Relu", {"x"}, {"y"}, "r1");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: graph output 'nothing' is produced by no node (and is not a graph input or "
            "initializer)");
}

// ONNX's checker refuses a name declared twice (SSA form); before, the second graph input
// of that name was silently dropped.
TEST(AdversarialOnnx, GraphInputDeclaredTwiceIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).input("x", {1, 6}).output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  EXPECT_EQ(error_of(b), "tiny.onnx: graph input 'x' is declared twice");
}

TEST(AdversarialOnnx, InitializerDeclaredTwiceIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).const_ints("shape", {2, 4}).const_ints("shape", {4, 2}).output("y");
  b.node("Reshape", {"x", "shape"}, {"y"}, "reshape");
  EXPECT_EQ(error_of(b), "tiny.onnx: initializer 'shape' is declared twice");
}

// Valid ONNX: a graph may pass an input (or an initializer) through as one of its outputs.
// Before: ONNX 1.12's inference took the output's shapeless type for the tensor, and the
// model was refused with "cannot resolve the shape of tensor 'y' ...; a dynamic dim ...?".
TEST(AdversarialOnnx, GraphOutputThatIsAlsoAGraphInputLoads) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y").output("x");
  b.node("Relu", {"x"}, {"y"}, "relu");
  const Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].name, "relu");
  EXPECT_EQ(w.kernels[0].output_shape, (std::vector<int64_t>{1, 8}));

  ModelBuilder c;
  c.input("x", {1, 8}).const_float("half", 0.5f).output("y").output("half");
  c.node("Mul", {"x", "half"}, {"y"}, "mul");
  const Workload v = test::lower_all(c);
  ASSERT_EQ(v.kernels.size(), 1u);
  EXPECT_EQ(v.kernels[0].output_shape, (std::vector<int64_t>{1, 8}));
}

// --- attributes ONNX does not relate to shapes ----------------------------------------------

// Conv with group: X [N, C, ...] and W [M, C/group, ...]. Before: accepted, MACs counted
// from W as if the channels matched.
TEST(AdversarialOnnx, ConvWhoseChannelsAreNotGroupTimesTheWeightsIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8, 8, 8}).param("w", {16, 3, 3, 3}).output("y");
  ModelBuilder::attr_int(b.node("Conv", {"x", "w"}, {"y"}, "conv"), "group", 2);
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'conv' (Conv): input 'x' [1, 8, 8, 8] has 8 channels, but weight 'w' "
            "[16, 3, 3, 3] with group 2 takes 6 (2 x 3; C must equal group x W.shape[1])");
}

TEST(AdversarialOnnx, ConvWhoseFiltersAreNotAMultipleOfTheGroupIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 6, 8, 8}).param("w", {16, 2, 3, 3}).output("y");
  ModelBuilder::attr_int(b.node("Conv", {"x", "w"}, {"y"}, "conv"), "group", 3);
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'conv' (Conv): weight 'w' [16, 2, 3, 3] has 16 filters, not a "
            "multiple of group 3");
}

TEST(AdversarialOnnx, ConvKernelShapeThatIsNotTheWeightsIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 3, 8, 8}).param("w", {4, 3, 3, 3}).output("y");
  ModelBuilder::attr_ints(b.node("Conv", {"x", "w"}, {"y"}, "conv"), "kernel_shape", {5, 5});
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'conv' (Conv): kernel_shape [5, 5] is not the spatial size [3, 3] "
            "of weight 'w' [4, 3, 3, 3]");
}

// Before: accepted, the bias counted as 8 parameters of a 16-filter layer.
TEST(AdversarialOnnx, ConvBiasOfAnotherLengthThanTheFiltersIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 3, 8, 8}).param("w", {16, 3, 3, 3}).param("bias", {8}).output("y");
  b.node("Conv", {"x", "w", "bias"}, {"y"}, "conv");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'conv' (Conv): bias 'bias' [8] must be [16], one value per filter of "
            "weight 'w' [16, 3, 3, 3]");
}

// Before: "cannot resolve the shape ...; a dynamic dim other than the batch?" on a model
// with no dynamic dim at all.
TEST(AdversarialOnnx, ConvKernelLargerThanThePaddedInputIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 3, 4, 4}).param("w", {8, 3, 7, 7}).output("y");
  ModelBuilder::attr_ints(b.node("Conv", {"x", "w"}, {"y"}, "conv"), "pads", {1, 1, 1, 1});
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'conv' (Conv): on spatial axis 0 the kernel spans 7 (kernel 7, "
            "dilation 1), more than input 'x' [1, 3, 4, 4] has there with its pads (4 + 1 + 1)");
}

TEST(AdversarialOnnx, DilatedConvKernelLargerThanTheInputIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 3, 9, 6}).param("w", {8, 3, 3, 3}).output("y");
  ModelBuilder::attr_ints(b.node("Conv", {"x", "w"}, {"y"}, "conv"), "dilations", {4, 4});
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'conv' (Conv): on spatial axis 1 the kernel spans 9 (kernel 3, "
            "dilation 4), more than input 'x' [1, 3, 9, 6] has there with its pads (6 + 0 + 0)");
}

TEST(AdversarialOnnx, PoolKernelLargerThanThePaddedInputIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 3, 4, 4}).output("y");
  ModelBuilder::attr_ints(b.node("MaxPool", {"x"}, {"y"}, "pool"), "kernel_shape", {5, 5});
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'pool' (MaxPool): on spatial axis 0 the kernel spans 5 (kernel 5, "
            "dilation 1), more than input 'x' [1, 3, 4, 4] has there with its pads (4 + 0 + 0)");
}

// SAME padding never shrinks an axis: a kernel larger than the input is fine there.
TEST(AdversarialOnnx, PoolKernelLargerThanTheInputLoadsWithSamePadding) {
  ModelBuilder b;
  b.input("x", {1, 3, 4, 4}).output("y");
  auto& pool = b.node("AveragePool", {"x"}, {"y"}, "pool");
  ModelBuilder::attr_ints(pool, "kernel_shape", {5, 5});
  auto* pad = pool.add_attribute();
  pad->set_name("auto_pad");
  pad->set_type(onnx::AttributeProto::STRING);
  pad->set_s("SAME_UPPER");
  const Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].output_shape, (std::vector<int64_t>{1, 3, 4, 4}));
}

TEST(AdversarialOnnx, MatMulWhoseReductionDimsDisagreeIsRefused) {
  ModelBuilder b;
  b.input("x", {1, 8}).param("w", {6, 4}).output("y");
  b.node("MatMul", {"x", "w"}, {"y"}, "mm");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'mm' (MatMul): A 'x' [1, 8] has K = 8 (its last dim) but B 'w' [6, 4] "
            "has K = 6 (its second-to-last dim)");
}

TEST(AdversarialOnnx, MatMulWhoseBatchDimsDoNotBroadcastIsRefused) {
  ModelBuilder b;
  b.input("a", {2, 3, 4}).input("b", {5, 4, 6}).output("y");
  b.node("MatMul", {"a", "b"}, {"y"}, "mm");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'mm' (MatMul): the batch dims of A 'a' [2, 3, 4] and B 'b' [5, 4, 6] "
            "do not broadcast (2 vs 5)");
}

TEST(AdversarialOnnx, GemmWhoseReductionDimsDisagreeIsRefused) {
  ModelBuilder b;
  b.input("x", {2, 8}).param("w", {4, 6}).output("y");
  ModelBuilder::attr_int(b.node("Gemm", {"x", "w"}, {"y"}, "gemm"), "transB", 1);
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'gemm' (Gemm): A 'x' [2, 8] (transA 0) has K = 8 but B 'w' [4, 6] "
            "(transB 1) has K = 6");
}

// Before: "cannot resolve the shape ...; a dynamic dim other than the batch?".
TEST(AdversarialOnnx, EinsumLabelOfTwoSizesIsRefused) {
  ModelBuilder b(13);
  b.input("a", {2, 3}).input("b", {4, 5}).output("y");
  auto& n = b.node("Einsum", {"a", "b"}, {"y"}, "einsum");
  auto* eq = n.add_attribute();
  eq->set_name("equation");
  eq->set_type(onnx::AttributeProto::STRING);
  eq->set_s("ij,jk->ik");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: node 'einsum' (Einsum): label 'j' of 'ij,jk->ik' is 3 in 'a' [2, 3] but 4 "
            "in 'b' [4, 5]");
}

// The hint about dynamic dims only when one is involved: elsewhere the message says the
// node's shapes are inconsistent and lists them.
TEST(AdversarialOnnx, UnresolvedShapeWithoutADynamicDimSaysTheNodeIsInconsistent) {
  ModelBuilder b;
  b.input("x", {1, 8}).param("p", {1, 6}).output("y");
  b.node("Add", {"x", "p"}, {"y"}, "add");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: cannot resolve the shape of tensor 'y' (output of node 'add' (Add)): ONNX "
            "shape inference finds none from the node's attributes and its inputs 'x' [1, 8], 'p' "
            "[1, 6], and no dynamic dim is involved, so these are inconsistent");
}

TEST(AdversarialOnnx, UnresolvedShapeFromADynamicDimKeepsTheHint) {
  ModelBuilder b;
  b.input("x", {1, -1, 8}, onnx::TensorProto::FLOAT, "seq").output("y");
  b.node("Relu", {"x"}, {"y"}, "relu");
  EXPECT_EQ(error_of(b),
            "tiny.onnx: cannot resolve the shape of tensor 'x' (input of node 'relu' (Relu)); a "
            "dynamic dim other than the batch? only the first dim of a data input is fixed from "
            "--batch");
}

// --- names that are not UTF-8 --------------------------------------------------------------

// Names are escaped (\xNN) where they enter the frontend: messages stay one printable line,
// and JSON/CSV outputs stay valid (the CLI test checks `inspect --json` on such a model).
TEST(AdversarialOnnx, NonUtf8NamesAreEscapedInMessages) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("u");
  b.node("Relu", {"x"}, {"y\xff\xfe"}, "r\xc3\x28");
  b.node("Unique", {"y\xff\xfe"}, {"u"}, "bad\xff\nname");
  EXPECT_EQ(error_of(b), "tiny.onnx: unsupported op 'Unique' (node 'bad\\xff\\x0aname')");
}

TEST(AdversarialOnnx, NonUtf8NamesLoadWithTheirBytesEscaped) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("z");
  b.node("Relu", {"x"}, {"y\xff"}, "r\xc3\x28");
  b.node("Sigmoid", {"y\xff"}, {"z"}, "s\x1b[31m");
  const Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 2u);
  EXPECT_EQ(w.kernels[0].name, "r\\xc3(");
  EXPECT_EQ(w.kernels[1].name, "s\\x1b[31m");
  EXPECT_EQ(w.kernels[1].producers, (std::vector<int>{0}));  // the wiring survives escaping
}

TEST(AdversarialOnnx, ValidUtf8NamesAreKeptAsTheyAre) {
  ModelBuilder b;
  b.input("x", {1, 8}).output("y");
  b.node("Relu", {"x"}, {"y"}, "größe_µ");
  EXPECT_EQ(test::lower_all(b).kernels.at(0).name, "größe_µ");
}

// --- size: a million nodes, and shapes that made passes quadratic ---------------------------

ModelBuilder relu_chain(int n) {
  ModelBuilder b;
  b.input("x", {1, 8});
  std::string prev = "x";
  for (int i = 0; i < n; ++i) {
    const std::string out = "t" + std::to_string(i);
    b.node("Relu", {prev}, {out}, "n" + std::to_string(i));
    prev = out;
  }
  b.output(prev);
  return b;
}

// One node past the limit is refused before any pass runs (the CLI test refuses a million
// nodes read from a file, and measures it).
TEST(AdversarialOnnx, GraphPastTheNodeLimitIsRefusedBeforeAnyPass) {
  const auto r = test::run_in_child([] {
    const ModelBuilder b = relu_chain(kMaxGraphNodes + 1);
    return error_of(b);
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "tiny.onnx: the graph has 200001 nodes, more than h4hsim's limit of 200000");
  EXPECT_LT(r.seconds, 20.0);
}

// Every pass used to re-derive the whole graph's edges after each fusion (Conv+Relu,
// BatchNorm, Linear+bias, SiLU, LayerNorm, GELU) and to rescan all nodes for each Identity
// removed: quadratic (20,000 Conv/Relu nodes took 62 s, 5,000 took 2 s). Now linear.
TEST(AdversarialOnnx, PassesStayLinearOnLongFusableChains) {
  const int n = 20000;
  const auto r = test::run_in_child([n] {
    ModelBuilder b;
    b.input("x", {1, 4, 8, 8}).param("w", {4, 4, 1, 1});
    std::string prev = "x";
    for (int i = 0; i < n; ++i) {
      const std::string out = "t" + std::to_string(i);
      switch (i % 3) {
        case 0:
          b.node("Conv", {prev, "w"}, {out}, "n" + std::to_string(i));
          break;
        case 1:
          b.node("Relu", {prev}, {out}, "n" + std::to_string(i));
          break;
        default:
          b.node("Identity", {prev}, {out}, "n" + std::to_string(i));
          break;
      }
      prev = out;
    }
    b.output(prev);
    return std::to_string(test::lower_all(b).kernels.size());
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, std::to_string(n / 3 + 1));  // Conv+Relu fused, Identity removed
  EXPECT_LT(r.seconds, 30.0);
}

// Many graph outputs, and one tensor read by thousands of nodes, were quadratic too.
TEST(AdversarialOnnx, ManyGraphOutputsAndHighFanOutStayLinear) {
  const int n = 20000;
  const auto r = test::run_in_child([n] {
    ModelBuilder b;
    b.input("x", {1, 4, 8, 8}).param("w", {4, 4, 1, 1});
    b.node("Conv", {"x", "w"}, {"c"}, "conv");
    for (int i = 0; i < n; ++i) {
      const std::string out = "t" + std::to_string(i);
      b.node("Relu", {"c"}, {out}, "n" + std::to_string(i));
      b.output(out);
    }
    return std::to_string(test::lower_all(b).kernels.size());
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, std::to_string(n + 1));
  EXPECT_LT(r.seconds, 30.0);
}

}  // namespace
}  // namespace h4h
