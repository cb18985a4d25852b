// The chip's area and static power follow its parameters: more of anything costs area and
// leakage, a measured area replaces the model's, a disabled unit has none.
#include "sim/engine/chip_area.h"

#include <gtest/gtest.h>

#include "sim/config/arch_config.h"

namespace h4h {
namespace {

ArchConfig hetero() {
  return load_arch_config(std::string(H4H_SOURCE_DIR) + "/arch_configs/hetero.yaml");
}

double area_with(const std::string& key, const std::string& value) {
  ArchConfig c = hetero();
  set_arch_param(c, key, value);
  validate_arch_config(c);
  return chip_area_mm2(c).total();
}

TEST(ChipArea, MoreResourcesCostMoreAreaAndLeakage) {
  const double base = chip_area_mm2(hetero()).total();
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"npu.array.rows", "64"},
                                                        {"npu.precision_bits", "16"},
                                                        {"npu.vector.lanes", "128"},
                                                        {"npu.sram.ifmap_kib", "512"},
                                                        {"npu.sram.ifmap_banks", "32"},
                                                        {"memory.global_buffer_kib", "2048"},
                                                        {"memory.global_buffer_banks", "64"},
                                                        {"cim.macro_count", "16"},
                                                        {"cim.rows", "512"},
                                                        {"cim.input_buffer_kib", "128"},
                                                        {"bus.width_bytes", "64"},
                                                        {"dram.channels", "4"},
                                                        {"tech.node_nm", "45"}}) {
    SCOPED_TRACE(key);
    EXPECT_GT(area_with(key, value), base);
  }
  EXPECT_LT(area_with("tech.node_nm", "7"), base);
  EXPECT_LT(area_with("npu.precision_bits", "4"), base);
  ArchConfig big = hetero();
  set_arch_param(big, "npu.array.rows", "128");
  set_arch_param(big, "npu.array.cols", "128");
  EXPECT_GT(chip_leakage_mw(big, chip_area_mm2(big)).total(),
            chip_leakage_mw(hetero(), chip_area_mm2(hetero())).total());
}

TEST(ChipArea, AMeasuredAreaReplacesTheModelsAndSetsItsLeakage) {
  ArchConfig c = hetero();
  set_arch_param(c, "area.cim_macro_mm2", "0.5");
  const ChipParts a = chip_area_mm2(c);
  EXPECT_DOUBLE_EQ(a.cim_macros, 0.5 * static_cast<double>(c.cim.macro_count));
  const ChipParts l = chip_leakage_mw(c, a);
  EXPECT_GT(l.cim_macros, chip_leakage_mw(hetero(), chip_area_mm2(hetero())).cim_macros);
  set_arch_param(c, "area.npu_mm2", "2");
  const ChipParts b = chip_area_mm2(c);
  EXPECT_NEAR(b.npu_array + b.npu_vector, 2.0, 1e-12);
}

TEST(ChipArea, ADisabledUnitHasNoAreaAndZeroScalesRemoveLeakage) {
  ArchConfig c = hetero();
  set_arch_param(c, "cim.enabled", "false");
  EXPECT_EQ(chip_area_mm2(c).cim_macros, 0);
  EXPECT_EQ(chip_area_mm2(c).cim_buffers, 0);
  set_arch_param(c, "tech.logic_leakage_scale", "0");
  set_arch_param(c, "tech.sram_leakage_scale", "0");
  EXPECT_EQ(chip_leakage_mw(c, chip_area_mm2(c)).total(), 0);
}

TEST(ChipArea, SramEnergyPerByteGrowsWithTheSquareRootOfCapacity) {
  ArchConfig c = hetero();
  EXPECT_DOUBLE_EQ(sram_energy_scales(c).global_buffer, 1.0);  // the reference size
  set_arch_param(c, "memory.global_buffer_kib", "4096");
  EXPECT_DOUBLE_EQ(sram_energy_scales(c).global_buffer, 2.0);
}

}  // namespace
}  // namespace h4h
