// Shape subgraphs fold to constants so data-dependent Reshape targets resolve; what cannot
// be resolved, or is not supported, is a UserError that names the tensor / op and node.
#include <gtest/gtest.h>

#include <climits>

#include "frontend/const_tensor.h"
#include "frontend/user_error.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

using test::ModelBuilder;

// x[batch,3,8,8] → Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])) → MatMul W
ModelBuilder reshape_from_shape_chain() {
  ModelBuilder b;
  b.input("x", {-1, 3, 8, 8}).param("w", {192, 10}).output("y");
  b.const_ints("zero", {0}).const_ints("minus1", {-1}).const_ints("axes0", {0});
  b.node("Shape", {"x"}, {"shape"});
  auto& g = b.node("Gather", {"shape", "zero_scalar"}, {"n"});
  ModelBuilder::attr_int(g, "axis", 0);
  b.node("Unsqueeze", {"n", "axes0"}, {"n1"});
  auto& c = b.node("Concat", {"n1", "minus1"}, {"target"});
  ModelBuilder::attr_int(c, "axis", 0);
  b.node("Reshape", {"x", "target"}, {"flat"});
  b.node("MatMul", {"flat", "w"}, {"y"});
  // Gather with a scalar index: a 0-d initializer.
  auto* t = b.mutable_model().mutable_graph()->add_initializer();
  t->set_name("zero_scalar");
  t->set_data_type(onnx::TensorProto::INT64);
  t->add_int64_data(0);
  return b;
}

TEST(ShapeFolding, ReshapeTargetFromShapeGatherConcatChainResolves) {
  Workload w = test::lower_all(reshape_from_shape_chain(), 2);
  const Kernel* mm = test::find_op(w, "Linear");
  ASSERT_NE(mm, nullptr);
  EXPECT_EQ(mm->output_shape, (Shape{2, 10}));
  EXPECT_EQ(mm->macs, 2 * 10 * 192);
  // The shape arithmetic folded away; only the reshape view and the GEMM remain.
  EXPECT_EQ(w.kernels.size(), 2u);
  EXPECT_EQ(test::find_op(w, "Shape"), nullptr);
}

TEST(ShapeFolding, BatchDefaultsToOneForADynamicAxis) {
  Workload w = test::lower_all(reshape_from_shape_chain());
  EXPECT_EQ(w.batch, 1);
  EXPECT_EQ(test::find_op(w, "Linear")->output_shape, (Shape{1, 10}));
}

TEST(ShapeFolding, FixedBatchCannotBeOverridden) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y");
  b.node("Relu", {"x"}, {"y"});
  try {
    test::lower_all(b, 2);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("fixed batch of 1"), std::string::npos) << e.what();
  }
}

TEST(ShapeFolding, UnresolvableDimIsAnErrorNamingTensorAndNode) {
  ModelBuilder b;
  b.input("x", {-1, 3, -1, -1}, onnx::TensorProto::FLOAT, "height").param("w", {4, 3, 3, 3});
  b.output("y");
  b.node("Conv", {"x", "w"}, {"y"}, "stem_conv");
  try {
    test::lower_all(b);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("stem_conv"), std::string::npos) << msg;
  }
}

TEST(ShapeFolding, UnsupportedOpIsNamedWithItsNode) {
  ModelBuilder b;
  b.input("x", {-1, 4}).output("y");
  b.node("Unique", {"x"}, {"y"}, "unique_node");
  try {
    test::lower_all(b);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported op 'Unique' (node 'unique_node')"),
              std::string::npos)
        << e.what();
  }
}

// Found by fuzzing (tests/fuzz/regressions/onnx/): at opset >= 15, ONNX 1.12's data
// propagation for Shape read the type of an input whose type is unknown (here: the output of
// an op ONNX does not know) through a null pointer and crashed the process.
TEST(ShapeFolding, ShapeOfATensorOfUnknownTypeIsAUserErrorNotACrash) {
  ModelBuilder b(17);
  b.input("x", {1, 4}).output("y");
  b.node("Qdd", {"x", "x"}, {"q"}, "not_an_op");
  b.node("Shape", {"q"}, {"s"}, "shape_of_q");
  b.node("Reshape", {"x", "s"}, {"y"}, "reshape");
  try {
    test::lower_all(b);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "tiny.onnx: unsupported op 'Qdd' (node 'not_an_op')");
  }
}

