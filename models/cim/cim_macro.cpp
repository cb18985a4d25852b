#include "models/cim/cim_macro.h"

#include <algorithm>
#include <cassert>

namespace h4h {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t ceil_log2(int64_t v) {
  int64_t bits = 0;
  while ((int64_t{1} << bits) < v) ++bits;
  return bits;
}

}  // namespace

int64_t cim_mvm_cycles(const CimMacroParams& p, int64_t used_cols) {
  assert(used_cols > 0 && used_cols <= p.cols);
  const int64_t passes = ceil_div(used_cols, p.adcs());
  return p.input_bits * p.cycles_per_input_bit * passes + p.adc_latency_cycles;
}

CimLayerPlan plan_cim_layer(const CimMacroParams& p, int64_t groups, int64_t m, int64_t k,
                            int64_t n, bool weights_resident) {
  assert(groups > 0 && m > 0 && k > 0 && n > 0);
  CimLayerPlan plan;
  // Grouped/depthwise layers whose per-group weights fit one macro are packed block-
  // diagonally: each group on its own rows and columns (the adder trees sum zeros from the
  // other groups' rows), so one MVM serves several groups. The cells off the diagonal stay
  // idle — that is the depthwise penalty, visible in cell_utilization.
  const bool packable = groups > 1 && k <= p.rows && n <= p.weights_per_row();
  plan.groups_per_tile = packable ? std::min({groups, p.rows / k, p.weights_per_row() / n}) : 1;
  plan.row_tiles = ceil_div(k, p.rows);
  plan.col_tiles = ceil_div(n, p.weights_per_row());
  plan.tiles = plan.row_tiles * plan.col_tiles * ceil_div(groups, plan.groups_per_tile);
  plan.rounds = ceil_div(plan.tiles, p.macro_count);
  plan.fits = plan.tiles <= p.macro_count;

  // The widest tile sets the pace of a vector (tiles of a round run in parallel).
  const int64_t used_cols = std::min(n * plan.groups_per_tile, p.weights_per_row()) * p.cols_per_weight();
  const int64_t bit_serial = cim_mvm_cycles(p, used_cols) - p.adc_latency_cycles;
  plan.vector_cycles = bit_serial;
  // Per round: M vectors stream back to back (the readout of one overlaps the next's
  // input bits), then the readout latency and the digital partial-sum adds drain once.
  const int64_t drain = p.adc_latency_cycles + ceil_log2(plan.row_tiles);
  plan.compute_cycles = plan.rounds * (m * bit_serial + drain);

  const int64_t used_rows = std::min(k * plan.groups_per_tile, p.rows);
  const int64_t program_per_round = ceil_div(used_rows, p.weight_write_rows_per_cycle);
  if (!(weights_resident && plan.fits)) {
    plan.program_cycles = plan.rounds * program_per_round;
    plan.weight_write_bits = groups * k * n * p.weight_bits;
  }
  plan.macs = groups * m * k * n;
  // One readout per used column group per vector per tile.
  plan.adc_conversions = m * plan.tiles * ceil_div(used_cols, p.cols_per_adc);
  plan.cell_utilization = static_cast<double>(groups * k * n * p.weight_bits) /
                          static_cast<double>(plan.tiles * p.rows * p.cols);
  const int64_t full_cols = p.weights_per_row() * p.cols_per_weight();
  plan.peak_macs_per_cycle = static_cast<double>(p.macro_count * p.rows * p.weights_per_row()) /
                             static_cast<double>(cim_mvm_cycles(p, full_cols) - p.adc_latency_cycles);
  return plan;
}

}  // namespace h4h
