// SCALE-Sim compatibility: its .cfg is read as SCALE-Sim reads it, its COMPUTE_REPORT.csv
// is written in its format, and Total Cycles follow its fold rule per layer.
#include <gtest/gtest.h>

#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "sim/scalesim/scalesim_compat.h"
#include "tests/bounded_run.h"

namespace h4h {
namespace {

std::string data(const std::string& f) { return std::string(H4H_SOURCE_DIR) + "/tests/data/scalesim/" + f; }

std::string cfg_error(const std::string& text) {
  try {
    parse_scalesim_cfg(text, "t.cfg");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ScaleSimCompat, ConfigReadsArrayDataflowAndRunName) {
  const ScaleSimConfig c = load_scalesim_cfg(data("scale.cfg"));
  EXPECT_EQ(c.array.rows, 32);
  EXPECT_EQ(c.array.cols, 32);
  EXPECT_EQ(c.array.dataflow, SystolicDataflow::os);
  EXPECT_EQ(c.run_name, "scale_example_run_32x32_os");
  const ScaleSimConfig d = parse_scalesim_cfg(
      "[architecture_presets]\nArrayHeight = 8\nArrayWidth = 16\nDataflow = WS\n", "t.cfg");
  EXPECT_EQ(d.array.cols, 16);
  EXPECT_EQ(d.array.dataflow, SystolicDataflow::ws);
}

TEST(ScaleSimCompat, ConfigMistakesNameFileLineAndKey) {
  auto err = [](const std::string& text) -> std::string {
    try {
      parse_scalesim_cfg(text, "t.cfg");
    } catch (const UserError& e) {
      return e.what();
    }
    return "(none)";
  };
  EXPECT_NE(err("[general]\nrun_name = x\n").find("ArrayHeight is missing"), std::string::npos);
  EXPECT_NE(err("[architecture_presets]\nArrayHeight: 0\nArrayWidth: 4\n").find("t.cfg:2: ArrayHeight: must be > 0"),
            std::string::npos);
  EXPECT_NE(err("[architecture_presets]\nArrayHeight: 4\nArrayWidth: x\n").find("expected an integer"),
            std::string::npos);
  EXPECT_NE(err("[architecture_presets]\nArrayHeight: 4\nArrayWidth: 4\nDataflow: rs\n").find("not one of os, ws, is"),
            std::string::npos);
  EXPECT_NE(err("[architecture_presets\n").find("malformed section"), std::string::npos);
}

TEST(ScaleSimCompat, TotalCyclesFollowTheFoldRulePerLayer) {
  ScaleSimConfig c = load_scalesim_cfg(data("scale.cfg"));
  const Workload w = load_scalesim_topology(data("alexnet.csv"));
  const auto rows = scalesim_compute_report(c, w);
  ASSERT_EQ(rows.size(), 5u);
  // Conv1: 55·55 = 3025 pixels → 95 row folds; 96 filters → 3 col folds; K = 363.
  EXPECT_EQ(rows[0].total_cycles, 95 * 3 * (363 + 32 + 32 - 2) - 1);
  EXPECT_EQ(rows[0].stall_cycles, 0);
  for (const auto& r : rows) {
    EXPECT_GT(r.overall_util_pct, 0);
    EXPECT_LE(r.overall_util_pct, 100);
  }
}

TEST(ScaleSimCompat, DepthwiseLayersReportOneRowPerChannelAsScaleSimDoes) {
  ScaleSimConfig c = load_scalesim_cfg(data("scale.cfg"));
  const Workload w = load_scalesim_topology(data("mobilenet_dp.csv"));
  const auto rows = scalesim_compute_report(c, w);
  // Conv1, 32 rows for Conv2_DP, Conv2_PW, 64 rows for Conv3_DP, Conv3_PW, FC.
  ASSERT_EQ(rows.size(), 1u + 32 + 1 + 64 + 1 + 1);
  EXPECT_EQ(rows[1].name, "Conv2_DPChannel_0");
  // One channel: 112·112 pixels → 392 row folds, 1 filter, K = 9 on 32×32 OS.
  EXPECT_EQ(rows[1].total_cycles, 392 * (9 + 62) - 1);
}

// SCALE-Sim reads its .cfg with Python's configparser, which (strict) refuses a section or a
// key given twice; before, the last one silently won.
TEST(ScaleSimCompat, ConfigKeyGivenTwiceIsRefusedAsConfigparserDoes) {
  EXPECT_EQ(cfg_error("[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\narrayheight = 16\n"),
            "t.cfg:4: [architecture_presets] arrayheight is given twice (first at line 2)");
  EXPECT_EQ(cfg_error("[general]\nrun_name = a\n[architecture_presets]\nArrayHeight: 8\n"
                      "ArrayWidth: 8\n[general]\nrun_name = b\n"),
            "t.cfg:6: section [general] is given twice (first at line 1)");
}

// Before: the BOM glued to "[general]" made line 1 "expected 'Key: value'".
TEST(ScaleSimCompat, ConfigWithAByteOrderMarkLoads) {
  const ScaleSimConfig c = parse_scalesim_cfg(
      "\xEF\xBB\xBF[general]\nrun_name = bom\n[architecture_presets]\nArrayHeight: 8\n"
      "ArrayWidth: 4\n",
      "t.cfg");
  EXPECT_EQ(c.run_name, "bom");
  EXPECT_EQ(c.array.cols, 4);
}

// The run name becomes the arch name in `run --json`: escaped as ONNX names are.
TEST(ScaleSimCompat, ConfigTextThatIsNotUtf8IsEscaped) {
  const ScaleSimConfig c = parse_scalesim_cfg(
      "[general]\nrun_name = r\xff\x1b\n[architecture_presets]\nArrayHeight: 8\nArrayWidth: 4\n",
      "t.cfg");
  EXPECT_EQ(c.run_name, "r\\xff\\x1b");
  EXPECT_EQ(cfg_error("[architecture_presets]\nArrayHeight: 8\xfe\nArrayWidth: 4\n"),
            "t.cfg:2: ArrayHeight: expected an integer, got '8\\xfe'");
}

// A depthwise layer is one report row per channel: a one-line topology with 2^30 channels
// asked for 2^30 rows (tens of GB) before anything was written.
TEST(ScaleSimCompat, ReportRowsPastTheLimitAreRefusedBeforeAnyIsMade) {
  const auto r = test::run_in_child([] {
    const Workload w = parse_scalesim_topology(
        "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
        "Strides,\nConv_DP, 1, 1, 1, 1, 1073741824, 1, 1,\n",
        "dp.csv");
    try {
      scalesim_compute_report(load_scalesim_cfg(data("scale.cfg")), w);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message,
            "dp: COMPUTE_REPORT.csv would have more than 200000 rows (at layer 'Conv_DP', "
            "1073741824 rows: SCALE-Sim reports a depthwise layer channel by channel), h4hsim's "
            "limit");
  EXPECT_LT(r.seconds, 5.0);
  EXPECT_LT(r.max_rss_kb, 256 * 1024);
}

TEST(ScaleSimCompat, ReportUsesScaleSimHeaderAndRowFormat) {
  std::vector<ScaleSimLayerReport> rows(1);
  rows[0].total_cycles = 355;
  rows[0].overall_util_pct = 50;
  rows[0].mapping_efficiency_pct = 100;
  rows[0].compute_util_pct = 50;
  EXPECT_EQ(format_compute_report(rows),
            "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, "
            "Compute Util %,\n0, 355, 0, 50, 100, 50,\n");
}

}  // namespace
}  // namespace h4h