// Found by fuzzing (tests/fuzz/regressions/onnx/): a Reshape with one input, of a constant,
// was folded by reading its missing second input (ASan: heap-buffer-overflow). Every node is
// now checked against its ONNX schema first.
TEST(GraphValidation, NodeWithTooFewInputsForItsOpIsNamed) {
  ModelBuilder b;
  b.input("x", {1, 4}).output("y");
  b.const_ints("c", {2, 2});
  b.node("Reshape", {"c"}, {"r"}, "reshape");
  b.node("Reshape", {"x", "r"}, {"y"}, "use");
  try {
    test::lower_all(b);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "tiny.onnx: node 'reshape' (Reshape) is not a valid ONNX Reshape (opset 13): "
                           "Node (reshape) has input size 1 not in range [min=2, max=2].");
  }
}

// Found by fuzzing (tests/fuzz/regressions/onnx/): ONNX 1.12's Conv shape inference walks
// its per-axis attributes by the weight's rank, so a 4-D weight on a 3-D input read past
// them (SEGV); a zero stride divided by zero.
TEST(GraphValidation, ConvWeightRankMustEqualInputRank) {
  ModelBuilder b;
  b.input("x", {1, 3, 8}).param("w", {4, 3, 3, 3}).output("y");
  b.node("Conv", {"x", "w"}, {"y"}, "conv");
  try {
    test::lower_all(b);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "tiny.onnx: ONNX shape inference failed: a Conv has an input of rank 3 and a "
                           "weight of rank 4; they must be equal");
  }
  ModelBuilder z;
  z.input("x", {1, 3, 8, 8}).param("w", {4, 3, 3, 3}).output("y");
  ModelBuilder::attr_ints(z.node("Conv", {"x", "w"}, {"y"}, "conv"), "strides", {1, 0});
  try {
    test::lower_all(z);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "tiny.onnx: ONNX shape inference failed: a Conv has strides [1, 0]; every value "
                           "must be > 0");
  }
}

TEST(GraphValidation, CycleIsAnError) {
  ModelBuilder b;
  b.input("x", {-1, 4}).output("b");
  b.node("Add", {"x", "b"}, {"a"});
  b.node("Relu", {"a"}, {"b"});
  EXPECT_THROW(test::lower_all(b), UserError);
}

TEST(GraphValidation, DanglingTensorIsAnError) {
  ModelBuilder b;
  b.input("x", {-1, 4}).output("y");
  b.node("Add", {"x", "nowhere"}, {"y"});
  try {
    test::lower_all(b);
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("'nowhere'"), std::string::npos) << e.what();
  }
}

TEST(GraphValidation, TensorProducedTwiceIsAnError) {
  ModelBuilder b;
  b.input("x", {-1, 4}).output("y");
  b.node("Relu", {"x"}, {"y"}, "r1");
  b.node("Sigmoid", {"x"}, {"y"}, "r2");
  EXPECT_THROW(test::lower_all(b), UserError);
}

TEST(GraphValidation, OpsetOutsideTheReadableRangeIsAnError) {
  ModelBuilder b(
      6);  // older than ONNX's version converter adapts (tests/frontend/quantized_test.cpp)
  b.input("x", {-1, 4}).output("y");
  b.node("Relu", {"x"}, {"y"});
  EXPECT_THROW(test::lower_all(b), UserError);
}

// --- the constant evaluator itself, on hand-checked cases -------------------------------

onnx::NodeProto make_node(const std::string& op) {
  onnx::NodeProto n;
  n.set_op_type(op);
  return n;
}

std::vector<int64_t> eval_ints(const onnx::NodeProto& n, std::vector<ConstTensor> ins) {
  std::vector<const ConstTensor*> ptrs;
  std::vector<std::optional<std::vector<int64_t>>> shapes;
  for (const auto& t : ins) {
    ptrs.push_back(&t);
    shapes.emplace_back(t.dims);
  }
  auto r = eval_const_node(n, 13, ptrs, shapes);
  EXPECT_TRUE(r.has_value());
  return r ? r->front().as_ints() : std::vector<int64_t>{};
}

TEST(ConstEval, SliceClampsInt64MaxEnd) {
  auto n = make_node("Slice");
  for (int k = 0; k < 5; ++k) n.add_input("i" + std::to_string(k));
  auto out = eval_ints(n, {ConstTensor::ints({10, 20, 30, 40}, {4}), ConstTensor::ints({1}, {1}),
                           ConstTensor::ints({LLONG_MAX}, {1}), ConstTensor::ints({0}, {1}),
                           ConstTensor::ints({2}, {1})});
  EXPECT_EQ(out, (std::vector<int64_t>{20, 40}));
}

TEST(ConstEval, NegativeStepSliceReverses) {
  auto n = make_node("Slice");
  for (int k = 0; k < 5; ++k) n.add_input("i" + std::to_string(k));
  auto out = eval_ints(n, {ConstTensor::ints({1, 2, 3}, {3}), ConstTensor::ints({-1}, {1}),
                           ConstTensor::ints({LLONG_MIN}, {1}), ConstTensor::ints({0}, {1}),
                           ConstTensor::ints({-1}, {1})});
  EXPECT_EQ(out, (std::vector<int64_t>{3, 2, 1}));
}

