#pragma once
// Quantized ONNX in the terms h4hsim simulates: integer tensors of a given width flowing
// through the ops it already lowers. Both formats ONNX Runtime's quantizer and PyTorch's
// exporter write are read:
// - QDQ: QuantizeLinear → DequantizeLinear pairs around float ops, and DequantizeLinear of
//   integer weights. A pair only says "this tensor is stored at N bits" (the hardware
//   requantizes in the producer's epilogue), so it is removed and the tensor takes the
//   Q's output width; a DequantizeLinear of an integer initializer is removed and the
//   weight keeps its own width.
// - QOperator: QLinearConv, QLinearMatMul, MatMulInteger, ConvInteger and ONNX Runtime's
//   com.microsoft QLinearAdd/Mul/Concat/AveragePool/GlobalAveragePool/LeakyRelu/Sigmoid/
//   Softmax and QGemm become the float op on their data operands (scales and zero points
//   are immediates of the requantization, not data).
// What is left — a QuantizeLinear of the float network input, a DequantizeLinear of the
// int8 output, DynamicQuantizeLinear — stays an elementwise op on the vector unit.
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "onnx/onnx_pb.h"

namespace h4h {

struct QuantizedFacts {
  // Storage bits of tensors the model quantizes (activations and weights), by name; 0 for
  // a float result of a rewritten op (the config's precision applies).
  std::unordered_map<std::string, int> bits;
  // Integer initializers that are the network's weights and biases (counted as learnable
  // parameters, as their float originals were).
  std::unordered_set<std::string> params;
  int removed_nodes = 0;    // Q/DQ nodes dropped
  int rewritten_nodes = 0;  // QLinear*/…Integer ops rewritten to float ops
};

// Bits of an ONNX element type when it is an integer one (INT4 … INT64), else 0.
int integer_dtype_bits(int32_t onnx_dtype);

// Rewrites `m` in place (nodes must be topologically sorted); UserError naming the node for
// a quantized op it cannot express (e.g. a channels-last pooling).
QuantizedFacts dequantize_model(onnx::ModelProto& m, const std::string& origin);

}  // namespace h4h
