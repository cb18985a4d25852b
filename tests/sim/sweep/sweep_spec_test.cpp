// Sweep specs: the grid is the product of the axes, ranges and random axes give the values
// they promise, bundles set several keys, constraints drop points, and every mistake names
// the YAML path (with the closest key for a typo).
#include <cmath>

#include <gtest/gtest.h>

#include "sim/sweep/sweep_spec.h"
#include "tests/sim/sweep/sweep_test_util.h"

using namespace h4h;
using namespace h4h::test;

namespace {
std::vector<std::string> labels(const SweepAxis& a) {
  std::vector<std::string> v;
  for (const auto& x : a.values) v.push_back(x.label);
  return v;
}
}  // namespace

TEST(SweepSpec, GridIsTheProductOfTheAxesWithTheLastAxisFastest) {
  const SweepSpec s = parse_spec(tiny_spec("  npu.array.rows: [16, 32]\n  cim.macro_count: [4, 8, 16]\n"));
  const SweepPlan p = plan_sweep(s);
  EXPECT_EQ(p.grid_size, 6);
  ASSERT_EQ(p.points.size(), 6u);
  EXPECT_EQ(sweep_point_config(s, p.points[0]).npu.array.rows, 16);
  EXPECT_EQ(sweep_point_config(s, p.points[0]).cim.macro_count, 4);
  EXPECT_EQ(sweep_point_config(s, p.points[1]).cim.macro_count, 8);
  EXPECT_EQ(sweep_point_config(s, p.points[3]).npu.array.rows, 32);
  EXPECT_EQ(sweep_point_config(s, p.points[3]).cim.macro_count, 4);
  EXPECT_EQ(p.points[5].params, (std::vector<std::pair<std::string, std::string>>{{"npu.array.rows", "32"},
                                                                                 {"cim.macro_count", "16"}}));
  // Keys not swept keep the base config's values; every point has its own config hash.
  EXPECT_EQ(sweep_point_config(s, p.points[2]).npu.array.cols, 32);
  std::set<std::string> hashes;
  for (const auto& pt : p.points) hashes.insert(pt.config_hash);
  EXPECT_EQ(hashes.size(), 6u);
  EXPECT_EQ(s.schemas, std::vector<std::string>{"auto"});  // the base config's default
}

TEST(SweepSpec, StepRangesIncludeTheStopAndLogStepsAreGeometric) {
  const SweepSpec s = parse_spec(tiny_spec("  cim.macro_count: {start: 4, stop: 32, step: 4}\n"
                                           "  npu.clock_mhz: {start: 100, stop: 800, log_steps: 4}\n"
                                           "  energy.npu_mac_pj: {start: 0.1, stop: 0.3, step: 0.1}\n"));
  EXPECT_EQ(labels(s.axes[0]), (std::vector<std::string>{"4", "8", "12", "16", "20", "24", "28", "32"}));
  EXPECT_EQ(labels(s.axes[1]), (std::vector<std::string>{"100", "200", "400", "800"}));
  ASSERT_EQ(s.axes[2].values.size(), 3u);  // 0.1 + 2 * 0.1 reaches 0.3 despite rounding
}

TEST(SweepSpec, RandomAxesAreSeededWithinBoundsAndIndependentOfOtherAxes) {
  const std::string axis = "  npu.clock_mhz: {random: 6, min: 64, max: 512}\n";
  const SweepSpec a = parse_spec(tiny_spec(axis, "seed: 7\n"));
  const SweepSpec b = parse_spec(tiny_spec(axis + "  npu.array.rows: [16, 32]\n", "seed: 7\n"));
  const SweepSpec c = parse_spec(tiny_spec(axis, "seed: 8\n"));
  EXPECT_EQ(labels(a.axes[0]), labels(b.axes[0]));
  EXPECT_NE(labels(a.axes[0]), labels(c.axes[0]));
  for (const auto& l : labels(a.axes[0])) {
    EXPECT_GE(std::stod(l), 64);
    EXPECT_LE(std::stod(l), 512);
  }
  // Power-of-two keys snap to powers of two.
  const SweepSpec p2 = parse_spec(tiny_spec("  cim.rows: {random: 20, min: 64, max: 512, log: true}\n"));
  for (const auto& l : labels(p2.axes[0])) {
    const int v = std::stoi(l);
    EXPECT_TRUE(v == 64 || v == 128 || v == 256 || v == 512) << l;
  }
  const SweepSpec lg = parse_spec(tiny_spec("  npu.clock_mhz: {random: 200, min: 10, max: 1000, log: true}\n"));
  int below_100 = 0;
  for (const auto& l : labels(lg.axes[0])) below_100 += std::stod(l) < 100;
  // Log-uniform: half the draws below the geometric middle (100), not 9 % as uniform would.
  EXPECT_GT(below_100, static_cast<int>(lg.axes[0].values.size()) / 3);
}

