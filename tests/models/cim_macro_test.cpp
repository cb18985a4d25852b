// Digital SRAM-CIM macro rules on hand-computed cases (256×256 bitcells, 8-bit weights →
// 32 weights per row, 8 columns per adder tree → 32 adder trees, 8-bit bit-serial inputs).
#include <gtest/gtest.h>

#include "models/cim/cim_macro.h"
#include "sim/config/arch_config.h"

namespace h4h {
namespace {

CimMacroParams macro(int64_t count = 4) {
  CimMacroParams p = default_arch_config().cim;  // 256x256 int8, ISSCC'21-class
  p.macro_count = count;
  return p;
}

TEST(CimMacro, MvmCyclesAreInputBitsTimesCyclesPerBitPlusReadout) {
  // 32 used columns (4 weights) → one mux pass: 8 bits × 1 cycle + 2 readout.
  EXPECT_EQ(cim_mvm_cycles(macro(), 32), 8 * 1 + 2);
}

TEST(CimMacro, ColumnMuxSharingMultipliesPasses) {
  // All 256 columns on 32 adder trees: 8 passes per input bit.
  EXPECT_EQ(cim_mvm_cycles(macro(), 256), 8 * 8 + 2);
  auto p = macro();
  p.cycles_per_input_bit = 2;
  EXPECT_EQ(cim_mvm_cycles(p, 256), 8 * 2 * 8 + 2);
}

TEST(CimMacro, LayerLargerThanAMacroSplitsRowsAndColumns) {
  // K 600 → ⌈600/256⌉ = 3 row tiles; N 100 → ⌈100/32⌉ = 4 column tiles: 12 tiles.
  CimLayerPlan plan = plan_cim_layer(macro(16), 1, 10, 600, 100, false);
  EXPECT_EQ(plan.row_tiles, 3);
  EXPECT_EQ(plan.col_tiles, 4);
  EXPECT_EQ(plan.tiles, 12);
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.rounds, 1);
  // 10 vectors × 64 bit-serial cycles, then readout 2 + ⌈log2 3⌉ = 2 partial-sum adds.
  EXPECT_EQ(plan.compute_cycles, 10 * 64 + 2 + 2);
  EXPECT_EQ(plan.macs, 10 * 600 * 100);
}

TEST(CimMacro, WeightsThatDoNotFitAreReprogrammedEachRound) {
  // The same 12 tiles on 4 macros: 3 rounds, each writing 256 rows at 1 row per cycle.
  CimLayerPlan plan = plan_cim_layer(macro(4), 1, 10, 600, 100, false);
  EXPECT_FALSE(plan.fits);
  EXPECT_EQ(plan.rounds, 3);
  EXPECT_EQ(plan.program_cycles, 3 * 256);
  EXPECT_EQ(plan.weight_write_bits, 600 * 100 * 8);
  EXPECT_EQ(plan.compute_cycles, 3 * (10 * 64 + 4));
  // Residency does not help a layer that does not fit.
  EXPECT_EQ(plan_cim_layer(macro(4), 1, 10, 600, 100, true).program_cycles, 3 * 256);
}

TEST(CimMacro, ResidentWeightsCostNoProgramming) {
  CimLayerPlan cold = plan_cim_layer(macro(4), 1, 49, 256, 32, false);
  CimLayerPlan warm = plan_cim_layer(macro(4), 1, 49, 256, 32, true);
  EXPECT_EQ(cold.program_cycles, 256);
  EXPECT_EQ(warm.program_cycles, 0);
  EXPECT_EQ(warm.weight_write_bits, 0);
  EXPECT_EQ(cold.compute_cycles, warm.compute_cycles);
}

TEST(CimMacro, DepthwiseChannelsPackBlockDiagonallyAndUseFewCells) {
  // 32-channel 3×3 depthwise on 256×256 int8 macros: each channel needs 9 rows × 1 weight,
  // so min(256/9, 32/1) = 28 channels share a macro on the diagonal → 2 tiles.
  CimLayerPlan plan = plan_cim_layer(macro(4), 32, 112 * 112, 9, 1, false);
  EXPECT_EQ(plan.groups_per_tile, 28);
  EXPECT_EQ(plan.tiles, 2);
  EXPECT_EQ(plan.rounds, 1);
  EXPECT_TRUE(plan.fits);
  EXPECT_DOUBLE_EQ(plan.cell_utilization, 32.0 * 9 * 8 / (2 * 256 * 256));
  // 28 weights × 8 bits = 224 columns → ⌈224 / 32 adder trees⌉ = 7 mux passes of 8 bits.
  EXPECT_EQ(plan.vector_cycles, 7 * 8);
  // Per MAC, it is still far slower than a dense 1×1 conv that fills the macro.
  CimLayerPlan dense = plan_cim_layer(macro(4), 1, 112 * 112 * 32 * 9 / (256 * 32), 256, 32, false);
  EXPECT_EQ(dense.macs, plan.macs);
  EXPECT_GT(plan.compute_cycles, 5 * dense.compute_cycles);
}

TEST(CimMacro, GroupsTooLargeForOneMacroAreTiledOneByOne) {
  // 2 groups of K 300 (> 256 rows): no packing, each group split over 2 row tiles.
  CimLayerPlan plan = plan_cim_layer(macro(8), 2, 10, 300, 4, false);
  EXPECT_EQ(plan.groups_per_tile, 1);
  EXPECT_EQ(plan.tiles, 4);
}

// Configured as Colonnade (Kim et al., JSSC'21: 65 nm, 128x128 bitcells, bit-serial inputs,
// one input bit per cycle, a W-bit weight on W + 7 columns for in-array accumulation), the
// macro's throughput on a long stream of vectors matches the paper's Fig. 15a (bit-pipelined,
// N-bit inputs and weights; 1 MAC = 2 ops) within 10 %. Clock: the chip's measured 100 MHz
// at 8 bit; at 1 and 16 bit the critical path (W + 7 + 8 + 2) x 0.4 ns of the CiMLoop
// reproduction of the paper (mit-emze/cimloop, colonnade_jssc_2021).
TEST(CimMacro, ColonnadeThroughputMatchesThePublishedFigureWithin10Percent) {
  struct Case {
    int64_t bits;
    double clock_mhz, published_gops;
  };
  for (const Case c : {Case{1, 1000.0 / 7.2, 563.5}, Case{8, 100.0, 25.75}, Case{16, 1000.0 / 13.2, 5.99}}) {
    SCOPED_TRACE(c.bits);
    CimMacroParams p;
    p.macro_count = 1;
    p.rows = 128;
    p.cols = 128;
    p.weight_bits = c.bits;
    p.input_bits = c.bits;
    p.cycles_per_input_bit = 1;
    p.adc_latency_cycles = 0;
    p.cols_per_adc = 1;
    p.weight_write_rows_per_cycle = 1;
    p.extra_cols_per_weight = 7;
    const int64_t vectors = 100000;
    const CimLayerPlan plan = plan_cim_layer(p, 1, vectors, 128, p.weights_per_row(), true);
    ASSERT_TRUE(plan.fits);
    const double seconds = static_cast<double>(plan.compute_cycles) / (c.clock_mhz * 1e6);
    const double gops = 2.0 * static_cast<double>(plan.macs) / seconds / 1e9;
    EXPECT_NEAR(gops / c.published_gops, 1.0, 0.10) << gops << " GOPS";
  }
}

}  // namespace
}  // namespace h4h
