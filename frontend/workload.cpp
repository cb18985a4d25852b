#include "frontend/workload.h"

#include <algorithm>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {

const char* to_string(KernelClass c) {
  switch (c) {
    case KernelClass::conv: return "conv";
    case KernelClass::linear: return "linear";
    case KernelClass::matmul: return "matmul";
    case KernelClass::vector: return "vector";
    case KernelClass::pool: return "pool";
    case KernelClass::data_movement: return "data_movement";
  }
  return "?";
}

const std::vector<std::string>& gemm_ops_of(KernelClass c) {
  static const std::vector<std::string> conv = {"Conv"};
  // Linear: a MatMul/Gemm with a static weight (fuse_linear); an Einsum whose second operand
  // is static; a SCALE-Sim GEMM layer.
  static const std::vector<std::string> linear = {"Einsum", "Gemm", "Linear"};
  static const std::vector<std::string> matmul = {"Einsum", "Gemm", "MatMul"};
  static const std::vector<std::string> none;
  switch (c) {
    case KernelClass::conv: return conv;
    case KernelClass::linear: return linear;
    case KernelClass::matmul: return matmul;
    default: return none;
  }
}

int64_t Workload::total_macs() const {
  int64_t sum = 0;
  for (const auto& k : kernels) sum += k.macs;
  return sum;
}

int64_t Workload::operand_bytes(const std::vector<int>& ts, int64_t elems, const Kernel& k) const {
  int64_t tensor_elems = 0, bytes = 0;
  bool own_bits = false;
  for (int t : ts) {
    const Tensor& tensor = tensors[static_cast<size_t>(t)];
    tensor_elems += tensor.elems;
    bytes += tensor_bytes(tensor);
    own_bits |= tensor.bits > 0;
  }
  if (!own_bits || ts.empty() || tensor_elems != elems)
    return bytes_at(elems, activation_bits_of(k));
  return bytes;
}

int64_t Workload::total_params() const {
  int64_t sum = 0;
  for (const auto& k : kernels) sum += k.param_elems;
  return sum;
}

void link_tensors(Workload& w) {
  for (auto& t : w.tensors) {
    t.producer = -1;
    t.consumers.clear();
  }
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const int ki = static_cast<int>(i);
    for (int t : w.kernels[i].outputs) w.tensors.at(static_cast<size_t>(t)).producer = ki;
  }
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    Kernel& k = w.kernels[i];
    const int ki = static_cast<int>(i);
    for (int t : k.inputs) {
      Tensor& tensor = w.tensors.at(static_cast<size_t>(t));
      if (tensor.consumers.empty() || tensor.consumers.back() != ki) tensor.consumers.push_back(ki);
      const int p = tensor.producer;
      if (p >= 0 && std::find(k.producers.begin(), k.producers.end(), p) == k.producers.end())
        k.producers.push_back(p);
    }
  }
}

void check_workload_limits(const Workload& w) {
  int64_t macs = 0, elems = 0;
  for (const auto& k : w.kernels) {
    for (const auto& [what, v] :
         {std::pair{"MACs", k.macs}, std::pair{"weight elements", k.weight_elems},
          std::pair{"input elements", k.input_elems}, std::pair{"output elements", k.output_elems},
          std::pair{"vector operations", k.vector_ops}})
      if (v < 0 || v > kMaxWorkloadMacs)
        throw UserError(fmt::format("{}: kernel '{}' has {} {}: more than 2^50, h4hsim's limit",
                                    w.model, k.name, v, what));
    macs += k.macs;  // both sums are checked after every kernel: they stay below 2^53
    elems += k.weight_elems + k.input_elems + k.output_elems;
    if (macs > kMaxWorkloadMacs)
      throw UserError(
          fmt::format("{}: the network has more than 2^50 MACs (at kernel '{}'), h4hsim's limit",
                      w.model, k.name));
    if (elems > kMaxWorkloadElems)
      throw UserError(
          fmt::format("{}: the network moves more than 2^50 elements (at kernel '{}'), h4hsim's "
                      "limit",
                      w.model, k.name));
  }
}

}  // namespace h4h
