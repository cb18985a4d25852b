#include "frontend/workload_report.h"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace h4h {
namespace {

std::string shape_text(const Shape& s) { return fmt::format("[{}]", fmt::join(s, "x")); }

// 12345678 -> "12,345,678": MAC counts are compared digit by digit against papers.
std::string grouped(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int pos = static_cast<int>(s.size()) - 3; pos > 0; pos -= 3) s.insert(pos, ",");
  return v < 0 ? "-" + s : s;
}

}  // namespace

nlohmann::json workload_to_json(const Workload& w) {
  nlohmann::json j;
  j["model"] = w.model;
  j["batch"] = w.batch;
  j["bytes_per_elem"] = w.activation_bytes_per_elem();
  j["activation_bits"] = w.activation_bits;
  j["weight_bits"] = w.weight_bits;
  j["total_macs"] = w.total_macs();
  j["total_params"] = w.total_params();
  int64_t weight_bytes = 0;
  for (const auto& k : w.kernels) weight_bytes += w.weight_bytes(k);
  j["total_weight_bytes"] = weight_bytes;
  j["kernel_count"] = w.kernels.size();
  nlohmann::json ks = nlohmann::json::array();
  for (const auto& k : w.kernels) {
    nlohmann::json e;
    e["name"] = k.name;
    e["class"] = to_string(k.cls);
    e["op"] = k.op;
    if (!k.activation.empty()) e["activation"] = k.activation;
    if (!k.tag.empty()) e["tag"] = k.tag;
    e["shape"] = k.output_shape;
    e["macs"] = k.macs;
    e["params"] = k.param_elems;
    e["weight_bits"] = w.weight_bits_of(k);
    e["activation_bits"] = w.activation_bits_of(k);
    e["weight_bytes"] = w.weight_bytes(k);
    e["input_bytes"] = w.input_bytes(k);
    e["output_bytes"] = w.output_bytes(k);
    if (k.cls == KernelClass::vector || k.cls == KernelClass::pool) e["vector_ops"] = k.vector_ops;
    if (k.cls == KernelClass::data_movement) e["is_copy"] = k.is_copy;
    if (k.cls == KernelClass::conv) {
      e["conv"] = {{"in_channels", k.conv.in_channels}, {"out_channels", k.conv.out_channels},
                   {"in_h", k.conv.in_h},               {"in_w", k.conv.in_w},
                   {"out_h", k.conv.out_h},             {"out_w", k.conv.out_w},
                   {"kernel_h", k.conv.kernel_h},       {"kernel_w", k.conv.kernel_w},
                   {"stride_h", k.conv.stride_h},       {"stride_w", k.conv.stride_w},
                   {"groups", k.conv.groups}};
    }
    if (k.cls == KernelClass::conv || k.cls == KernelClass::linear || k.cls == KernelClass::matmul)
      e["gemm"] = {{"batch", k.gemm.batch}, {"m", k.gemm.m}, {"n", k.gemm.n}, {"k", k.gemm.k}};
    nlohmann::json prod = nlohmann::json::array();
    for (int p : k.producers) prod.push_back(w.kernels[p].name);
    e["producers"] = prod;
    ks.push_back(std::move(e));
  }
  j["kernels"] = std::move(ks);
  return j;
}

std::string workload_table(const Workload& w) {
  std::string out = fmt::format("{:<40} {:<13} {:<18} {:<20} {:>15} {:>12} {:>12} {:>12}\n",
                                "kernel", "class", "op", "output shape", "MACs", "weight B",
                                "input B", "output B");
  int64_t wb = 0, ib = 0, ob = 0;
  for (const auto& k : w.kernels) {
    std::string op = k.op + (k.activation.empty() ? "" : "+" + k.activation);
    if (k.cls == KernelClass::data_movement && !k.is_copy) op += " (view)";
    std::string name = k.name.size() > 40 ? "…" + k.name.substr(k.name.size() - 39) : k.name;
    out += fmt::format("{:<40} {:<13} {:<18} {:<20} {:>15} {:>12} {:>12} {:>12}\n", name,
                       to_string(k.cls), op, shape_text(k.output_shape), grouped(k.macs),
                       grouped(w.weight_bytes(k)), grouped(w.input_bytes(k)),
                       grouped(w.output_bytes(k)));
    wb += w.weight_bytes(k);
    ib += w.input_bytes(k);
    ob += w.output_bytes(k);
  }
  // A quantized model states its own widths; the defaults cover the rest.
  std::map<int, int64_t> tensor_widths, weight_widths;
  for (const auto& t : w.tensors)
    if (t.bits > 0) ++tensor_widths[t.bits];
  for (const auto& k : w.kernels)
    if (k.weight_bits > 0 && k.weight_elems > 0) ++weight_widths[k.weight_bits];
  auto widths = [](const std::map<int, int64_t>& m) {
    std::string s;
    for (const auto& [bits, n] : m)
      s += fmt::format("{}{} at {} bits", s.empty() ? "" : ", ", n, bits);
    return s;
  };
  out += fmt::format("\nmodel {}  batch {}  kernels {}  bits: activations {}, weights {}{}\n",
                     w.model, w.batch, w.kernels.size(), w.activation_bits, w.weight_bits,
                     tensor_widths.empty() && weight_widths.empty()
                         ? ""
                         : fmt::format(" (the model's own: tensors {}; weights {})",
                                       tensor_widths.empty() ? "none" : widths(tensor_widths),
                                       weight_widths.empty() ? "none" : widths(weight_widths)));
  out += fmt::format("total MACs {}  params {}  weight bytes {}\n", grouped(w.total_macs()),
                     grouped(w.total_params()), grouped(wb));
  return out;
}

}  // namespace h4h
