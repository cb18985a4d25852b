// Arch configs are validated at the door: every error names the file and the YAML path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "frontend/user_error.h"
#include "sim/config/arch_config.h"

namespace h4h {
namespace {

namespace fs = std::filesystem;

std::string preset(const std::string& name) {
  return std::string(H4H_SOURCE_DIR) + "/arch_configs/" + name;
}

std::string error_of(const std::string& yaml) {
  try {
    parse_arch_config(yaml, "t.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ArchConfig, EveryPresetLoads) {
  for (const char* p : {"npu_only.yaml", "cim_only.yaml", "hetero.yaml"}) {
    SCOPED_TRACE(p);
    EXPECT_NO_THROW(load_arch_config(preset(p)));
  }
  const ArchConfig h = load_arch_config(preset("hetero.yaml"));
  EXPECT_TRUE(h.npu.enabled);
  EXPECT_TRUE(h.cim.enabled);
  EXPECT_EQ(h.cim.macro_count, 8);
  EXPECT_FALSE(load_arch_config(preset("npu_only.yaml")).cim.enabled);
  EXPECT_FALSE(load_arch_config(preset("cim_only.yaml")).npu.enabled);
}

TEST(ArchConfig, UnknownKeySuggestsClosestKey) {
  const std::string e = error_of("npu:\n  array:\n    rowz: 16\n");
  EXPECT_NE(e.find("t.yaml: npu.array.rowz: unknown key; did you mean 'npu.array.rows'?"),
            std::string::npos) << e;
  const std::string g = error_of("dram:\n  tRCD: 18\n");
  EXPECT_NE(g.find("dram.tRCD: unknown key"), std::string::npos) << g;
  EXPECT_NE(error_of("nup:\n  enabled: true\n").find("did you mean 'npu'"), std::string::npos);
}

TEST(ArchConfig, ZeroOrNegativeSizesAreRejectedWithPath) {
  EXPECT_NE(error_of("npu:\n  array:\n    rows: -4\n").find("npu.array.rows: must be > 0, got -4"),
            std::string::npos);
  EXPECT_NE(error_of("cim:\n  macro_count: 0\n").find("cim.macro_count: must be > 0, got 0"),
            std::string::npos);
  EXPECT_NE(error_of("energy:\n  npu_mac_pj: -0.1\n").find("energy.npu_mac_pj: must be >= 0"),
            std::string::npos);
}

TEST(ArchConfig, NonPowerOfTwoIsRejectedWhereRequired) {
  const std::string e = error_of("dram:\n  banks: 6\n");
  EXPECT_NE(e.find("dram.banks: must be a power of two, got 6"), std::string::npos) << e;
  EXPECT_NE(error_of("npu:\n  sram:\n    ifmap_banks: 3\n").find("power of two"), std::string::npos);
}

TEST(ArchConfig, WrongTypeIsRejectedWithPath) {
  EXPECT_NE(error_of("npu:\n  array:\n    rows: abc\n").find("npu.array.rows: expected an integer, got 'abc'"),
            std::string::npos);
  EXPECT_NE(error_of("npu:\n  clock_mhz: fast\n").find("npu.clock_mhz: expected a number"),
            std::string::npos);
  EXPECT_NE(error_of("cim:\n  enabled: maybe\n").find("cim.enabled: expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of("npu:\n  array: 32\n").find("npu.array: expected a map"), std::string::npos);
  EXPECT_NE(error_of("npu:\n  array:\n    rows: [1, 2]\n").find("expected a integer value, got a list"),
            std::string::npos);
}

TEST(ArchConfig, UnknownChoiceListsTheKnownOnes) {
  const std::string e = error_of("npu:\n  array:\n    dataflow: rs\n");
  EXPECT_NE(e.find("'rs' is not one of: os, ws, is"), std::string::npos) << e;
  const std::string f = error_of("bus:\n  arbitration: lottery\n");
  EXPECT_NE(f.find("not one of: round_robin, fixed_priority"), std::string::npos) << f;
}

TEST(ArchConfig, MalformedDocumentsAreUserErrors) {
  EXPECT_NE(error_of("").find("empty config"), std::string::npos);
  EXPECT_NE(error_of("- a\n- b\n").find("top level must be a map"), std::string::npos);
  EXPECT_NE(error_of("npu: [unclosed\n").find("YAML syntax error at line"), std::string::npos);
  EXPECT_NE(error_of("npu:\n  enabled: true\n  enabled: false\n").find("key given twice"),
            std::string::npos);
  EXPECT_THROW(load_arch_config("/nonexistent.yaml"), UserError);
  EXPECT_THROW(load_arch_config("/tmp"), UserError);
}

TEST(ArchConfig, CrossFieldRulesAreChecked) {
  EXPECT_NE(error_of("npu:\n  enabled: false\ncim:\n  enabled: false\n").find("nothing can compute"),
            std::string::npos);
  EXPECT_NE(error_of("cim:\n  cols: 64\n  cols_per_adc: 128\n").find("does not divide cim.cols"),
            std::string::npos);
  EXPECT_NE(error_of("dram:\n  tras_cycles: 10\n").find("tRAS >= tRCD"), std::string::npos);
}

TEST(ArchConfig, HashIgnoresKeyOrderAndExplicitDefaults) {
  const ArchConfig a = parse_arch_config("npu:\n  array:\n    rows: 16\n    cols: 64\n", "a");
  const ArchConfig b = parse_arch_config(
      "npu:\n  array:\n    cols: 64\n    rows: 16\n    dataflow: os\ncim:\n  macro_count: 4\n", "b");
  EXPECT_EQ(config_hash(a), config_hash(b));
  const ArchConfig c = parse_arch_config("npu:\n  array:\n    rows: 32\n", "c");
  EXPECT_NE(config_hash(a), config_hash(c));
  EXPECT_EQ(config_hash(a).size(), 16u);
}

TEST(ArchConfig, OverrideByPathValidatesLikeYaml) {
  ArchConfig c = default_arch_config();
  set_arch_param(c, "npu.array.rows", "64");
  EXPECT_EQ(c.npu.array.rows, 64);
  EXPECT_THROW(set_arch_param(c, "npu.array.rows", "0"), UserError);
  EXPECT_THROW(set_arch_param(c, "npu.arry.rows", "8"), UserError);
}

TEST(ArchConfig, DefaultDramPeakBandwidthIsLpddr4_4266TwoChannels) {
  // 2 channels × 2 B × 2 beats per 0.469 ns = 17.06 GB/s (background: ~17 GB/s per 32 bit).
  EXPECT_NEAR(default_arch_config().dram.peak_bytes_per_ns(), 17.06, 0.01);
}

TEST(ArchConfig, ShowPrintsEveryKeyWithUnits) {
  const std::string s = show_arch_config(load_arch_config(preset("hetero.yaml")));
  for (const auto& d : arch_param_decls()) {
    const std::string leaf = d.path.substr(d.path.rfind('.') + 1);
    EXPECT_NE(s.find(leaf + ":"), std::string::npos) << d.path;
  }
  EXPECT_NE(s.find("rows: 32  # [PEs]"), std::string::npos) << s.substr(0, 600);
  // What `show` prints parses back to the same config.
  EXPECT_EQ(config_hash(parse_arch_config(s, "shown")),
            config_hash(load_arch_config(preset("hetero.yaml"))));
}

// Found by fuzzing (tests/fuzz/regressions/arch_config/): a group key with no value used to
// be read through a dangling yaml-cpp node (ASan: stack-use-after-scope).
TEST(ArchConfig, GroupKeyWithoutKeysIsRejectedWithPath) {
  EXPECT_EQ(error_of("bus:"), "t.yaml: bus: expected a map of keys (line 1)");
  EXPECT_EQ(error_of("npu:\n  array: 4\n"), "t.yaml: npu.array: expected a map of keys (line 2)");
}

// `base:` chains: a file starts from another (relative to itself), overrides what it gives,
// keeps what the base gave (including against the base's DRAM preset), and a cycle or a
// missing base is an error naming the file that points to it.
class ArchConfigBase : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("h4h_base_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "sub");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(ArchConfigBase, AFileOverridesItsBaseAndInheritsTheRest) {
  write("base.yaml", "name: b\nnpu:\n  array: {rows: 64, cols: 16}\ndram:\n  tcl_cycles: 50\n");
  const std::string child =
      write("sub/child.yaml", "base: ../base.yaml\nnpu:\n  array: {cols: 128}\ndram:\n  kind: lpddr5_6400\n");
  const ArchConfig c = load_arch_config(child);
  EXPECT_EQ(c.name, "b");
  EXPECT_EQ(c.npu.array.rows, 64);
  EXPECT_EQ(c.npu.array.cols, 128);
  EXPECT_EQ(c.dram.tcl_cycles, 50) << "a key the base gave is not refilled by the child's preset";
  EXPECT_EQ(c.dram.tck_ps, 313) << "the rest comes from the child's preset";
  EXPECT_EQ(c.origin, child);
  // The same as writing everything in one file.
  const ArchConfig flat = parse_arch_config(
      "name: b\nnpu:\n  array: {rows: 64, cols: 128}\ndram:\n  kind: lpddr5_6400\n  tcl_cycles: 50\n", "flat");
  EXPECT_EQ(config_hash(c), config_hash(flat));
}

TEST_F(ArchConfigBase, ChainsNestAndPresetsCanBeBases) {
  write("a.yaml", "base: " + preset("hetero.yaml") + "\ncim:\n  macro_count: 8\n");
  const std::string b = write("b.yaml", "base: a.yaml\nnpu:\n  array: {rows: 8}\n");
  const ArchConfig c = load_arch_config(b);
  const ArchConfig h = load_arch_config(preset("hetero.yaml"));
  EXPECT_EQ(c.cim.macro_count, 8);
  EXPECT_EQ(c.npu.array.rows, 8);
  EXPECT_TRUE(c.cim.enabled);
  EXPECT_EQ(c.npu.array.cols, h.npu.array.cols);
}

TEST_F(ArchConfigBase, CyclesAndMissingBasesNameTheFile) {
  const std::string a = write("a.yaml", "base: b.yaml\n");
  write("b.yaml", "base: a.yaml\n");
  const std::string self = write("self.yaml", "base: self.yaml\n");
  const std::string missing = write("m.yaml", "base: nothere.yaml\n");
  const std::string bad = write("bad.yaml", "base: [1]\n");
  auto err = [](const std::string& p) {
    try {
      load_arch_config(p);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(err(a).find("a cycle"), std::string::npos) << err(a);
  EXPECT_NE(err(self).find("a cycle"), std::string::npos) << err(self);
  EXPECT_NE(err(missing).find(missing + ": base: "), std::string::npos) << err(missing);
  EXPECT_NE(err(missing).find("nothere.yaml"), std::string::npos) << err(missing);
  EXPECT_NE(err(bad).find("base: expected the path"), std::string::npos) << err(bad);
}

TEST(ArchConfigOverrides, SetAppliesInOrderAndNamesTheOverrideOnError) {
  ArchConfig c = load_arch_config(preset("hetero.yaml"), {"npu.array.rows=64", "npu.array.rows=32",
                                                          "dram.kind=lpddr5x_8533"});
  EXPECT_EQ(c.npu.array.rows, 32);
  EXPECT_EQ(c.dram.tck_ps, 235);
  EXPECT_TRUE(c.given_keys.count("npu.array.rows"));
  auto err = [](const std::vector<std::string>& kv) {
    try {
      load_arch_config(preset("hetero.yaml"), kv);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(err({"npu.array.rows"}).find("--set npu.array.rows: expected KEY=VALUE"), std::string::npos);
  EXPECT_NE(err({"npu.array.rowz=4"}).find("--set npu.array.rowz=4: npu.array.rowz: unknown key; did you mean"),
            std::string::npos);
  EXPECT_NE(err({"npu.array.rows=0"}).find("--set npu.array.rows=0: npu.array.rows: must be > 0"),
            std::string::npos);
  // A cross-key rule broken by the overrides names them and the file.
  const std::string e = err({"cim.cols=128", "cim.cols_per_adc=256"});
  EXPECT_NE(e.find("with --set cim.cols=128 --set cim.cols_per_adc=256"), std::string::npos) << e;
}

}  // namespace
}  // namespace h4h
