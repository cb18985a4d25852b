#pragma once
// CIM timing/energy core. Digital SRAM-CIM macro: weights stationary in rows × cols
// bitcells (a weight spans weight_bits adjacent columns), inputs streamed bit-serially on
// the wordlines, one adder tree per group of `cols_per_adc` columns (column mux), then a
// shift-add accumulator. Plain C++: the SystemC CimCluster shell waits for these counts.
//
// A GEMM-shaped layer (per group: K reduction × N outputs of static weights, M input
// vectors) is tiled over macros: rows split K (partial sums added digitally), columns
// split N (in parallel). Tiles that do not all fit are run in rounds, each round
// reprogramming the macros at weight-write bandwidth — a cost the report must show.
#include <cstdint>

namespace h4h {

// Filled from the arch config (cim.*), whose declaration table holds the defaults.
struct CimMacroParams {
  int64_t macro_count = 0;
  int64_t rows = 0;                     // wordlines: the input (reduction) dimension
  int64_t cols = 0;                     // bitcell columns; weights per row = cols / weight_bits
  int64_t weight_bits = 0;
  int64_t input_bits = 0;
  int64_t cycles_per_input_bit = 0;
  int64_t adc_latency_cycles = 0;       // ADC (analog) or adder tree (digital) latency
  int64_t cols_per_adc = 0;             // columns multiplexed onto one ADC / adder tree
  int64_t weight_write_rows_per_cycle = 0;
  // Columns a weight needs beyond its bits: 0 for adder-tree macros (Chih ISSCC'21); a
  // bit-serial in-array accumulator needs log2(rows) more for the sum's growth (Colonnade,
  // JSSC'21: 128 rows, W + 7 columns per weight).
  int64_t extra_cols_per_weight = 0;

  int64_t cols_per_weight() const { return weight_bits + extra_cols_per_weight; }
  int64_t weights_per_row() const { return cols / cols_per_weight(); }
  int64_t adcs() const { return cols / cols_per_adc; }
};

// One matrix-vector product on one macro using `used_rows` wordlines and `used_cols`
// bitcell columns: input_bits · cycles_per_bit per column-mux pass, plus the readout
// latency. Passes = ⌈used_cols / adcs⌉ (at most cols_per_adc).
int64_t cim_mvm_cycles(const CimMacroParams& p, int64_t used_cols);

struct CimLayerPlan {
  int64_t row_tiles = 0;          // ⌈K / rows⌉
  int64_t col_tiles = 0;          // ⌈N / weights_per_row⌉
  int64_t groups_per_tile = 1;    // groups packed block-diagonally into one macro
  int64_t tiles = 0;              // row × col tiles × ⌈groups / groups_per_tile⌉
  int64_t rounds = 0;             // ⌈tiles / macro_count⌉: > 1 means reprogramming
  bool fits = false;              // every tile resident at once
  int64_t vector_cycles = 0;      // cycles per input vector through one tile (pipelined)
  int64_t compute_cycles = 0;     // all rounds, all vectors, excluding weight writes
  int64_t program_cycles = 0;     // weight writes of all rounds (macros in parallel)
  int64_t weight_write_bits = 0;  // bits written into macros to run the layer once
  int64_t macs = 0;               // useful MACs (M·K·N per group)
  int64_t adc_conversions = 0;    // column-group readouts
  double cell_utilization = 0;    // weight bits held / bitcells of the tiles used
  double peak_macs_per_cycle = 0; // every macro, all columns, one vector per bit-serial pass
};

// `groups` independent GEMMs of M × K × N (depthwise: groups = C, K = kh·kw, N = 1).
// Groups whose K × N weights fit one macro share macros block-diagonally:
// min(⌊rows / K⌋, ⌊weights_per_row / N⌋) groups per macro, each on its own wordlines and
// columns (3×3 depthwise on 256×256 int8 macros: 28 channels per macro, 3.4 % of the cells).
// `weights_resident`: the weights are already in the macros (a warm run of a layer that
// fits), so no programming is charged.
CimLayerPlan plan_cim_layer(const CimMacroParams& p, int64_t groups, int64_t m, int64_t k,
                            int64_t n, bool weights_resident);

}  // namespace h4h
