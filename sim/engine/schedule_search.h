#pragma once
// The `auto` schema's schedule: which unit runs each static-weight kernel, with the units
// overlapping wherever the DAG allows, chosen by running candidate schedules on the engine
// itself (its memory, bus and DRAM contention included) and keeping the best for the
// objective. Candidates: the per-kernel estimate, a HEFT list schedule
// (list_schedule_units), everything on the array, everything on CIM — each with the units
// overlapping — and the two fixed schemas as they run (npu_only, cim_static, in order). So
// `auto` is never worse than a fixed schema on its own objective; a local search then
// improves the best overlapping one (below). Deterministic: no randomness, ties go to the
// earlier candidate. Other schemas map and run as they are.
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
  std::vector<ScheduleTrial> trials;  // auto: every candidate tried, in order ("local" last)
  int chosen = -1;                    // index into trials
  int local_runs = 0;                 // engine runs of the local search
  int local_moves = 0;                // kernels it moved to the other unit (improvements)
};

// After the candidates, a local search (with both units): from the best overlapping
// schedule, move one kernel at a time to the other unit — for latency and EDP the kernels on
// the critical path first, longest first; for energy those the mapper expects to save most —
// keep a move that improves the objective, and start again from there, until no move in
// reach improves or `local_search_runs` engine runs are spent. Deterministic.
inline constexpr int kDefaultLocalSearchRuns = 16;

// Maps and runs `w`: under auto, the best schedule found for `objective` (trials listed);
// under another schema (or auto with one GEMM unit: effective_schema), one run.
ScheduledRun run_scheduled(System& sys, const Workload& w, const SchemaSpec& spec,
                           const RunOptions& opts, Objective objective = Objective::latency,
                           int local_search_runs = kDefaultLocalSearchRuns);

// The search as reported: the objective, the chosen candidate and every trial (JSON), or a
// few lines after the run's table (text; empty when nothing was searched).
nlohmann::json schedule_json(const ScheduledRun& r, Objective objective);
std::string schedule_table(const ScheduledRun& r, Objective objective);

}  // namespace h4h
