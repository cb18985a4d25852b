#pragma once
// The global buffer's parameters, apart from the SystemC module so the arch config can embed
// them without pulling in SystemC.
#include <cstdint>

namespace h4h {

// Filled from the arch config (memory.global_buffer.*), whose declaration table holds the
// defaults. The buffer runs on the NPU clock (`clock_mhz` is copied from npu.clock_mhz).
struct GlobalBufferParams {
  int64_t capacity_kib = 0;
  int64_t banks = 0;
  int64_t bank_width_bytes = 0;  // bytes per bank per cycle
  double clock_mhz = 0;
  int64_t capacity_bytes() const { return capacity_kib * 1024; }
  int64_t bytes_per_cycle() const { return banks * bank_width_bytes; }
};

}  // namespace h4h
