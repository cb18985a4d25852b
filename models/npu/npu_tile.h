#pragma once
// NpuTile: systolic array + vector unit + double-buffered SRAMs, each fed by its own DMA
// engine over the shared bus. Blocking `run_*` calls are made from a scheduler thread and
// advance SystemC time; the cycle counts come from the plain cores (systolic_timing,
// vector_unit).
//
// A GEMM runs in SRAM-sized tiles: tile i+1's operands load while tile i computes, and
// tile i's outputs drain while tile i+1 computes. Operand traffic: if the filters fit in
// half the filter SRAM (or the ifmap in half the ifmap SRAM) each operand is read from
// memory once; otherwise the ifmap is re-read once per filter block (SCALE-Sim's
// double-buffered scratchpad makes the same trade).
#include <cstdint>

#include <systemc>

#include "models/dma/dma.h"
#include "models/npu/npu_params.h"
#include "models/npu/systolic_timing.h"
#include "models/npu/vector_unit.h"
#include "models/unit_result.h"

namespace h4h {


// A GEMM as the mapper planned it: `plan` is how one group folds onto the array (the shell
// executes it; it does not re-derive it), `groups` independent groups run one after another.
struct GemmJob {
  FoldPlan plan;
  int64_t groups = 1;
  int64_t elem_bytes = 1;
  int64_t ifmap_bytes = 0, filter_bytes = 0, ofmap_bytes = 0;
  uint64_t ifmap_addr = 0, filter_addr = 0, ofmap_addr = 0;
};

struct VectorJob {
  VectorOpMix mix;
  int64_t elements = 0;
  int64_t in_bytes = 0, out_bytes = 0;
  uint64_t in_addr = 0, out_addr = 0;
  bool gemm_on_lanes = false;  // a matmul placed on the vector unit: `elements` are MACs
};

class NpuTile : public sc_core::sc_module {
 public:
  NpuTile(sc_core::sc_module_name name, const NpuTileParams& p, Dma& array_dma, Dma& vector_dma);

  UnitResult run_gemm(const GemmJob& job);
  UnitResult run_vector(const VectorJob& job);
  sc_core::sc_time period() const { return period_; }
  const NpuTileParams& params() const { return p_; }

 private:
  // Streams `tiles` tiles: load (bytes_in), compute (cycles), store (bytes_out), double
  // buffered on `dma`. Returns the stall time.
  sc_core::sc_time pipeline(Dma& dma, int64_t tiles, int64_t load_bytes, uint64_t load_addr,
                            int64_t compute_cycles, int64_t store_bytes, uint64_t store_addr);

  NpuTileParams p_;
  Dma& array_dma_;
  Dma& vector_dma_;
  sc_core::sc_time period_;
};

}  // namespace h4h
