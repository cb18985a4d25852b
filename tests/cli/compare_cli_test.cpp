// `h4hsim compare A B --model M`: both runs are `run`'s, side by side; the kernel deltas
// match kernels by name; bad input is exit code 2 and one line.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"

namespace h4h {
namespace {

using test::run_cli;
using test::src;

TEST(CompareCli, BothSidesAreTheRunsOwnResultsAndKernelsMatchByName) {
  const std::string hetero = src("arch_configs/hetero.yaml");
  const std::string model = src("tests/data/onnx/resnet18_op17.onnx");
  auto r = run_cli("compare " + hetero + " " + hetero + " -m " + model +
                   " -s npu_only --set-b npu.array.rows=64 --set-b npu.array.cols=64 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  auto plain = run_cli("run -a " + hetero + " -m " + model + " -s npu_only --json");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const nlohmann::json ra = nlohmann::json::parse(plain.out);
  EXPECT_EQ(j["a"]["latency_ns"], ra["latency_ns"]);
  EXPECT_EQ(j["a"]["energy_pj"], ra["energy_pj"]);
  EXPECT_EQ(j["a"]["area_mm2"], ra["area_mm2"]);
  // 4x the PEs: faster, larger.
  EXPECT_LT(j["b"]["latency_ns"].get<double>(), j["a"]["latency_ns"].get<double>());
  EXPECT_GT(j["b"]["area_mm2"].get<double>(), j["a"]["area_mm2"].get<double>());
  ASSERT_EQ(j["kernels"].size(), ra["kernels"].size());
  // Most changed first.
  double last = 1e300;
  for (const auto& k : j["kernels"]) {
    const double d = std::abs(k["ns_b"].get<double>() - k["ns_a"].get<double>());
    EXPECT_LE(d, last);
    last = d;
  }
  // The text form names both configs with their overrides and lists --top kernels.
  auto t = run_cli("compare " + hetero + " " + hetero + " -m " + model +
                   " -s npu_only --set-b npu.array.rows=64 --top 3");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("with --set npu.array.rows=64"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("latency ms"), std::string::npos);
  EXPECT_NE(t.out.find("area npu_array mm2"), std::string::npos);
  EXPECT_NE(t.out.find("kernels that changed most"), std::string::npos);
}

// Under auto (the default with NPU and CIM), each side is the searched schedule `run` reports:
// compare used to run the mapper's first guess, 5.6 % slower than run on GoogLeNet.
TEST(CompareCli, UnderAutoEachSideIsRunsSearchedSchedule) {
  const std::string hetero = src("arch_configs/hetero.yaml");
  const std::string model = src("tests/data/onnx/googlenet_op17.onnx");
  auto r = run_cli("compare " + hetero + " " + hetero + " -m " + model +
                   " --set-b cim.macro_count=16 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  for (const auto& [side, set] : {std::pair{"a", ""}, std::pair{"b", " --set cim.macro_count=16"}}) {
    auto plain = run_cli("run -a " + hetero + " -m " + model + set + " --json");
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    const nlohmann::json ra = nlohmann::json::parse(plain.out);
    EXPECT_EQ(j[side]["latency_ns"], ra["latency_ns"]) << side;
    EXPECT_EQ(j[side]["energy_pj"], ra["energy_pj"]) << side;
    EXPECT_EQ(j[side]["schedule"], ra["schedule"]) << side;
  }
}

// A part only B has (CIM against an NPU-only chip) says so instead of an infinite change.
TEST(CompareCli, APartOnlyOneSideHasIsNamedNotAnInfiniteChange) {
  auto t = run_cli(
      "compare " + src("arch_configs/npu_only.yaml") + " " + src("arch_configs/hetero.yaml") +
      " -m " + src("tests/data/onnx/resnet18_op17.onnx") + " -s npu_only --set-b cim.enabled=true");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("only B"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("inf"), std::string::npos) << t.out;
}

TEST(CompareCli, BadInputIsExitCode2WithOneLine) {
  const std::string hetero = src("arch_configs/hetero.yaml");
  const std::string model = " -m " + src("tests/data/onnx/resnet18_op17.onnx");
  struct Case {
    std::string args, expected;
  };
  for (const Case& c :
       {Case{"compare " + hetero + " /nonexistent.yaml" + model, "/nonexistent.yaml"},
        Case{"compare " + hetero + " " + hetero + model + " --set-b npu.array.rowz=2",
             "--set npu.array.rowz=2: npu.array.rowz: unknown key"},
        Case{"compare " + hetero + " " + src("arch_configs/cim_only.yaml") + " -m " +
                 src("tests/data/onnx/vit_b_16_op17.onnx"),
             "attention"}}) {
    SCOPED_TRACE(c.args);
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(test::line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace h4h
