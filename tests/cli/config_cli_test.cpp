// `h4hsim config check|show`: presets pass; every YAML mistake is exit code 2 and one line
// naming the file and the YAML path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/cli/cli_test_util.h"

namespace h4h {
namespace {

using test::run_cli;
using test::src;
namespace fs = std::filesystem;

TEST(ConfigCli, EveryPresetChecksClean) {
  for (const char* p : {"npu_only.yaml", "cim_only.yaml", "hetero.yaml"}) {
    SCOPED_TRACE(p);
    auto r = run_cli("config check " + src(std::string("arch_configs/") + p));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("ok"), std::string::npos);
  }
}

TEST(ConfigCli, ShowPrintsResolvedValuesWithUnits) {
  auto r = run_cli("config show " + src("arch_configs/npu_only.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tcl_cycles: 36  # (preset lpddr4_4266) [tCK]"), std::string::npos);
  EXPECT_NE(r.out.find("enabled: false"), std::string::npos);
}

TEST(ConfigCli, ShowMarksWhichDramValuesTheKindPresetFilled) {
  // A preset fills what the file leaves out and never replaces what it gives.
  const std::string yaml = "/tmp/h4h_cfg_preset_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(yaml) << "dram:\n  kind: lpddr5_6400\n  tcl_cycles: 90\n";
  auto r = run_cli("config show " + yaml);
  std::remove(yaml.c_str());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("kind: lpddr5_6400"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tcl_cycles: 90  # [tCK]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tck_ps: 313  # (preset lpddr5_6400) [ps]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("banks: 16  # (preset lpddr5_6400)"), std::string::npos) << r.out;
}

TEST(ConfigCli, KeyReferenceDocIsUpToDate) {
  auto r = run_cli("config keys");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, test::slurp(src("docs/arch_config.md")))
      << "docs/arch_config.md is stale: regenerate with `h4hsim config keys > docs/arch_config.md`";
}

TEST(ConfigCli, YamlMistakesAreExitCode2WithOneLine) {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"npu:\n  array:\n    rowz: 16\n", "npu.array.rowz: unknown key; did you mean 'npu.array.rows'?"},
      {"npu:\n  array:\n    rows: abc\n", "npu.array.rows: expected an integer, got 'abc'"},
      {"npu:\n  array:\n    rows: 0\n", "npu.array.rows: must be > 0, got 0"},
      {"npu:\n  array:\n    cols: -4\n", "npu.array.cols: must be > 0, got -4"},
      {"dram:\n  channels: 3\n", "dram.channels: must be a power of two, got 3"},
      {"npu:\n  array:\n    dataflow: xy\n", "npu.array.dataflow: 'xy' is not one of: os, ws, is"},
      {"npu: [1, 2\n", "YAML syntax error"},
      {"", "empty config"},
  };
  int k = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.yaml);
    const std::string path = "/tmp/h4h_cfg_" + std::to_string(::getpid()) + "_" +
                             std::to_string(k++) + ".yaml";
    std::ofstream(path) << c.yaml;
    auto r = run_cli("config check " + path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(test::line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    std::remove(path.c_str());
  }
  auto r = run_cli("config check /nonexistent.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no such file"), std::string::npos);
}

}  // namespace
}  // namespace h4h

