// SCALE-Sim compatibility: its .cfg is read as SCALE-Sim reads it, its COMPUTE_REPORT.csv
// is written in its format, and Total Cycles follow its fold rule per layer.
#include <gtest/gtest.h>

#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "sim/scalesim/scalesim_compat.h"

namespace h4h {
namespace {

std::string data(const std::string& f) { return std::string(H4H_SOURCE_DIR) + "/tests/data/scalesim/" + f; }

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
