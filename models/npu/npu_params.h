#pragma once
// The NPU tile's parameters, apart from the SystemC module so the arch config can embed them
// without pulling in SystemC.
#include <cstdint>

#include "models/npu/systolic_timing.h"
#include "models/npu/vector_unit.h"

namespace h4h {

struct NpuSramParams {
  int64_t ifmap_kib = 0, filter_kib = 0, ofmap_kib = 0;
  int64_t ifmap_banks = 0, filter_banks = 0, ofmap_banks = 0;
  int64_t bank_width_bytes = 0;  // per bank per NPU cycle, all three SRAMs (0: ideal ports)
};

// Filled from the arch config (npu.*), whose declaration table holds the defaults.
struct NpuTileParams {
  SystolicArrayParams array;
  // The PE's native operand width (bits). Operands of b bits take ceil(b / pe)^2 passes
  // when wider (partial products: 16-bit on an 8-bit PE is 4 cycles per MAC) and give
  // (pe / b)^2 products per cycle when narrower (Bit Fusion's bit-brick fusion, Sharma et
  // al. ISCA'18: a 16-bit PE does four 8-bit MACs). models/npu/pe_precision.h.
  int64_t precision_bits = 0;
  VectorUnitTiming vector;
  double clock_mhz = 0;
  NpuSramParams sram;

  int64_t ifmap_sram_bytes() const { return sram.ifmap_kib * 1024; }
  int64_t filter_sram_bytes() const { return sram.filter_kib * 1024; }
  int64_t ofmap_sram_bytes() const { return sram.ofmap_kib * 1024; }
};

}  // namespace h4h
