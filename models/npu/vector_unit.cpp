#include "models/npu/vector_unit.h"

#include <map>

namespace h4h {

VectorOpMix vector_op_mix(const std::string& op, bool* known) {
  // Per element; derivations in comments. Reductions count their combine step per input
  // element (the kernel's vector_ops already counts input elements for them).
  static const std::map<std::string, VectorOpMix> table = {
      {"Add", {1, 0, 0, 0, 0, 0}},         {"Sub", {1, 0, 0, 0, 0, 0}},
      {"Mul", {0, 1, 0, 0, 0, 0}},         {"Div", {0, 0, 0, 0, 1, 0}},
      {"Neg", {1, 0, 0, 0, 0, 0}},         {"Abs", {0, 0, 1, 0, 0, 0}},
      {"Relu", {0, 0, 1, 0, 0, 0}},        {"Clip", {0, 0, 2, 0, 0, 0}},
      {"Max", {0, 0, 1, 0, 0, 0}},         {"Min", {0, 0, 1, 0, 0, 0}},
      {"LeakyRelu", {0, 1, 1, 0, 0, 0}},   {"PRelu", {0, 1, 1, 0, 0, 0}},
      {"Sqrt", {0, 0, 0, 0, 0, 1}},        {"Reciprocal", {0, 0, 0, 0, 1, 0}},
      {"Exp", {0, 0, 0, 1, 0, 0}},         {"Log", {0, 0, 0, 1, 0, 0}},
      {"Pow", {0, 1, 0, 0, 0, 0}},         // x² in every exported network we read
      {"Erf", {1, 4, 0, 1, 0, 0}},         // polynomial × exp (Abramowitz–Stegun 7.1.26)
      {"Sigmoid", {1, 0, 0, 1, 1, 0}},     // 1 / (1 + e^−x)
      {"Tanh", {2, 0, 0, 1, 1, 0}},        // (e^2x − 1) / (e^2x + 1)
      {"SiLU", {1, 1, 0, 1, 1, 0}},        // x · sigmoid(x)
      {"HardSigmoid", {1, 1, 2, 0, 0, 0}}, // clamp(αx + β)
      {"HardSwish", {1, 2, 2, 0, 0, 0}},   // x · hardsigmoid(x)
      {"GELU", {2, 6, 0, 1, 0, 0}},        // x/√2, erf, +1, ·x, ·½
      {"Elu", {1, 1, 1, 1, 0, 0}},         {"Selu", {1, 2, 1, 1, 0, 0}},
      {"Softplus", {1, 0, 0, 2, 0, 0}},    // log(1 + e^x)
      {"Softmax", {2, 0, 1, 1, 1, 0}},     // max, x − max, exp, Σ, ÷ Σ
      {"LogSoftmax", {3, 0, 1, 2, 0, 0}},
      {"LayerNorm", {4, 3, 0, 0, 0, 0}},   // Σx, x − μ, (x − μ)², Σ, ·rsqrt, ·γ, + β
      {"BatchNormalization", {1, 1, 0, 0, 0, 0}},
      {"InstanceNormalization", {4, 3, 0, 0, 0, 0}},
      {"ReduceMean", {1, 0, 0, 0, 0, 0}},  {"ReduceSum", {1, 0, 0, 0, 0, 0}},
      {"ReduceMax", {0, 0, 1, 0, 0, 0}},
      {"MaxPool", {0, 0, 1, 0, 0, 0}},     {"GlobalMaxPool", {0, 0, 1, 0, 0, 0}},
      {"AveragePool", {1, 0, 0, 0, 0, 0}}, {"GlobalAveragePool", {1, 0, 0, 0, 0, 0}},
      {"Where", {0, 0, 1, 0, 0, 0}},       {"Equal", {1, 0, 0, 0, 0, 0}},
      {"Less", {1, 0, 0, 0, 0, 0}},        {"Greater", {1, 0, 0, 0, 0, 0}},
      {"Not", {1, 0, 0, 0, 0, 0}},         {"Cast", {1, 0, 0, 0, 0, 0}},
      {"Floor", {1, 0, 0, 0, 0, 0}},       {"Ceil", {1, 0, 0, 0, 0, 0}},
      {"Resize", {2, 2, 0, 0, 0, 0}},      // bilinear: two lerps
      {"QuantizeLinear", {1, 1, 2, 0, 0, 0}},    // x · (1/scale), round, + zero point, clamp
      {"DequantizeLinear", {1, 1, 0, 0, 0, 0}},  // (x − zero point) · scale
      {"DynamicQuantizeLinear", {2, 1, 4, 0, 1, 0}},  // min, max, scale = range / 255, then quantize
  };
  auto it = table.find(op);
  if (known) *known = it != table.end();
  if (it == table.end()) return VectorOpMix{1, 0, 0, 0, 0, 0};
  return it->second;
}

VectorOpMix vector_row_mix(const std::string& op) {
  if (op == "LayerNorm" || op == "InstanceNormalization") return VectorOpMix{0, 0, 0, 0, 1, 1};
  return VectorOpMix{};
}

int64_t vector_cycles(const VectorUnitTiming& t, const VectorOpMix& mix, int64_t elements) {
  if (elements <= 0) return 0;
  const int64_t issues = (elements + t.lanes - 1) / t.lanes;
  const int64_t per_issue = mix.add * t.add_cycles + mix.mul * t.mul_cycles +
                            mix.max * t.max_cycles + mix.exp * t.exp_cycles +
                            mix.div * t.div_cycles + mix.sqrt * t.sqrt_cycles;
  return issues * per_issue;
}

}  // namespace h4h
