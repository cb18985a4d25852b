#include "sim/engine/fusion.h"

#include <algorithm>
#include <set>
#include <string>

namespace h4h {

bool is_fusable_epilogue_op(const std::string& op) {
  static const std::set<std::string> ops = {
      "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Relu", "Clip", "Max", "Min", "LeakyRelu",
      "PRelu", "Sqrt", "Reciprocal", "Exp", "Log", "Erf", "Sigmoid", "Tanh", "SiLU",
      "HardSigmoid", "HardSwish", "GELU", "Elu", "Selu", "Softplus", "BatchNormalization",
      "LayerNorm", "QuantizeLinear", "DequantizeLinear"};
  return ops.count(op) != 0;
}

int FusionPlan::fused_count() const {
  int n = 0;
  for (size_t k = 0; k < head.size(); ++k) n += head[k] != static_cast<int>(k);
  return n;
}

FusionPlan plan_fusion(const Workload& w, const Mapping& m, bool enabled) {
  const int n = static_cast<int>(w.kernels.size());
  FusionPlan f;
  f.head.resize(n);
  for (int k = 0; k < n; ++k) f.head[k] = k;
  f.members.assign(n, {});
  f.fused_tensor.assign(w.tensors.size(), 0);
  if (!enabled) return f;
  for (int k = 0; k < n; ++k) {
    const Kernel& kk = w.kernels[k];
    if (m.kernels[k].unit != Unit::vector || kk.cls != KernelClass::vector ||
        !is_fusable_epilogue_op(kk.op) || kk.outputs.size() != 1)
      continue;
    // The chain tensor: an input written by the last kernel of a GEMM's group (NPU or CIM).
    int chain = -1, h = -1;
    for (int t : kk.inputs) {
      const Tensor& tensor = w.tensors[t];
      const int p = tensor.producer;
      if (p < 0 || tensor.network_output || tensor.consumers.size() != 1) continue;
      const int ph = f.head[p];
      if (m.kernels[ph].unit != Unit::npu && m.kernels[ph].unit != Unit::cim) continue;
      const int last = f.members[ph].empty() ? ph : f.members[ph].back();
      if (last != p) continue;
      // Read once: an operand listed twice (x * x) is two reads of an unstored tile.
      if (std::count(kk.inputs.begin(), kk.inputs.end(), t) != 1) continue;
      chain = t;
      h = ph;
      break;
    }
    if (chain < 0) continue;
    if (kk.output_elems != w.kernels[h].output_elems) continue;
    bool others_ready = true;
    for (int t : kk.inputs)
      if (t != chain && w.tensors[t].producer >= h) others_ready = false;
    // Ordering-only dependencies (SCALE-Sim) must be met when the head starts, too.
    for (int p : kk.producers)
      if (p != w.tensors[chain].producer && p >= h && f.head[p] != h) others_ready = false;
    if (!others_ready) continue;
    f.head[k] = h;
    f.members[h].push_back(k);
    f.fused_tensor[chain] = 1;
  }
  return f;
}

}  // namespace h4h
