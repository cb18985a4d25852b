#pragma once
// RunRequest: `h4hsim run` as a library call, shared by the CLI (cli/cmd_run.cpp), `compare`
// and the Python package (python/), so all three give the same numbers and the same
// messages. prepare_run() does everything that can fail on the user's input — the config
// with its overrides, the schema, the network, the precision, the mapping — before any
// elaboration; execute_run() simulates on an elaborated System; run_result_json() is
// `run --json`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend/workload.h"
#include "sim/config/arch_config.h"
#include "sim/engine/schedule_search.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"

namespace h4h {

struct RunRequest {
  std::string model;                   // ONNX (.onnx) or SCALE-Sim topology (.csv)
  std::string arch;                    // arch config YAML
  std::vector<std::string> overrides;  // KEY=VALUE, applied in order after the file
  std::optional<std::string> schema;   // none: default_schema_for(config)
  std::string custom;                  // rules YAML, for the custom schema only
  std::optional<int64_t> batch;        // none: the model's own (a dynamic axis gets 1)
  int inferences = 1;
  std::optional<std::string> objective;  // auto only; none: latency
  std::optional<int> search_runs;        // auto only; none: kDefaultLocalSearchRuns
  bool trace = false;                    // keep bus transactions for a timeline
};

// RunRequest from JSON ({"model": ..., "arch": ..., "overrides": [...], ...}: the field
// names above); UserError on an unknown field or a wrong type, naming it.
RunRequest run_request_from_json(const nlohmann::json& j);

struct PreparedRun {
  ArchConfig cfg;
  SchemaSpec spec;
  Workload workload;  // at the config's precision, the custom rules' overrides applied
  Objective objective = Objective::latency;
  int search_runs = kDefaultLocalSearchRuns;
  RunOptions options;
};

// Loads and checks everything; UserError (one line, naming the file, key or flag) on a
// mistake. Elaborates nothing.
PreparedRun prepare_run(const RunRequest& r);
ScheduledRun execute_run(System& sys, const PreparedRun& p);
// `run --json`: run_to_json, plus "schedule" when auto searched and "explain" on request.
nlohmann::json run_result_json(const ScheduledRun& sr, const PreparedRun& p, bool explain);

}  // namespace h4h
