#include "sim/memory/tensor_plan.h"

#include <algorithm>

#include "sim/memory/arena.h"

namespace h4h {

const char* to_string(TensorHome h) {
  return h == TensorHome::global_buffer ? "global_buffer" : "dram";
}

bool is_view_kernel(const Kernel& k) { return k.cls == KernelClass::data_movement && !k.is_copy; }

TensorPlan plan_tensors(const Workload& w, const TensorPlanParams& p) {
  const size_t n = w.tensors.size();
  TensorPlan plan;
  plan.tensors.resize(n);
  // Storage of each tensor: a view's outputs share its (first) input's storage. Kernels come
  // in topological order, so the input's storage is already known.
  for (size_t t = 0; t < n; ++t) plan.tensors[t].storage = static_cast<int>(t);
  for (const Kernel& k : w.kernels)
    if (is_view_kernel(k) && k.inputs.size() == 1)
      for (int out : k.outputs) plan.tensors[out].storage = plan.tensors[k.inputs[0]].storage;

  // Per storage: life (first write to last read) and whether it must live in DRAM.
  struct Storage {
    int first = -1, last = -1;
    bool pinned = false;
    std::string why;
  };
  std::vector<Storage> st(n);
  for (size_t t = 0; t < n; ++t) {
    const Tensor& tensor = w.tensors[t];
    Storage& s = st[plan.tensors[t].storage];
    const int born = std::max(tensor.producer, 0);
    s.first = s.first < 0 ? born : std::min(s.first, born);
    s.last = std::max({s.last, born, tensor.consumers.empty() ? born : tensor.consumers.back()});
    if (tensor.producer < 0) {
      s.pinned = true;
      s.why = "network input";
    } else if (tensor.network_output && !s.pinned) {
      s.pinned = true;
      s.why = "network output";
    }
  }

  std::vector<int> placeable;  // storages the arena places
  std::vector<ArenaRequest> requests;
  if (p.activations_on_chip)
    for (size_t t = 0; t < n; ++t)
      if (plan.tensors[t].storage == static_cast<int>(t) && !st[t].pinned) {
        placeable.push_back(static_cast<int>(t));
        requests.push_back({w.tensors[t].bytes(w.bytes_per_elem), st[t].first, st[t].last});
      }
  const ArenaPlan arena = plan_arena(requests, p.global_buffer_bytes, p.alignment_bytes);
  std::vector<int64_t> offset(n, -1);
  for (size_t i = 0; i < placeable.size(); ++i) offset[placeable[i]] = arena.offset[i];
  plan.peak_bytes = arena.peak_bytes;
  plan.used_bytes = arena.used_bytes;

  for (size_t t = 0; t < n; ++t) {
    TensorPlacement& tp = plan.tensors[t];
    const Storage& s = st[tp.storage];
    tp.first_step = s.first;
    tp.last_step = s.last;
    if (!p.activations_on_chip) {
      tp.reason = "ablation";
    } else if (s.pinned) {
      tp.reason = s.why;
    } else if (offset[tp.storage] >= 0) {
      tp.home = TensorHome::global_buffer;
      tp.offset_bytes = offset[tp.storage];
      tp.reason = "on chip";
    } else {
      tp.reason = "spilled";
    }
  }
  return plan;
}

}  // namespace h4h
