// The PE precision model and per-bit-width MAC energies, hand-computed from their sources.
#include "models/npu/pe_precision.h"

#include <gtest/gtest.h>

namespace h4h {
namespace {

TEST(PePrecision, WiderOperandsTakePartialProductPassesNarrowerOnesPack) {
  EXPECT_EQ(pe_precision_cycles(1000, 8, 8), 1000);
  EXPECT_EQ(pe_precision_cycles(1000, 16, 8), 4000);   // 2 x 2 partial products
  EXPECT_EQ(pe_precision_cycles(1000, 16, 4), 16000);  // 4 x 4
  EXPECT_EQ(pe_precision_cycles(1000, 8, 16), 250);    // four 8-bit MACs per 16-bit PE
  EXPECT_EQ(pe_precision_cycles(1001, 8, 16), 251);    // a partly filled last cycle counts
  EXPECT_EQ(pe_precision_cycles(1000, 4, 8), 250);
  EXPECT_EQ(pe_precision_cycles(1000, 1, 8), 63);  // 1-bit packs as 2-bit (Bit Fusion's bricks): 16 per PE
}

TEST(PePrecision, IntMacEnergyFollowsHorowitzFromInt8) {
  EXPECT_DOUBLE_EQ(int_mac_energy_scale(8, 8), 1.0);
  // 16 x 16: multiplier 4x, 48-bit accumulator 1.5x: 2/3 x 4 + 1/3 x 1.5.
  EXPECT_DOUBLE_EQ(int_mac_energy_scale(16, 16), 2.0 / 3.0 * 4.0 + 1.0 / 3.0 * 1.5);
  // int4 weights, int8 activations: half the multiplier, a 28-bit accumulator.
  EXPECT_DOUBLE_EQ(int_mac_energy_scale(8, 4), 2.0 / 3.0 * 0.5 + 1.0 / 3.0 * 28.0 / 32.0);
  EXPECT_LT(int_mac_energy_scale(4, 4), int_mac_energy_scale(8, 4));
}

TEST(PePrecision, CimMacEnergyFollowsColonnadesMeasuredCurve) {
  EXPECT_DOUBLE_EQ(cim_mac_energy_scale(8, 8), 1.0);
  // Colonnade Fig. 16b (1-bit input): 68.3 fJ at 1-bit weights, 243.2 fJ at 16: the line
  // 56.6 + 11.7 w gives 68.3 and 243.8 fJ.
  EXPECT_NEAR(cim_mac_energy_scale(1, 16) / cim_mac_energy_scale(1, 1), 243.2 / 68.3,
              0.01 * 243.2 / 68.3);
  // Bit-serial inputs: energy per MAC grows with the input bits (cycles).
  EXPECT_DOUBLE_EQ(cim_mac_energy_scale(4, 8), 0.5);
}

}  // namespace
}  // namespace h4h
