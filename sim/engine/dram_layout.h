#pragma once
// DramLayout: where a run's tensors and weights live in DRAM. A bump allocator, 4 KiB
// aligned so each region starts a fresh DRAM row (realistic row and bank locality per
// tensor): first one region for the network inputs (sized for the largest), then, per
// kernel in network order, its weights and its outputs (all its output tensors, back to
// back). Plain C++, unit-tested; the engine asks it for addresses.
#include <cstdint>
#include <vector>

#include "frontend/workload.h"

namespace h4h {

constexpr uint64_t kDramRegionAlignBytes = 4096;

struct DramLayout {
  uint64_t input_addr = 0;               // the network inputs' region
  std::vector<uint64_t> weight_addr;     // per kernel
  std::vector<uint64_t> output_addr;     // per kernel: its first output
  std::vector<uint64_t> tensor_addr;     // per tensor (network inputs share input_addr)
  uint64_t end_bytes = 0;                // first byte past the last region

  // Where kernel `i` reads its inputs from: its first producer's outputs, or the network
  // inputs' region (kernels read their summed inputs as one stream).
  uint64_t input_addr_of(const Workload& w, int i) const;
};

DramLayout layout_in_dram(const Workload& w);

}  // namespace h4h
