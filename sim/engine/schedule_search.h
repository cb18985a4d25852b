#pragma once
// The `auto` schema's schedule: which unit runs each static-weight kernel, with the units
// overlapping wherever the DAG allows, chosen by running candidate schedules on the engine
// itself (its memory, bus and DRAM contention included) and keeping the best for the
// objective. Candidates: the per-kernel estimate, a HEFT list schedule
// (list_schedule_units), everything on the array, everything on CIM — each with the units
// overlapping — and the two fixed schemas as they run (npu_only, cim_static, in order). So
// `auto` is never worse than a fixed schema on its own objective. Deterministic: no
// randomness, ties go to the earlier candidate. Other schemas map and run as they are.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "frontend/workload.h"
#include "sim/engine/run_stats.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"

namespace h4h {

enum class Objective { latency, energy, edp };
const char* to_string(Objective o);
Objective parse_objective(const std::string& name);  // UserError listing the names

struct ScheduleTrial {
  std::string name;  // "estimate", "list", "npu", "cim", "npu_only", "cim_static"
  bool concurrent = false;
  double latency_ns = 0;  // summed over the run's inferences
  double energy_pj = 0;
  double score = 0;  // the objective's value (lower is better)
  int npu_kernels = 0, cim_kernels = 0;
};

struct ScheduledRun {
  Mapping mapping;
  RunStats stats;
  std::vector<ScheduleTrial> trials;  // auto: every candidate tried, in order
  int chosen = -1;                    // index into trials
};

// Maps and runs `w`: under auto, the best candidate for `objective` (trials listed); under
// another schema, map_workload and one run.
ScheduledRun run_scheduled(System& sys, const Workload& w, const SchemaSpec& spec,
                           const RunOptions& opts, Objective objective = Objective::latency);

// The search as reported: the objective, the chosen candidate and every trial (JSON), or a
// few lines after the run's table (text; empty when nothing was searched).
nlohmann::json schedule_json(const ScheduledRun& r, Objective objective);
std::string schedule_table(const ScheduledRun& r, Objective objective);

}  // namespace h4h