TEST(SweepSpec, BundleAxisSetsSeveralKeysPerValue) {
  const SweepSpec s = parse_spec(tiny_spec("  array:\n    small: {npu.array.rows: 16, npu.array.cols: 16}\n"
                                           "    big: {npu.array.rows: 64, npu.array.cols: 64}\n"
                                           "  dram:\n    lpddr4: {}\n    lpddr5: {dram.kind: lpddr5, dram.banks: 16}\n"));
  const SweepPlan p = plan_sweep(s);
  ASSERT_EQ(p.points.size(), 4u);
  EXPECT_EQ(sweep_point_config(s, p.points[0]).npu.array.cols, 16);
  EXPECT_EQ(sweep_point_config(s, p.points[0]).dram.kind, "lpddr4_4266");
  EXPECT_EQ(sweep_point_config(s, p.points[0]).dram.tck_ps, 469);
  EXPECT_EQ(sweep_point_config(s, p.points[1]).dram.banks, 16);
  // dram.kind set by an axis brings its preset's timings along.
  EXPECT_EQ(sweep_point_config(s, p.points[1]).dram.tck_ps, 313);
  EXPECT_EQ(sweep_point_config(s, p.points[1]).dram.tcl_cycles, 80);
  EXPECT_EQ(sweep_point_config(s, p.points[3]).npu.array.rows, 64);
  EXPECT_EQ(p.points[3].params[0], (std::pair<std::string, std::string>{"array", "big"}));
  EXPECT_EQ(axis_sql_types(s)[0].second, "TEXT");
}

TEST(SweepSpec, ConstraintsDropPointsThatBreakThem) {
  const SweepSpec s = parse_spec(tiny_spec("  npu.array.rows: [8, 16, 32, 64]\n  npu.array.cols: [8, 16, 32, 64]\n",
                                           "constraints:\n  - \"npu.array.rows * npu.array.cols <= 1024\"\n"
                                           "  - \"npu.array.rows >= npu.array.cols\"\n"));
  const SweepPlan p = plan_sweep(s);
  EXPECT_EQ(p.grid_size, 16);
  // rows >= cols and rows*cols <= 1024: (8,8) (16,8) (16,16) (32,8) (32,16) (32,32) (64,8) (64,16)
  EXPECT_EQ(p.points.size(), 8u);
  EXPECT_EQ(p.dropped_by_constraints, 8);
  for (const auto& pt : p.points) {
    const ArchConfig cfg = sweep_point_config(s, pt);
    EXPECT_LE(cfg.npu.array.rows * cfg.npu.array.cols, 1024);
    EXPECT_GE(cfg.npu.array.rows, cfg.npu.array.cols);
  }
}

