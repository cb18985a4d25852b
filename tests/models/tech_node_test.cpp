// Technology scaling and unit areas against their published sources: Stillmaker & Baas's
// tables at the paper's nodes, CACTI 7 SRAM areas (bench/cacti_fit.sh regenerates the
// points), Chih et al.'s CIM macro, and the physical orderings (smaller node, less area;
// more bits, more area).
#include "models/tech/tech_node.h"

#include <gtest/gtest.h>

#include <cmath>

namespace h4h::tech {
namespace {

TEST(TechNode, AreaFactorsAreStillmakerAndBaasAtThePapersNodes) {
  // Their area table, 45 nm row (new area = old area x factor).
  EXPECT_DOUBLE_EQ(area_factor(65), 1.5);
  EXPECT_DOUBLE_EQ(area_factor(45), 1.0);
  EXPECT_DOUBLE_EQ(area_factor(32), 0.46);
  EXPECT_DOUBLE_EQ(area_factor(16), 0.19);
  EXPECT_DOUBLE_EQ(area_factor(7), 0.059);
  // 5 nm: N7 with TSMC's 1.8x logic density.
  EXPECT_NEAR(area_factor(5), 0.059 / 1.8, 1e-12);
  // Their HP energy fits at 0.9 V: HP32 = 0.4571 x HP45's 0.6989 (the authors' corrigendum
  // gives EnergyFactor(HP32, 0.9 V) = 0.4571).
  EXPECT_NEAR(energy_factor(32), 0.4571 / 0.69885, 1e-3);
}

TEST(TechNode, EverythingShrinksWithTheNodeAndInterpolatedNodesLieBetween) {
  const auto& nodes = supported_nodes();
  for (size_t i = 1; i < nodes.size(); ++i) {
    SCOPED_TRACE(nodes[i]);
    EXPECT_LT(area_factor(nodes[i]), area_factor(nodes[i - 1]));
    EXPECT_LT(energy_factor(nodes[i]), energy_factor(nodes[i - 1]));
    EXPECT_LT(sram_bitcell_um2(nodes[i]), sram_bitcell_um2(nodes[i - 1]));
    EXPECT_LT(sram_mm2(1 << 20, 4, nodes[i]), sram_mm2(1 << 20, 4, nodes[i - 1]));
    EXPECT_LT(pe_um2(8, nodes[i]), pe_um2(8, nodes[i - 1]));
    EXPECT_GT(logic_leakage_mw_per_mm2(nodes[i]), 0);
    EXPECT_GT(sram_leakage_mw_per_mm2(nodes[i]), 0);
  }
}

TEST(TechNode, APeGrowsWithItsPrecisionAndItsMultiplierQuadratically) {
  EXPECT_LT(pe_um2(4, 28), pe_um2(8, 28));
  EXPECT_LT(pe_um2(8, 28), pe_um2(16, 28));
  EXPECT_NEAR(multiplier_um2(16, 45) / multiplier_um2(8, 45), 4.0, 1e-12);
  // Aladdin's 32-bit units at the 45 nm reference.
  EXPECT_DOUBLE_EQ(multiplier_um2(32, 45), 6350.0);
  EXPECT_DOUBLE_EQ(adder_um2(32, 45), 278.0);
  // int8 PE: 8x8 multiplier (397) + 32-bit accumulator (278) + 48 register bits (287) um2.
  EXPECT_NEAR(pe_um2(8, 45), 396.875 + 278.0 + 48 * 5.98, 1e-9);
}

// CACTI 7 (commit 1ffd8df, scratch RAM, 8-byte port, itrs-hp, 350 K): total area, mm2.
struct CactiPoint {
  int64_t node_nm, bytes, banks;
  double area_mm2;
};
constexpr CactiPoint kCacti[] = {
    {22, 4096, 1, 0.00351827}, {22, 65536, 1, 0.056089},   {22, 1048576, 1, 0.810096},
    {22, 4194304, 1, 2.95336}, {22, 65536, 16, 0.0613003}, {22, 1048576, 16, 0.83571},
    {45, 16384, 1, 0.0507532}, {45, 262144, 1, 0.796257},  {45, 1048576, 4, 3.28978},
    {45, 65536, 16, 0.256737}, {65, 4096, 1, 0.0283284},   {65, 1048576, 1, 6.80955},
    {65, 65536, 4, 0.464947},  {65, 1048576, 16, 6.4247},  {32, 1048576, 1, 1.60312},
};

TEST(TechNode, TheSramModelWithCactisCellReproducesCactiWithin13Percent) {
  for (const CactiPoint& p : kCacti) {
    SCOPED_TRACE(testing::Message() << p.node_nm << " nm " << p.bytes << " B x" << p.banks);
    const double f = static_cast<double>(p.node_nm) / 1000.0;
    const double cacti_cell_um2 = 146.0 * f * f;  // CACTI's itrs-hp cell is 146 F^2
    const double ours = sram_mm2_for_cell(p.bytes, p.banks, cacti_cell_um2, p.node_nm);
    EXPECT_NEAR(ours / p.area_mm2, 1.0, 0.13);
  }
}

TEST(TechNode, SramBanksCostAreaAndReadEnergyGrowsAsTheSquareRootOfCapacity) {
  EXPECT_GT(sram_mm2(64 << 10, 16, 28), sram_mm2(64 << 10, 1, 28));
  EXPECT_NEAR(sram_energy_scale(4 << 20, 1 << 20), 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(sram_energy_scale(1 << 20, 1 << 20), 1.0);
}

TEST(TechNode, CimMacroAreaIsChihsAt22nmAndComparedWithOtherPublishedMacros) {
  // Chih et al. ISSCC'21: 64 Kb in 0.202 mm2 at 22 nm (the calibration point).
  EXPECT_NEAR(cim_macro_mm2(256, 256, 22), 0.202, 1e-12);
  // Scaled as logic, the other published digital macros come out within these factors
  // (docs/area.md): Fujiwara ISSCC'22, 5 nm 64 Kb, 0.0133 mm2 — the model is 2.1x too
  // large (TSMC's N5 macro shrank 15x from 22 nm, Stillmaker's logic 7.5x); Colonnade
  // JSSC'21, 65 nm 128x128 bit-serial, 0.2272 mm2 — the model is 1.35x.
  EXPECT_NEAR(cim_macro_mm2(256, 256, 5) / 0.0133, 2.1, 0.15);
  EXPECT_NEAR(cim_macro_mm2(128, 128, 65) / 0.2272, 1.35, 0.1);
}

}  // namespace
}  // namespace h4h::tech
