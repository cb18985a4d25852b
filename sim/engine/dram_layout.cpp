#include "sim/engine/dram_layout.h"

#include <algorithm>

namespace h4h {

DramLayout layout_in_dram(const Workload& w) {
  DramLayout l;
  uint64_t next = 0;
  // An empty region still takes one aligned block, so no two regions share an address.
  auto take = [&](int64_t bytes) {
    const uint64_t a = next;
    next += (static_cast<uint64_t>(std::max<int64_t>(bytes, 1)) + kDramRegionAlignBytes - 1) /
            kDramRegionAlignBytes * kDramRegionAlignBytes;
    return a;
  };
  int64_t input_bytes = 0;
  for (const auto& k : w.kernels)
    if (k.producers.empty()) input_bytes = std::max(input_bytes, w.input_bytes(k));
  l.input_addr = take(input_bytes);
  l.weight_addr.resize(w.kernels.size());
  l.output_addr.resize(w.kernels.size());
  l.tensor_addr.assign(w.tensors.size(), l.input_addr);
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const Kernel& k = w.kernels[i];
    l.weight_addr[i] = take(w.weight_bytes(k));
    l.output_addr[i] = take(w.output_bytes(k));
    uint64_t offset = l.output_addr[i];
    for (int t : k.outputs) {
      l.tensor_addr[static_cast<size_t>(t)] = offset;
      offset += static_cast<uint64_t>(w.tensor_bytes(t));
    }
  }
  l.end_bytes = next;
  return l;
}

uint64_t DramLayout::input_addr_of(const Workload& w, int i) const {
  const Kernel& k = w.kernels[static_cast<size_t>(i)];
  return k.producers.empty() ? input_addr : output_addr[static_cast<size_t>(k.producers.front())];
}

}  // namespace h4h
