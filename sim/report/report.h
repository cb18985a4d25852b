#pragma once
// How a run is shown: the per-kernel table and summary, the JSON contract (keys are only
// ever added), a per-kernel CSV, and a Chrome/Perfetto trace-event timeline.
#include <string>

#include <nlohmann/json.hpp>

#include "frontend/workload.h"
#include "sim/engine/run_stats.h"

namespace h4h {

nlohmann::json run_to_json(const RunStats& s, const Workload& w);
std::string run_table(const RunStats& s, const Workload& w);
std::string run_csv(const RunStats& s, const Workload& w);
// Trace-event JSON: one track per unit (NPU array, vector unit, each CIM macro, copy DMA,
// bus); one slice per kernel or bus transaction; timestamps in microseconds.
std::string run_trace(const RunStats& s, const Workload& w);

}  // namespace h4h
