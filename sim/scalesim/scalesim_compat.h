#pragma once
// SCALE-Sim compatibility: read SCALE-Sim v2's .cfg and write its COMPUTE_REPORT.csv, so
// SCALE-Sim users can check h4hsim's systolic-array timing against the tool they know.
// Per layer, "Total Cycles" follows SCALE-Sim v2's fold rule (models/npu/systolic_timing.h)
// with ideal memory (Stall Cycles = 0). Depthwise ("DP") layers are reported as SCALE-Sim
// reports them: one row per channel.
#include <cstdint>
#include <string>
#include <vector>

#include "frontend/workload.h"
#include "models/npu/systolic_timing.h"
#include "sim/config/arch_config.h"

namespace h4h {

struct ScaleSimConfig {
  std::string run_name = "h4hsim_run";
  // A cfg file must give the array (ArrayHeight is required); these are what a config built
  // in code starts from: the 32x32 output-stationary array h4hsim's presets use.
  SystolicArrayParams array{32, 32, SystolicDataflow::os};
  int64_t ifmap_sram_kb = 0, filter_sram_kb = 0, ofmap_sram_kb = 0;
  int64_t bandwidth_words_per_cycle = 0;
};

// Reads [general] run_name and [architecture_presets] ArrayHeight, ArrayWidth,
// IfmapSramSzkB, FilterSramSzkB, OfmapSramSzkB, Dataflow, Bandwidth ("Key: value" or
// "Key = value", as Python's configparser). Other keys and sections are accepted and
// ignored (SCALE-Sim has many that do not affect compute cycles). UserError on bad values.
ScaleSimConfig parse_scalesim_cfg(const std::string& text, const std::string& origin);
ScaleSimConfig load_scalesim_cfg(const std::string& path);

struct ScaleSimLayerReport {
  std::string name;
  int64_t total_cycles = 0;
  int64_t stall_cycles = 0;
  double overall_util_pct = 0;
  double mapping_efficiency_pct = 0;
  double compute_util_pct = 0;
};

// Most rows a COMPUTE_REPORT.csv may have (~15 MB of text). A depthwise layer adds one row
// per channel, so a one-line topology could otherwise ask for 2^40 rows; MobileNet has
// ~5,000. The same number as the ONNX node limit (kMaxGraphNodes).
constexpr int64_t kMaxComputeReportRows = 200000;

// One row per SCALE-Sim layer (a grouped conv contributes one row per group). UserError
// past kMaxComputeReportRows, before any row is made.
std::vector<ScaleSimLayerReport> scalesim_compute_report(const ScaleSimConfig& cfg,
                                                         const Workload& w);

// The arch config `--memory` simulates: h4hsim's defaults (bus, LPDDR4 DRAM) with the
// .cfg's array, dataflow and SRAM sizes, no CIM. SCALE-Sim's Bandwidth (words per cycle)
// becomes the bus width (the next power of two, in bytes at 8-bit words).
ArchConfig arch_from_scalesim(const ScaleSimConfig& cfg);
// COMPUTE_REPORT.csv text with SCALE-Sim's header and row format.
std::string format_compute_report(const std::vector<ScaleSimLayerReport>& rows);

}  // namespace h4h