namespace h4h {
namespace {

TEST(ScaleSimCli, WritesComputeReportIntoTheOutputDirectory) {
  const std::string out = "/tmp/h4h_scalesim_" + std::to_string(::getpid());
  auto r = test::run_cli("scalesim -c " + test::src("tests/data/scalesim/scale.cfg") + " -t " +
                         test::src("tests/data/scalesim/vit_s.csv") + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string report = test::slurp(out + "/COMPUTE_REPORT.csv");
  EXPECT_EQ(report.rfind("LayerID, Total Cycles,", 0), 0u);
  EXPECT_EQ(test::line_count(report), 6);  // header + 5 GEMM layers
  std::remove((out + "/COMPUTE_REPORT.csv").c_str());
  ::rmdir(out.c_str());
}

TEST(ScaleSimCli, BadConfigIsExitCode2AndWritesNothing) {
  const std::string out = "/tmp/h4h_scalesim_bad_" + std::to_string(::getpid());
  auto r = test::run_cli("scalesim -c " + test::src("tests/data/scalesim/alexnet.csv") + " -t " +
                         test::src("tests/data/scalesim/alexnet.csv") + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
  EXPECT_TRUE(test::slurp(out + "/COMPUTE_REPORT.csv").empty());
}

}  // namespace
}  // namespace h4h

namespace h4h {
namespace {

std::vector<std::vector<int64_t>> report_rows(const std::string& text) {
  std::vector<std::vector<int64_t>> rows;
  std::stringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<int64_t> f;
    std::stringstream ls(line);
    std::string cell;
    for (int c = 0; c < 3 && std::getline(ls, cell, ','); ++c) f.push_back(std::stoll(cell));
    rows.push_back(f);
  }
  return rows;
}

TEST(ScaleSimCli, MemoryModeAddsStallsOnTopOfTheIdealComputeCycles) {
  const std::string ideal = "/tmp/h4h_ss_ideal_" + std::to_string(::getpid());
  const std::string mem = "/tmp/h4h_ss_mem_" + std::to_string(::getpid());
  const std::string io = " -c " + test::src("tests/data/scalesim/scale.cfg") + " -t " +
                         test::src("tests/data/scalesim/alexnet.csv");
  ASSERT_EQ(test::run_cli("scalesim" + io + " -o " + ideal).exit_code, 0);
  auto r = test::run_cli("scalesim" + io + " -o " + mem + " --memory");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto a = report_rows(test::slurp(ideal + "/COMPUTE_REPORT.csv"));
  const auto b = report_rows(test::slurp(mem + "/COMPUTE_REPORT.csv"));
  ASSERT_EQ(a.size(), 5u);
  ASSERT_EQ(b.size(), a.size());
  int64_t stalls = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i][2], 0);                   // ideal memory never stalls
    EXPECT_GE(b[i][2], 0);
    EXPECT_EQ(b[i][1] - b[i][2], a[i][1]);   // total = compute + stall
    stalls += b[i][2];
  }
  EXPECT_GT(stalls, 0);  // LPDDR4 cannot hide every load
}

TEST(ConfigCli, SetOverridesTheConfigOfEveryCommandThatTakesOne) {
  const std::string hetero = src("arch_configs/hetero.yaml");
  auto r = run_cli("config show " + hetero + " --set npu.array.rows=64 --set dram.kind=lpddr5_6400");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rows: 64  # [PEs]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tck_ps: 313  # (preset lpddr5_6400)"), std::string::npos);
  // The sweep's base config moves (its hash is in the plan's points).
  const std::string spec = src("arch_configs/sweeps/npu_cim_dram.yaml");
  auto plain = run_cli("sweep plan " + spec + " --show 1");
  auto moved = run_cli("sweep plan " + spec + " --show 1 --set npu.sram.ifmap_kib=512");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(plain.out, moved.out);
  // Every command that takes a config applies --set (a typo in one is the same clear error).
  const std::string fmnist = "--space h4h_fmnist -a " + hetero;
  for (const std::string& cmd :
       {"config check " + hetero, "run -m " + src("tests/data/onnx/resnet18_op17.onnx") + " -a " + hetero,
        "sweep plan " + spec, "sweep run " + spec + " --db /tmp/h4h_set_never.sqlite",
        "nas lut " + fmnist + " -o /tmp/h4h_set_never.json", "nas validate " + fmnist + " --lut /dev/null",
        "nas estimate " + fmnist + " --lut x.json --subnet smallest",
        "nas search " + fmnist + " --lut /dev/null -o /tmp/h4h_set_never"}) {
    SCOPED_TRACE(cmd);
    auto e = run_cli(cmd + " --set npu.array.rowz=4");
    EXPECT_EQ(e.exit_code, 2) << e.err;
    EXPECT_NE(e.err.find("--set npu.array.rowz=4: npu.array.rowz: unknown key"), std::string::npos) << e.err;
  }
  EXPECT_FALSE(fs::exists("/tmp/h4h_set_never.sqlite"));
  EXPECT_FALSE(fs::exists("/tmp/h4h_set_never.json"));
  EXPECT_FALSE(fs::exists("/tmp/h4h_set_never"));
}

}  // namespace
}  // namespace h4h
