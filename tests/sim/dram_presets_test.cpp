// dram.kind presets: JEDEC speed grades that fill the DRAM keys a config leaves out.
#include "sim/config/dram_presets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "sim/config/arch_config.h"

namespace h4h {
namespace {

ArchConfig with_kind(const std::string& kind, const std::string& extra = "") {
  return parse_arch_config("dram:\n  kind: " + kind + "\n" + extra, "t.yaml");
}

TEST(DramPresets, TheDefaultConfigIsTheDefaultPresetExactly) {
  // The declaration table's defaults and the first preset must not drift apart: a config
  // without dram.kind and one naming lpddr4_4266 are the same design point.
  const ArchConfig def = default_arch_config();
  EXPECT_EQ(dram_presets().front().kind, def.dram.kind);
  ArchConfig bare;
  for (const auto& d : arch_param_decls()) d.set(bare, d.default_value);
  EXPECT_EQ(config_hash(bare), config_hash(def));
}

TEST(DramPresets, EveryPresetPeaksAtItsRatedDataRate) {
  // The JEDEC data rate (MT/s) of each grade: peak per x16 channel = rate x 2 B.
  const std::map<std::string, double> rate_mts = {{"lpddr4_3200", 3200},  {"lpddr4_4266", 4266},
                                                  {"lpddr4x_4266", 4266}, {"lpddr5_6400", 6400},
                                                  {"lpddr5x_8533", 8533}, {"ddr4_3200", 3200}};
  ASSERT_EQ(dram_presets().size(), rate_mts.size());
  for (const auto& p : dram_presets()) {
    SCOPED_TRACE(p.kind);
    ArchConfig c = with_kind(p.kind, "  channels: 1\n");
    const double rated = rate_mts.at(p.kind) * c.dram.bus_width_bits / 8 / 1000;  // GB/s
    // tCK is rounded up to whole ps, so the preset is never faster, and within 0.5 %.
    EXPECT_LE(c.dram.peak_bytes_per_ns(), rated * 1.0001);
    EXPECT_GE(c.dram.peak_bytes_per_ns(), rated * 0.995);
    EXPECT_TRUE(c.dram.refresh);
  }
}

TEST(DramPresets, NanosecondTimingsRoundUpToWholeClocksAsJedecDoes) {
  const ArchConfig lp4 = with_kind("lpddr4_3200");  // tCK 0.625 ns
  EXPECT_EQ(lp4.dram.trcd_cycles, 29);              // 18 ns = 28.8 tCK
  EXPECT_EQ(lp4.dram.tras_cycles, 68);              // 42 ns = 67.2 tCK
  EXPECT_EQ(lp4.dram.trtp_cycles, 12);              // 7.5 ns = 12 tCK exactly
  const ArchConfig ddr4 = with_kind("ddr4_3200");
  EXPECT_EQ(ddr4.dram.trcd_cycles, 22);             // 13.75 ns = 22 tCK exactly, not 23
  EXPECT_EQ(ddr4.dram.tfaw_cycles, 48);             // 30 ns
  const ArchConfig lp5 = with_kind("lpddr5_6400");  // tCK 0.313 ns (a quarter of CK)
  EXPECT_EQ(lp5.dram.tcl_cycles, 80);               // RL 20 nCK
  EXPECT_EQ(lp5.dram.banks, 16);
}

TEST(DramPresets, AKeyTheConfigGivesIsNeverReplacedByThePreset) {
  const ArchConfig c = with_kind("lpddr5_6400", "  tcl_cycles: 90\n");
  EXPECT_EQ(c.dram.tcl_cycles, 90);
  EXPECT_EQ(c.dram.tck_ps, 313);
  EXPECT_EQ(c.preset_keys.count("dram.tcl_cycles"), 0u);
  EXPECT_EQ(c.preset_keys.count("dram.tck_ps"), 1u);
  // An energy key given in the file also stays.
  const ArchConfig e =
      parse_arch_config("dram:\n  kind: ddr4_3200\nenergy:\n  dram_read_pj_per_byte: 7\n", "t");
  EXPECT_EQ(e.energy.dram_read_pj_per_byte, 7);
  EXPECT_EQ(e.energy.dram_activate_pj, 9900);
}

TEST(DramPresets, SettingTheKindLaterRefillsWhatWasNotGiven) {
  // A sweep axis or --set that names another kind brings its timings along, but keeps the
  // keys set before it.
  ArchConfig c = with_kind("lpddr4_4266", "  trcd_cycles: 50\n");
  set_arch_param(c, "dram.tras_cycles", "200");
  set_arch_param(c, "dram.kind", "lpddr5x_8533");
  EXPECT_EQ(c.dram.tck_ps, 235);
  EXPECT_EQ(c.dram.tcl_cycles, 96);
  EXPECT_EQ(c.dram.trcd_cycles, 50);
  EXPECT_EQ(c.dram.tras_cycles, 200);
  EXPECT_EQ(c.energy.dram_read_pj_per_byte, 18);
}

TEST(DramPresets, TheOldKindNamesAreAliasesOfTheirSpeedGrades) {
  EXPECT_EQ(config_hash(with_kind("lpddr5")).size(), 16u);
  EXPECT_EQ(with_kind("lpddr5").dram.tck_ps, with_kind("lpddr5_6400").dram.tck_ps);
  EXPECT_EQ(with_kind("lpddr4").dram.tcl_cycles, 36);
  EXPECT_THROW(with_kind("ddr3"), std::exception);
}

}  // namespace
}  // namespace h4h
