#pragma once
// The NPU SRAMs' banked ports: how many bytes a GEMM moves between each SRAM and the array
// edge, and the cycles the ports need for them. SCALE-Sim assumes SRAMs feed the array at
// whatever rate it asks; here each SRAM moves banks × bank_width bytes per cycle, and a job
// whose array edge asks for more is limited by the slowest port. The rate a dataflow asks
// for is even over a job's folds, so the bound is taken over the whole job.
#include <cstdint>

#include "models/npu/npu_params.h"

namespace h4h {

// Bytes between each SRAM and the array for one GEMM job (all groups). Per fold, with the
// full R × C array and T temporal steps:
//   OS: ifmap T·R read, filter T·C read, ofmap R·C written (results drained in place)
//   WS: filter R·C preloaded, ifmap T·R read, ofmap T·C partial sums written
//   IS: ifmap R·C preloaded, filter T·R read, ofmap T·C written
struct SramTraffic {
  int64_t ifmap_bytes = 0, filter_bytes = 0, ofmap_bytes = 0;
};
// Operand precision of a GEMM: activations (ifmap, ofmap) and weights (filter), in bits.
struct OperandBits {
  int64_t activation = 8, weight = 8;
};
SramTraffic gemm_sram_traffic(const SystolicArrayParams& array, const FoldPlan& plan,
                              int64_t groups, OperandBits bits);

// The cycles the busiest port needs: max over SRAMs of ⌈bytes / (banks · bank_width)⌉.
int64_t sram_port_cycles(const NpuTileParams& p, const SramTraffic& t);

// A GEMM job's array time: the fold plan's compute cycles at the PE's precision for the
// wider operand (models/npu/pe_precision), or the SRAM ports' bound when that is longer.
int64_t gemm_array_cycles(const NpuTileParams& p, const FoldPlan& plan, int64_t groups, OperandBits bits);

}  // namespace h4h
