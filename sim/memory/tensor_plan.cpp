#include "sim/memory/tensor_plan.h"

#include <algorithm>

#include "sim/memory/arena.h"

namespace h4h {

const char* to_string(TensorHome h) {
  return h == TensorHome::global_buffer ? "global_buffer" : h == TensorHome::dram ? "dram" : "none";
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
    auto step = [&](int k) { return p.kernel_step.empty() ? k : p.kernel_step[k]; };
    auto start = [&](int k) {
      return p.kernel_start_step.empty() ? step(k) : p.kernel_start_step[k];
    };
    const int born = tensor.producer < 0 ? 0 : start(tensor.producer);
    int last_read = born;
    for (int c : tensor.consumers) last_read = std::max(last_read, step(c));
    s.first = s.first < 0 ? born : std::min(s.first, born);
    s.last = std::max({s.last, born, last_read});
    if (p.network_io_on_chip) continue;
    if (tensor.producer < 0) {
      s.pinned = true;
      s.why = "network input";
    } else if (tensor.network_output && !s.pinned) {
      s.pinned = true;
      s.why = "network output";
    }
  }

  auto fused = [&](size_t t) { return !p.fused_tensor.empty() && p.fused_tensor[t]; };
  // What spilling each storage would cost: one write, and every read of every tensor in it.
  std::vector<int64_t> reads(n, 0);
  for (size_t t = 0; t < n; ++t)
    for (int c : w.tensors[t].consumers) {
      int64_t times = 0;  // the kernel may list the tensor more than once
      for (int in : w.kernels[c].inputs) times += in == static_cast<int>(t);
      const int64_t per = p.input_reads.empty() ? 1 : std::max<int64_t>(p.input_reads[c], 1);
      reads[plan.tensors[t].storage] += times * per;
    }
  std::vector<int> placeable;  // storages the arena places
  std::vector<ArenaRequest> requests;
  if (p.activations_on_chip)
    for (size_t t = 0; t < n; ++t)
      if (plan.tensors[t].storage == static_cast<int>(t) && !st[t].pinned && !fused(t)) {
        placeable.push_back(static_cast<int>(t));
        const int64_t bytes = w.tensor_bytes(w.tensors[t]);
        requests.push_back({bytes, st[t].first, st[t].last, bytes * (1 + reads[t])});
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
    if (fused(t)) {
      tp.home = TensorHome::none;
      tp.reason = "fused";
    } else if (!p.activations_on_chip) {
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

std::vector<std::vector<int>> buffer_reuse_dependencies(const Workload& w, const TensorPlan& plan) {
  const size_t n = w.tensors.size();
  // Per on-chip storage: its byte range, writer and every kernel touching it.
  struct Region {
    int storage;
    int64_t begin, end;
    int first_step, last_step;
    std::vector<int> users;
  };
  std::vector<int> region_of(n, -1);
  std::vector<Region> regions;
  for (size_t t = 0; t < n; ++t) {
    const TensorPlacement& tp = plan.tensors[t];
    if (tp.home != TensorHome::global_buffer || tp.storage != static_cast<int>(t)) continue;
    region_of[t] = static_cast<int>(regions.size());
    regions.push_back({static_cast<int>(t), tp.offset_bytes,
                       tp.offset_bytes + w.tensor_bytes(w.tensors[t]), tp.first_step,
                       tp.last_step, {}});
  }
  for (size_t t = 0; t < n; ++t) {
    const TensorPlacement& tp = plan.tensors[t];
    if (tp.home != TensorHome::global_buffer) continue;
    Region& r = regions[region_of[tp.storage]];
    if (w.tensors[t].producer >= 0) r.users.push_back(w.tensors[t].producer);
    for (int c : w.tensors[t].consumers) r.users.push_back(c);
  }
  std::vector<std::vector<int>> deps(w.kernels.size());
  for (const Region& later : regions) {
    const int writer = w.tensors[later.storage].producer;
    if (writer < 0) continue;
    for (const Region& earlier : regions)
      if (earlier.last_step < later.first_step && earlier.begin < later.end &&
          later.begin < earlier.end)
        for (int u : earlier.users)
          if (u != writer) deps[writer].push_back(u);
  }
  for (auto& d : deps) {
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
  }
  return deps;
}

}  // namespace h4h
