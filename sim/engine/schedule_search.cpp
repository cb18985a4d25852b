#include "sim/engine/schedule_search.h"

#include <fmt/format.h>

#include <utility>

#include "frontend/user_error.h"
#include "sim/config/param_schema.h"

namespace h4h {
namespace {

struct Candidate {
  const char* name;
  SchemaSpec spec;
};

double score_of(Objective o, double latency_ns, double energy_pj) {
  switch (o) {
    case Objective::latency:
      return latency_ns;
    case Objective::energy:
      return energy_pj;
    case Objective::edp:
      return latency_ns * energy_pj;
  }
  return latency_ns;
}

// Every static-weight kernel on `u` where it can run there, the rest by estimate.
std::vector<Unit> all_on(const Workload& w, const ArchConfig& cfg, Unit u) {
  std::vector<Unit> units(w.kernels.size(), Unit::none);
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const Kernel& k = w.kernels[i];
    if (u == Unit::npu ? npu_can_run(k, cfg) && cim_can_run(w, k, cfg) : cim_can_run(w, k, cfg))
      units[i] = u;
  }
  return units;
}

std::vector<Candidate> candidates(const Workload& w, const ArchConfig& cfg,
                                  const SchemaSpec& spec) {
  auto auto_spec = [&](std::vector<Unit> assignment, bool serial) {
    SchemaSpec s = spec;
    s.assignment = std::move(assignment);
    s.serial = serial;
    return s;
  };
  std::vector<Candidate> c;
  c.push_back({"estimate", auto_spec({}, false)});
  if (cfg.npu.enabled && cfg.cim.enabled) {
    c.push_back({"list", auto_spec(list_schedule_units(w, cfg), false)});
    c.push_back({"npu", auto_spec(all_on(w, cfg, Unit::npu), false)});
    c.push_back({"cim", auto_spec(all_on(w, cfg, Unit::cim), false)});
  }
  // The fixed schemas exactly as they run, so auto never loses to one of them.
  if (cfg.npu.enabled) c.push_back({"npu_only", auto_spec(all_on(w, cfg, Unit::npu), true)});
  if (cfg.cim.enabled) c.push_back({"cim_static", auto_spec(all_on(w, cfg, Unit::cim), true)});
  return c;
}

}  // namespace

const char* to_string(Objective o) {
  switch (o) {
    case Objective::latency:
      return "latency";
    case Objective::energy:
      return "energy";
    case Objective::edp:
      return "edp";
  }
  return "?";
}

Objective parse_objective(const std::string& name) {
  for (Objective o : {Objective::latency, Objective::energy, Objective::edp})
    if (name == to_string(o)) return o;
  const std::string best = closest_match(name, {"latency", "energy", "edp"});
  throw UserError(fmt::format("--objective: '{}' is not one of: latency, energy, edp{}", name,
                              best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best)));
}

ScheduledRun run_scheduled(System& sys, const Workload& w, const SchemaSpec& spec,
                           const RunOptions& opts, Objective objective) {
  const ArchConfig& cfg = sys.config();
  ScheduledRun out;
  if (spec.schema != Schema::auto_select) {
    out.mapping = map_workload(w, cfg, spec);
    out.stats = sys.run(w, out.mapping, opts);
    return out;
  }
  RunOptions trial_opts = opts;
  trial_opts.trace = false;
  // Candidates that map to the same units and order are run once.
  std::vector<std::pair<std::vector<Unit>, bool>> seen;
  for (const Candidate& c : candidates(w, cfg, spec)) {
    Mapping m = map_workload(w, cfg, c.spec);
    std::vector<Unit> units;
    for (const auto& km : m.kernels) units.push_back(km.unit);
    const bool concurrent = c.spec.concurrent();
    bool duplicate = false;
    for (const auto& s : seen) duplicate |= s.first == units && s.second == concurrent;
    if (duplicate) continue;
    seen.emplace_back(units, concurrent);
    RunStats st = sys.run(w, m, trial_opts);
    ScheduleTrial t;
    t.name = c.name;
    t.concurrent = concurrent;
    for (const auto& inf : st.inferences) {
      t.latency_ns += inf.latency_ns;
      t.energy_pj += inf.energy.total();
    }
    t.score = score_of(objective, t.latency_ns, t.energy_pj);
    for (Unit u : units) {
      t.npu_kernels += u == Unit::npu;
      t.cim_kernels += u == Unit::cim;
    }
    out.trials.push_back(t);
    if (out.chosen < 0 || t.score < out.trials[static_cast<size_t>(out.chosen)].score) {
      out.chosen = static_cast<int>(out.trials.size()) - 1;
      out.mapping = std::move(m);
      out.stats = std::move(st);
    }
  }
  // The chosen schedule again, with what the trials left out (the trace).
  if (opts.trace) out.stats = sys.run(w, out.mapping, opts);
  return out;
}

nlohmann::json schedule_json(const ScheduledRun& r, Objective objective) {
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : r.trials)
    trials.push_back({{"name", t.name},
                      {"concurrent", t.concurrent},
                      {"latency_ns", t.latency_ns},
                      {"energy_pj", t.energy_pj},
                      {"npu_kernels", t.npu_kernels},
                      {"cim_kernels", t.cim_kernels}});
  return {{"objective", to_string(objective)},
          {"chosen", r.chosen >= 0 ? r.trials[static_cast<size_t>(r.chosen)].name : std::string()},
          {"trials", trials}};
}

std::string schedule_table(const ScheduledRun& r, Objective objective) {
  if (r.trials.empty()) return "";
  std::string out = fmt::format("\nauto schedule (objective {}): candidates run on the engine\n",
                                to_string(objective));
  out += fmt::format("  {:<12} {:<10} {:>12} {:>12} {:>5} {:>5}\n", "candidate", "units",
                     "latency ms", "energy mJ", "npu", "cim");
  for (size_t i = 0; i < r.trials.size(); ++i) {
    const ScheduleTrial& t = r.trials[i];
    out += fmt::format("{} {:<12} {:<10} {:>12.4f} {:>12.4f} {:>5} {:>5}\n",
                       static_cast<int>(i) == r.chosen ? "*" : " ", t.name,
                       t.concurrent ? "overlap" : "in order", t.latency_ns / 1e6, t.energy_pj / 1e9,
                       t.npu_kernels, t.cim_kernels);
  }
  return out;
}

}  // namespace h4h
