#pragma once
// How a run is shown: the per-kernel table and summary, the JSON contract (keys are only
// ever added), a per-kernel CSV, and a Chrome/Perfetto trace-event timeline.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "frontend/workload.h"
#include "sim/config/arch_config.h"
#include "sim/engine/run_stats.h"

namespace h4h {

nlohmann::json run_to_json(const RunStats& s, const Workload& w);
// What the text table shows: every kernel of the first inference (default), the `top` with
// the most cycles (largest first), or none (`kernels` false: totals only); long names keep
// their last 35 characters unless `full_names`.
struct TableOptions {
  int top = 0;  // 0: every kernel
  bool kernels = true;
  bool full_names = false;
};
std::string run_table(const RunStats& s, const Workload& w, const TableOptions& o = {});
std::string run_csv(const RunStats& s, const Workload& w);
// Trace-event JSON: one track per unit (NPU array, vector unit, each CIM macro, copy DMA;
// bus and DRAM channels with TraceDetail::bursts); one slice per kernel or transfer;
// timestamps in microseconds.
// Trace counter tracks: "global buffer occupancy" (bytes) and "DRAM bandwidth" (GB/s).
// With the config, what `run --explain` says rides along: each first-inference kernel's
// args carry the mapper's estimate on every unit that could run it and whether it is on the
// critical path, and a "critical path" track repeats the critical kernels' slices.
// Detail: `kernels` (default) leaves out the per-transaction bus slices and per-segment DRAM
// slices (millions on a large network: ViT-B/16 twice made 54 MB); the bandwidth and
// occupancy counters stay. `bursts` adds them.
enum class TraceDetail { kernels, bursts };
std::string run_trace(const RunStats& s, const Workload& w, const ArchConfig* cfg = nullptr,
                      TraceDetail detail = TraceDetail::kernels);
// Where every activation tensor lived in the first inference: bytes, producer, lifetime
// (network-order steps and simulated ns), placement (global_buffer | dram), offset, the
// storage it shares (views), and why (on chip, spilled, network input/output, ablation).
nlohmann::json run_tensors_json(const RunStats& s, const Workload& w);
std::string run_tensors_csv(const RunStats& s, const Workload& w);

// The path (`at` + ".energy_breakdown_pj.dram", "kernels[3].energy_pj") of the first number in
// `j` that is NaN or infinite, or nullopt: JSON has no such numbers (nlohmann writes them as
// null), so a result holding one is a bug to report, never a value to store.
std::optional<std::string> first_non_finite(const nlohmann::json& j, const std::string& at = "");

}  // namespace h4h
