#include "sim/api/run_request.h"

#include <fmt/format.h>

#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/report/explain.h"
#include "sim/report/report.h"

namespace h4h {

namespace {

template <typename T>
T field(const nlohmann::json& j, const char* key, const char* type_name) {
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw UserError(fmt::format("run: '{}' must be {}", key, type_name));
  }
}

}  // namespace

RunRequest run_request_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw UserError("run: the request must be an object");
  static const char* const known[] = {"model", "arch",       "overrides", "schema",      "custom",
                                      "batch", "inferences", "objective", "search_runs", "trace"};
  for (const auto& item : j.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || item.key() == k;
    if (!ok) throw UserError(fmt::format("run: unknown argument '{}'", item.key()));
  }
  RunRequest r;
  auto present = [&](const char* k) { return j.contains(k) && !j.at(k).is_null(); };
  if (present("model")) r.model = field<std::string>(j, "model", "a path");
  if (present("arch")) r.arch = field<std::string>(j, "arch", "a path");
  if (present("overrides"))
    r.overrides = field<std::vector<std::string>>(j, "overrides", "a list of KEY=VALUE strings");
  if (present("schema")) r.schema = field<std::string>(j, "schema", "a schema name");
  if (present("custom")) r.custom = field<std::string>(j, "custom", "a path");
  if (present("batch")) r.batch = field<int64_t>(j, "batch", "an integer");
  if (present("inferences")) r.inferences = field<int>(j, "inferences", "an integer");
  if (present("objective"))
    r.objective = field<std::string>(j, "objective", "latency, energy or edp");
  if (present("search_runs")) r.search_runs = field<int>(j, "search_runs", "an integer");
  if (present("trace")) r.trace = field<bool>(j, "trace", "true or false");
  return r;
}

PreparedRun prepare_run(const RunRequest& r) {
  if (r.model.empty()) throw UserError("run: give the network (an .onnx model or a .csv topology)");
  if (r.arch.empty()) throw UserError("run: give the arch config (YAML)");
  if (r.batch && *r.batch <= 0) throw UserError(fmt::format("batch must be > 0, got {}", *r.batch));
  if (r.inferences <= 0 || r.inferences > 1000)
    throw UserError(fmt::format("inferences must be in 1..1000, got {}", r.inferences));
  if (r.search_runs && (*r.search_runs < 0 || *r.search_runs > 100000))
    throw UserError(fmt::format("search runs must be in 0..100000, got {}", *r.search_runs));
  PreparedRun p;
  p.cfg = load_arch_config(r.arch, r.overrides);
  p.spec.schema = parse_schema(r.schema ? *r.schema : default_schema_for(p.cfg));
  if (p.spec.schema == Schema::custom) {
    if (r.custom.empty()) throw UserError("the custom schema needs a rules YAML (--custom)");
    p.spec = load_custom_schema(r.custom);
  } else if (!r.custom.empty()) {
    throw UserError("custom rules (--custom) apply only to the custom schema");
  }
  if (r.objective) {
    p.objective = parse_objective(*r.objective);
    if (p.spec.schema != Schema::auto_select)
      throw UserError("the objective applies only to the auto schema (the searched schedule)");
  }
  if (r.search_runs) {
    if (p.spec.schema != Schema::auto_select)
      throw UserError("search runs apply only to the auto schema (the searched schedule)");
    p.search_runs = *r.search_runs;
  }
  FrontendOptions fo;
  fo.batch = r.batch.value_or(0);
  // The config's precision, then the custom rules' per-layer overrides.
  p.workload = apply_precision_rules(at_precision(load_workload(r.model, fo), p.cfg), p.spec);
  (void)map_workload(p.workload, p.cfg, p.spec);  // a mapping error surfaces before elaboration
  p.options.inferences = r.inferences;
  p.options.trace = r.trace;
  return p;
}

ScheduledRun execute_run(System& sys, const PreparedRun& p) {
  return run_scheduled(sys, p.workload, p.spec, p.options, p.objective, p.search_runs);
}

nlohmann::json run_result_json(const ScheduledRun& sr, const PreparedRun& p, bool explain) {
  nlohmann::json j = run_to_json(sr.stats, p.workload);
  if (!sr.trials.empty()) j["schedule"] = schedule_json(sr, p.objective);
  if (explain) j["explain"] = explain_json(sr.stats, p.workload, p.cfg);
  return j;
}

}  // namespace h4h