TEST(ConstEval, RangeCountsCeilOfSpanOverDelta) {
  auto n = make_node("Range");
  for (int k = 0; k < 3; ++k) n.add_input("i" + std::to_string(k));
  auto out = eval_ints(n, {ConstTensor::scalar_int(0), ConstTensor::scalar_int(7),
                           ConstTensor::scalar_int(3)});
  EXPECT_EQ(out, (std::vector<int64_t>{0, 3, 6}));
}

TEST(ConstEval, ModFollowsDivisorSignUnlessFmod) {
  auto n = make_node("Mod");
  n.add_input("a");
  n.add_input("b");
  EXPECT_EQ(eval_ints(n, {ConstTensor::ints({-7, 7}, {2}), ConstTensor::scalar_int(3)}),
            (std::vector<int64_t>{2, 1}));
  auto* a = n.add_attribute();
  a->set_name("fmod");
  a->set_i(1);
  EXPECT_EQ(eval_ints(n, {ConstTensor::ints({-7, 7}, {2}), ConstTensor::scalar_int(3)}),
            (std::vector<int64_t>{-1, 1}));
}

TEST(ConstEval, WhereBroadcastsConditionAgainstBranches) {
  auto n = make_node("Where");
  for (int k = 0; k < 3; ++k) n.add_input("i" + std::to_string(k));
  ConstTensor cond = ConstTensor::ints({1, 0, 1}, {3});
  cond.onnx_dtype = onnx::TensorProto::BOOL;
  auto out = eval_ints(n, {cond, ConstTensor::ints({5, 6, 7}, {3}), ConstTensor::scalar_int(-1)});
  EXPECT_EQ(out, (std::vector<int64_t>{5, -1, 7}));
}

TEST(ConstEval, ReshapeResolvesZeroAndMinusOne) {
  auto n = make_node("Reshape");
  n.add_input("x");
  n.add_input("s");
  std::vector<int64_t> vals(24);
  for (int k = 0; k < 24; ++k) vals[k] = k;
  std::vector<const ConstTensor*> ptrs;
  ConstTensor x = ConstTensor::ints(vals, {2, 3, 4});
  ConstTensor s = ConstTensor::ints({0, -1}, {2});
  auto r = eval_const_node(n, 13, {&x, &s}, {x.dims, s.dims});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->front().dims, (std::vector<int64_t>{2, 12}));
}

TEST(ConstEval, ShapeNeedsOnlyTheInputShapeAndHonoursStartEnd) {
  auto n = make_node("Shape");
  n.add_input("x");
  auto* a = n.add_attribute();
  a->set_name("start");
  a->set_i(1);
  auto r = eval_const_node(n, 15, {nullptr}, {std::vector<int64_t>{2, 3, 4}});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->front().as_ints(), (std::vector<int64_t>{3, 4}));
}

}  // namespace
}  // namespace h4h

namespace h4h {
namespace {

TEST(WeightSources, InitializerWithAbsentExternalDataNeedsOnlyItsDims) {
  test::ModelBuilder b;
  b.input("x", {-1, 8}).output("y");
  auto* w = b.mutable_model().mutable_graph()->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(8);
  w->add_dims(4);
  w->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = w->add_external_data();
  loc->set_key("location");
  loc->set_value("weights_that_do_not_exist.bin");
  b.node("MatMul", {"x", "w"}, {"y"});
  Workload wl = test::lower_all(b, 5);
  ASSERT_EQ(wl.kernels.size(), 1u);
  EXPECT_EQ(wl.kernels[0].cls, KernelClass::linear);
  EXPECT_EQ(wl.kernels[0].macs, 5 * 4 * 8);
  EXPECT_EQ(wl.total_params(), 32);
}

TEST(WeightSources, NamedDataInputsMakeOtherGraphInputsParameters) {
  test::ModelBuilder b;
  b.input("a", {-1, 4}).input("b", {-1, 4}).input("w", {4, 4}).output("y");
  b.node("Add", {"a", "b"}, {"s"});
  b.node("MatMul", {"s", "w"}, {"y"});
  Workload wl = test::lower_all(b, 2, {"a", "b"});
  EXPECT_EQ(test::find_op(wl, "Add")->input_elems, 2 * 2 * 4);  // both operands dynamic
  EXPECT_EQ(test::find_op(wl, "Linear")->weight_elems, 16);
}

}  // namespace
}  // namespace h4h