TEST(SweepSpec, TyposNameTheYamlPathAndSuggestTheClosestKey) {
  std::string e = spec_error(tiny_spec("  npu.aray.rows: [16]\n"));
  EXPECT_NE(e.find("axes.npu.aray.rows"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'npu.array.rows'"), std::string::npos) << e;
  e = spec_error(tiny_spec("  npu.array.rows: [16]\n", "schemes: [npu_only]\n"));
  EXPECT_NE(e.find("schemas"), std::string::npos) << e;
  e = spec_error(tiny_spec("  b:\n    x: {npu.array.rowz: 16}\n"));
  EXPECT_NE(e.find("axes.b.x.npu.array.rowz"), std::string::npos) << e;
  EXPECT_NE(e.find("npu.array.rows"), std::string::npos) << e;
  e = spec_error(tiny_spec("  npu.array.rows: [16]\n", "constraints: [\"npu.array.rowz < 4\"]\n"));
  EXPECT_NE(e.find("constraints[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'npu.array.rows'"), std::string::npos) << e;
  e = spec_error(tiny_spec("  npu.array.rows: [16]\n", "constraints: [\"npu.array.rows <\"]\n"));
  EXPECT_NE(e.find("constraints[0]"), std::string::npos) << e;
}

TEST(SweepSpec, BadValuesAndMissingFilesAreUserErrorsNamingThePath) {
  std::string e = spec_error(tiny_spec("  npu.array.rows: [16, -4]\n"));
  EXPECT_NE(e.find("axes.npu.array.rows[1]"), std::string::npos) << e;
  e = spec_error(tiny_spec("  npu.array.rows: [16, big]\n"));
  EXPECT_NE(e.find("axes.npu.array.rows[1]"), std::string::npos) << e;
  e = spec_error(tiny_spec("  cim.macro_count: {start: 8, stop: 4, step: 1}\n"));
  EXPECT_NE(e.find("below start"), std::string::npos) << e;
  e = spec_error(tiny_spec("  cim.macro_count: {start: 1, stop: 4, step: 0}\n"));
  EXPECT_NE(e.find("axes.cim.macro_count.step"), std::string::npos) << e;
  e = spec_error(tiny_spec("  npu.dataflow: {start: 1, stop: 4, step: 1}\n"));
  EXPECT_FALSE(e.empty());
  e = spec_error(tiny_spec("  npu.array.dataflow: [os, xs]\n"));
  EXPECT_NE(e.find("axes.npu.array.dataflow[1]"), std::string::npos) << e;
  e = spec_error("axes:\n  npu.array.rows: [16]\nmodels:\n  - /nonexistent/model.onnx\n");
  EXPECT_NE(e.find("models[0]"), std::string::npos) << e;
  EXPECT_NE(e.find("/nonexistent/model.onnx"), std::string::npos) << e;
  e = spec_error(tiny_spec("  npu.array.rows: [16]\n", "schemas: [npu_only, fastest]\n"));
  EXPECT_NE(e.find("schemas[1]"), std::string::npos) << e;
  e = spec_error(tiny_spec("  cim.macro_count: {start: 1, stop: 5000, step: 1}\n"));
  EXPECT_NE(e.find("axes.cim.macro_count: it gives 4097"), std::string::npos) << e;
  e = spec_error("models: []\naxes: {npu.array.rows: [16]}\n");
  EXPECT_NE(e.find("models"), std::string::npos) << e;
}

// Found by fuzzing (tests/fuzz/regressions/sweep_spec/): every axis used to be materialized,
// up to 10^6 values each, before planning refused the grid, so a few huge ranges took
// seconds and gigabytes just to parse (and one legal 10^6-value range 2 s and 280 MB). The
// axis that takes the grid past the limit is named.
TEST(SweepSpec, GridAboveTheLimitIsRefusedAtTheAxisThatCrossesIt) {
  const std::string big = "  energy.npu_mac_pj: {start: 1, stop: 100000, step: 1}\n";
  EXPECT_EQ(spec_error(tiny_spec(big + "  energy.vector_op_pj: {start: 1, stop: 100000, step: 1}\n")),
            "spec.yaml: axes.energy.vector_op_pj: 100000 values: with the axes before it the grid exceeds "
            "1000000 points (line 5)");
  EXPECT_EQ(spec_error(tiny_spec(big + "  npu.array.rows: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]\n")),
            "spec.yaml: axes.npu.array.rows: 11 values: with the axes before it the grid exceeds 1000000 "
            "points (line 5)");
  EXPECT_EQ(spec_error(tiny_spec(big + "  cim.rows: {random: 11, min: 64, max: 512}\n")),
            "spec.yaml: axes.cim.rows: 11 values: with the axes before it the grid exceeds 1000000 points "
            "(line 5)");
  // One generated axis stops at 10^5 values, as random axes always did.
  EXPECT_EQ(spec_error(tiny_spec("  energy.npu_mac_pj: {start: 1, stop: 100001, step: 1}\n")),
            "spec.yaml: axes.energy.npu_mac_pj: 100001 values (more than 100000, the limit for one axis) (line 4)");
  // Exactly at the limit is a legal spec.
  EXPECT_EQ(spec_error(tiny_spec(big + "  npu.array.rows: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]\n")), "");
}

// Found by fuzzing (tests/fuzz/regressions/sweep_spec/): yaml-cpp decoded a raw NUL in a
// scalar into bytes that are not UTF-8, and the spec's hash then threw from the JSON writer.
// YAML allows no control characters but tab, LF and CR.
TEST(SweepSpec, ControlCharacterInTheYamlIsRefusedWithItsLineAndColumn) {
  const std::string nul("\0", 1);
  EXPECT_EQ(spec_error(tiny_spec("  npu.array.rows: [16]\n", "schemas: [npu" + nul + "_only]\n")),
            "spec.yaml: line 7, column 14: control character 0x00; YAML text may not contain one");
}

TEST(SweepSpec, HashChangesWithWhatDecidesResultsOnly) {
  const std::string axes = "  npu.array.rows: [16, 32]\n  cim.macro_count: [4]\n";
  const SweepSpec a = parse_spec(tiny_spec(axes));
  const SweepSpec same = parse_spec(tiny_spec(axes, "# a comment\n"));
  const SweepSpec more = parse_spec(tiny_spec("  npu.array.rows: [16, 32, 64]\n  cim.macro_count: [4]\n"));
  const SweepSpec schema = parse_spec(tiny_spec(axes, "schemas: [npu_only]\n"));
  EXPECT_EQ(a.hash(), same.hash());
  EXPECT_NE(a.hash(), more.hash());
  EXPECT_NE(a.hash(), schema.hash());
}

TEST(SweepSpec, ConfigsBreakingCrossFieldRulesAreDroppedAndCounted) {
  // dram.tras_cycles must not be below dram.trcd_cycles (39 in the preset).
  const SweepPlan p = plan_sweep(parse_spec(tiny_spec("  dram.tras_cycles: [90, 20]\n")));
  EXPECT_EQ(p.points.size(), 1u);
  EXPECT_EQ(p.dropped_invalid, 1);
  EXPECT_FALSE(p.first_invalid.empty());
}
