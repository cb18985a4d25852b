// Quantized ONNX (frontend/quantized.h): real QDQ and QOperator exports (tests/data/quantized,
// see its README for where each comes from) load as the float network they quantize, with
// every tensor and weight at the width the model stores it; and the opset range the loader
// reads (conversion of old opsets, newer ones read as 17 when no op changed meaning).
#include "frontend/quantized.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>

#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "tests/frontend/frontend_test_util.h"
#include "tests/user_error_of.h"

namespace h4h {
namespace {

Workload quantized(const std::string& name, int64_t batch = 0) {
  FrontendOptions o;
  o.batch = batch;
  return load_onnx_workload(test::source_path("tests/data/quantized/" + name), o);
}

int count_op(const Workload& w, const std::string& op) {
  int n = 0;
  for (const auto& k : w.kernels) n += k.op == op;
  return n;
}

// A conv's weights + biases: ⌈elements × bits / 8⌉.
int64_t conv_weight_bytes(int64_t cout, int64_t cin, int64_t kh, int64_t kw, int bits) {
  return (cout * cin * kh * kw + cout) * bits / 8;
}

TEST(QuantizedOnnx, QdqPairsVanishAndTheirTensorsTakeTheQuantizersWidth) {
  // ONNX Runtime's QDQ excerpt of MobileNetEdgeTPU: 6 convs and 3 residual adds between 30
  // Q/DQ nodes (uint8); its uint16 twin (opset 21) is the same network at 16 bits.
  const Workload w8 = quantized("qdq_with_multi_consumer_dq_nodes.onnx");
  const Workload w16 = quantized("qdq_with_multi_consumer_dq_nodes.fixed.qdq16.onnx");
  for (const Workload* w : {&w8, &w16}) {
    EXPECT_EQ(w->kernels.size(), 9u);
    EXPECT_EQ(count_op(*w, "Conv"), 6);
    EXPECT_EQ(count_op(*w, "Add"), 3);
    EXPECT_EQ(count_op(*w, "QuantizeLinear") + count_op(*w, "DequantizeLinear"), 0);
  }
  EXPECT_EQ(w8.total_macs(), w16.total_macs());
  EXPECT_EQ(w8.total_params(), w16.total_params());
  int64_t bytes8 = 0, bytes16 = 0;
  for (size_t i = 0; i < w8.kernels.size(); ++i) {
    const Kernel& a = w8.kernels[i];
    const Kernel& b = w16.kernels[i];
    SCOPED_TRACE(a.name);
    if (a.op == "Conv") {
      EXPECT_EQ(a.weight_bits, 8);
      EXPECT_EQ(b.weight_bits, 16);
      EXPECT_EQ(a.activation_bits, 8);
      EXPECT_EQ(b.activation_bits, 16);
    }
    bytes8 += w8.weight_bytes(a);
    bytes16 += w16.weight_bytes(b);
  }
  EXPECT_EQ(2 * bytes8, bytes16);
  for (const auto& t : w16.tensors)  // the network's float output is the config's to store
    if (!t.network_output) {
      EXPECT_EQ(t.bits, 16) << t.name;
    }
}

TEST(QuantizedOnnx, IntegerWeightsKeepTheirOwnWidthThroughDequantizeLinear) {
  // int8 per-channel weights and an int32 bias, both behind DequantizeLinear (a PyTorch
  // export quantized by ONNX Runtime): 32 x 3 x 3 x 3, pads 2 on a 24 x 24 input.
  const Workload s8 = quantized("conv_qdq_s8s8_perchannel.onnx");
  ASSERT_EQ(s8.kernels.size(), 1u);
  const Kernel& c = s8.kernels[0];
  EXPECT_EQ(c.macs, int64_t{32} * 26 * 26 * 3 * 9);
  EXPECT_EQ(c.weight_bits, 8);
  EXPECT_EQ(s8.weight_bytes(c), conv_weight_bytes(32, 3, 3, 3, 8));
  EXPECT_EQ(s8.total_params(), 32 * 3 * 9 + 32);  // the integer weights are the parameters
  // INT4 weights (ONNX type 22, opset 21; Debian's ONNX 1.12 has no name for either).
  const Workload i4 = quantized("conv.int4_weights.qdq.onnx");
  ASSERT_EQ(i4.kernels.size(), 1u);
  EXPECT_EQ(i4.kernels[0].weight_bits, 4);
  EXPECT_EQ(i4.kernels[0].activation_bits, 8);
  EXPECT_EQ(i4.weight_bytes(i4.kernels[0]), conv_weight_bytes(5, 3, 3, 3, 4));
  // Q/DQ of ONNX Runtime's contrib domain are the same ops.
  const Workload contrib = quantized("constant_folding_dequantizelinear.qdq_contrib.onnx");
  ASSERT_EQ(contrib.kernels.size(), 1u);
  EXPECT_EQ(contrib.kernels[0].op, "Conv");
  EXPECT_EQ(contrib.kernels[0].weight_bits, 8);
}

TEST(QuantizedOnnx, QOperatorOpsLowerAsTheFloatOpOnTheirDataOperands) {
  // ONNX's backend node tests (opset 10, converted to 11 by ONNX's version converter).
  const Workload conv = quantized("test_qlinearconv.onnx");
  ASSERT_EQ(conv.kernels.size(), 1u);
  EXPECT_EQ(conv.kernels[0].op, "Conv");
  EXPECT_EQ(conv.kernels[0].macs, 7 * 7);  // 1x1x7x7 input, one 1x1 filter
  EXPECT_EQ(conv.tensors[conv.kernels[0].outputs[0]].bits, 8);
  const Workload padded = quantized("test_convinteger_with_padding.onnx");
  ASSERT_EQ(padded.kernels.size(), 1u);
  EXPECT_EQ(padded.kernels[0].macs, 2 * 4 * 4 * 2 * 2);  // 3x3 input, pads 1, two 2x2 filters
  // The integer ops' accumulators are int32: 16 + 16 outputs at 4 bytes.
  EXPECT_EQ(padded.tensors[padded.kernels[0].outputs[0]].bits, 32);
  EXPECT_EQ(padded.output_bytes(padded.kernels[0]), 2 * 4 * 4 * 4);
  const Workload mm = quantized("test_matmulinteger.onnx");
  ASSERT_EQ(mm.kernels.size(), 1u);
  EXPECT_EQ(mm.kernels[0].macs, 4 * 3 * 2);
  EXPECT_EQ(mm.output_bytes(mm.kernels[0]), 4 * 2 * 4);
  // QLinearMatMul at opset 21, read as 17.
  const Workload qmm = quantized("test_qlinearmatmul_2D_uint8_float32.onnx");
  ASSERT_EQ(qmm.kernels.size(), 1u);
  EXPECT_EQ(qmm.kernels[0].macs, 2 * 4 * 3);
}

TEST(QuantizedOnnx, OnnxRuntimeContribOpsLowerAsTheirFloatOps) {
  const Workload add = quantized("qlinearadd_test.onnx");
  ASSERT_EQ(add.kernels.size(), 1u);
  EXPECT_EQ(add.kernels[0].op, "Add");
  EXPECT_EQ(add.kernels[0].cls, KernelClass::vector);
  const Workload pool = quantized("qlinearglobalavgpool_test.onnx");
  ASSERT_EQ(pool.kernels.size(), 1u);
  EXPECT_EQ(pool.kernels[0].op, "GlobalAveragePool");
  EXPECT_EQ(pool.kernels[0].output_shape, (Shape{1, 3, 1, 1}));
  const Workload concat = quantized("qlinearconcat_test.onnx");  // opset 19
  ASSERT_EQ(concat.kernels.size(), 1u);
  EXPECT_EQ(concat.kernels[0].op, "Concat");
  EXPECT_EQ(concat.kernels[0].output_shape, (Shape{5}));
}

TEST(QuantizedOnnx, DynamicQuantizationKeepsItsQuantizerAndInt32Accumulators) {
  // DynamicQuantizeLinear → 3 MatMulInteger (int32) → Cast → Mul (ONNX Runtime, opset 19).
  const Workload w = quantized("matmul_integer_to_float.onnx");
  EXPECT_EQ(count_op(w, "DynamicQuantizeLinear"), 1);
  int gemms = 0;
  for (const auto& k : w.kernels) {
    if (k.cls != KernelClass::linear && k.cls != KernelClass::matmul) continue;
    ++gemms;
    EXPECT_EQ(w.tensors[k.outputs[0]].bits, 32) << k.name;
    EXPECT_EQ(k.activation_bits, 8) << k.name;
  }
  EXPECT_EQ(gemms, 3);
  const Workload single = quantized("test_dynamicquantizelinear.onnx");
  ASSERT_EQ(single.kernels.size(), 1u);
  EXPECT_EQ(single.kernels[0].cls, KernelClass::vector);
}

TEST(QuantizedOnnx, AChannelsLastContribPoolIsAnErrorNamingTheNode) {
  test::ModelBuilder b(13);
  b.input("x", {1, 4, 4, 3}, onnx::TensorProto::UINT8).output("y");
  b.const_float("s", 0.1f);
  auto& n = b.node("QLinearGlobalAveragePool", {"x", "s", "", "s", ""}, {"y"}, "gap");
  n.set_domain("com.microsoft");
  test::ModelBuilder::attr_int(n, "channels_last", 1);
  auto* imp = b.mutable_model().add_opset_import();
  imp->set_domain("com.microsoft");
  imp->set_version(1);
  const std::string msg = test::user_error_of([&] { test::lower_all(b); });
  EXPECT_NE(msg.find("node 'gap' (QLinearGlobalAveragePool): channels_last = 1"), std::string::npos)
      << msg;
}

TEST(QuantizedOnnx, AQuantizerWithAnotherReaderThanDequantizeStays) {
  // Q(x) read by DQ and by a Relu of its integer values: the Q is real work, not a width.
  test::ModelBuilder b(13);
  b.input("x", {1, 8}).output("y").output("z");
  b.const_float("s", 0.1f);
  b.node("QuantizeLinear", {"x", "s"}, {"q"});
  b.node("DequantizeLinear", {"q", "s"}, {"y"});
  b.node("Relu", {"q"}, {"z"});
  b.mutable_model()
      .mutable_graph()
      ->mutable_output(1)
      ->mutable_type()
      ->mutable_tensor_type()
      ->set_elem_type(onnx::TensorProto::UINT8);
  const Workload w = test::lower_all(b);
  EXPECT_EQ(count_op(w, "QuantizeLinear"), 1);
  EXPECT_EQ(count_op(w, "DequantizeLinear"), 1);
}

TEST(OnnxOpsets, OldOpsetsAreConvertedAndNewerOnesReadWhenNoOpChangedMeaning) {
  // Opset 9 (Clip with min/max attributes): ONNX's converter rewrites it for opset 11.
  test::ModelBuilder old(9);
  old.input("x", {1, 8}).output("y");
  auto& clip = old.node("Clip", {"x"}, {"y"});
  test::ModelBuilder::attr_float(clip, "min", 0.0f);
  test::ModelBuilder::attr_float(clip, "max", 6.0f);
  const Workload w = test::lower_all(old);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].op, "Clip");
  // Opset 19 with only unchanged ops reads as 17; Resize changed in 18 and 19.
  test::ModelBuilder new_ok(19);
  new_ok.input("x", {1, 8}).output("y");
  new_ok.node("Relu", {"x"}, {"y"});
  EXPECT_EQ(test::lower_all(new_ok).kernels.size(), 1u);
  test::ModelBuilder changed(19);
  changed.input("x", {1, 3, 4, 4}).output("y");
  changed.const_ints("sizes", {1, 3, 8, 8});
  changed.node("Resize", {"x", "", "", "sizes"}, {"y"}, "up");
  EXPECT_EQ(test::user_error_of([&] { test::lower_all(changed); }),
            "tiny.onnx: opset 19: node 'up' (Resize) changed meaning after opset 17, the newest "
            "that Debian's ONNX "
            "1.12 reads; re-export with opset_version 17");
  for (int opset : {6, 26}) {
    test::ModelBuilder b(opset);
    b.input("x", {1, 8}).output("y");
    b.node("Relu", {"x"}, {"y"});
    EXPECT_NE(test::user_error_of([&] { test::lower_all(b); })
                  .find(fmt::format(
                      "tiny.onnx: opset {} is not supported (h4hsim reads opsets 11-17", opset)),
              std::string::npos);
  }
}

TEST(QuantizedOnnx, IntegerTypeWidths) {
  EXPECT_EQ(integer_dtype_bits(onnx::TensorProto::INT8), 8);
  EXPECT_EQ(integer_dtype_bits(onnx::TensorProto::UINT16), 16);
  EXPECT_EQ(integer_dtype_bits(onnx::TensorProto::INT32), 32);
  EXPECT_EQ(integer_dtype_bits(22), 4);  // INT4
  EXPECT_EQ(integer_dtype_bits(onnx::TensorProto::FLOAT), 0);
}

}  // namespace
}  // namespace h4h
