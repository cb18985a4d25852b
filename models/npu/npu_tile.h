#pragma once
// NpuTile: systolic array + vector unit + double-buffered SRAMs, each fed by its own DMA
// engine over the shared bus. Blocking `run_*` calls are made from a scheduler thread and
// advance SystemC time; the cycle counts come from the plain cores (systolic_timing,
// vector_unit).
//
// A GEMM runs in SRAM-sized tiles: tile i+1's operands load while tile i computes, and
// tile i's outputs drain while tile i+1 computes. Operand traffic (gemm_traffic): if the
// filters fit in half the filter SRAM (or the ifmap in half the ifmap SRAM) each operand is
// read from memory once; otherwise the ifmap is re-read once per filter block (SCALE-Sim's
// double-buffered scratchpad makes the same trade). Each tile loads its share of every
// load stream and stores its share of every store stream; a stream's address says whether
// it is in DRAM or in the global buffer (models/dma).
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/dma/dma.h"
#include "models/npu/npu_params.h"
#include "models/npu/sram_ports.h"
#include "models/npu/systolic_timing.h"
#include "models/npu/vector_unit.h"
#include "models/unit_result.h"

namespace h4h {


// A GEMM as the mapper planned it: `plan` is how one group folds onto the array (the shell
// executes it; it does not re-derive it), `groups` independent groups run one after another.
// `loads` carry gemm_traffic's bytes (the ifmap streams once per pass); the operand sizes
// set the tiling.
struct GemmJob {
  FoldPlan plan;
  int64_t groups = 1;
  OperandBits bits;  // activation and weight precision
  int64_t ifmap_bytes = 0, filter_bytes = 0, ofmap_bytes = 0;
  std::vector<MemStream> loads, stores;
  int64_t min_tile_bytes = 0;  // 0: tiles as large as the SRAMs allow (see tile_count)
  // A fused epilogue (sim/engine/fusion) on the vector unit: its cycles over the whole
  // output and its lane-ops. Tile i's epilogue runs while the array computes tile i+1; a
  // tile is stored once its epilogue is done.
  int64_t epilogue_cycles = 0;
  int64_t epilogue_lane_ops = 0;
};

// What a GEMM's operands cost in memory reads: the filters once, the ifmap `ifmap_passes`
// times (see the header comment).
struct GemmTraffic {
  int64_t ifmap_passes = 1;
  int64_t ifmap_bytes = 0, filter_bytes = 0;
  int64_t load_bytes() const { return filter_bytes + ifmap_bytes * ifmap_passes; }
};
GemmTraffic gemm_traffic(const NpuTileParams& p, int64_t ifmap_bytes, int64_t filter_bytes);

struct VectorJob {
  VectorOpMix mix;
  int64_t elements = 0;
  VectorOpMix row_mix;  // once per row (a normalization's rsqrt)
  int64_t rows = 0;
  std::vector<MemStream> loads, stores;  // inputs (and constants), outputs
  bool gemm_on_lanes = false;  // a matmul placed on the vector unit: `elements` are MACs
  int64_t min_tile_bytes = 0;  // as GemmJob's
};

// How many tiles a job streams in: at least what the SRAM halves force (`sram_tiles`), and,
// given `min_tile_bytes`, as many more as give its largest stream (load or store) tiles of
// about that size. The pipeline has no per-tile cost, so finer tiles only shorten the
// exposed first load and last drain, down to the size below which a DMA transfer stops
// streaming well (a few KiB: DRAM rows, two transfers in flight). With it the count stops
// depending on the SRAMs once they hold that much, so more SRAM never exposes a longer
// first fill; without it (0) tiles are SRAM-sized, as SCALE-Sim's scratchpad (and the
// ablation) has them.
int64_t tile_count(int64_t sram_tiles, const std::vector<MemStream>& loads,
                   const std::vector<MemStream>& stores, int64_t min_tile_bytes);

// Fine tiles (min_tile_bytes > 0) start on 64-byte boundaries of each stream, so a DRAM
// burst is not split between two tiles.
inline constexpr int64_t kTileAlignBytes = 64;

class NpuTile : public sc_core::sc_module {
 public:
  NpuTile(sc_core::sc_module_name name, const NpuTileParams& p, Dma& array_dma, Dma& vector_dma);

  UnitResult run_gemm(const GemmJob& job);
  UnitResult run_vector(const VectorJob& job);
  sc_core::sc_time period() const { return period_; }
  const NpuTileParams& params() const { return p_; }

 private:
  // Streams `tiles` tiles: load (each tile its share of every load stream), compute
  // (cycles), store (its share of every store stream), double buffered on `dma`. Returns
  // the stall time.
  // Tiles split each stream at multiples of `align` bytes (1: anywhere).
  sc_core::sc_time pipeline(Dma& dma, int64_t tiles, const std::vector<MemStream>& loads,
                            int64_t compute_cycles, const std::vector<MemStream>& stores,
                            int64_t align, int64_t epilogue_cycles = 0);

  NpuTileParams p_;
  Dma& array_dma_;
  Dma& vector_dma_;
  sc_core::sc_time period_;
};

}  // namespace h4h
