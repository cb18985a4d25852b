#include "sim/engine/schedule_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "frontend/user_error.h"
#include "sim/config/param_schema.h"
#include "sim/engine/critical_path.h"

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

// The local search's moves, most promising first. Latency and EDP: the movable kernels on
// the critical path, longest first (moving one off a busy unit can shorten the path), then
// the others by how much faster the mapper expects them on the other unit. Energy: by the
// mapper's expected saving on the other unit, largest first.
std::vector<int> move_order(const Workload& w, const std::vector<int>& movable,
                            const std::vector<UnitEstimate>& est, const std::vector<Unit>& units,
                            const RunStats& stats, Objective objective) {
  const std::vector<bool> critical = critical_kernels(stats, w);
  std::vector<double> ran_ns(w.kernels.size(), 0);
  for (const auto& r : stats.records)
    if (r.inference == 0) ran_ns[static_cast<size_t>(r.index)] = r.end_ns - r.start_ns;
  auto other = [&](int k, bool energy) {
    const UnitEstimate& e = est[static_cast<size_t>(k)];
    const bool on_npu = units[static_cast<size_t>(k)] == Unit::npu;
    return energy ? (on_npu ? e.cim_pj - e.npu_pj : e.npu_pj - e.cim_pj)
                  : (on_npu ? e.cim_ns - e.npu_ns : e.npu_ns - e.cim_ns);
  };
  // (group, key): lower sorts first; the kernel index breaks ties.
  std::vector<std::tuple<int, double, int>> keyed;
  for (int k : movable) {
    if (objective == Objective::energy)
      keyed.emplace_back(0, other(k, true), k);
    else if (critical[static_cast<size_t>(k)])
      keyed.emplace_back(0, -ran_ns[static_cast<size_t>(k)], k);
    else
      keyed.emplace_back(1, other(k, false), k);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<int> order;
  for (const auto& [group, key, k] : keyed) order.push_back(k);
  return order;
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
                           const RunOptions& opts, Objective objective, int local_search_runs) {
  const ArchConfig& cfg = sys.config();
  ScheduledRun out;
  if (effective_schema(spec.schema, cfg) != Schema::auto_select) {
    SchemaSpec fixed = spec;
    fixed.schema = effective_schema(spec.schema, cfg);
    out.mapping = map_workload(w, cfg, fixed);
    out.stats = sys.run(w, out.mapping, opts);
    return out;
  }
  RunOptions trial_opts = opts;
  trial_opts.trace = false;
  // Schedules that map to the same units and order are run once.
  std::set<std::pair<std::vector<Unit>, bool>> seen;
  auto trial_of = [&](const char* name, bool concurrent, const std::vector<Unit>& units,
                      const RunStats& st) {
    ScheduleTrial t;
    t.name = name;
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
    return t;
  };
  // The best overlapping candidate: where the local search starts.
  struct Start {
    double score = -1;
    std::vector<Unit> units;
    Mapping mapping;
    RunStats stats;
  } start;
  for (const Candidate& c : candidates(w, cfg, spec)) {
    Mapping m = map_workload(w, cfg, c.spec);
    std::vector<Unit> units;
    for (const auto& km : m.kernels) units.push_back(km.unit);
    const bool concurrent = c.spec.concurrent();
    if (!seen.emplace(units, concurrent).second) continue;
    RunStats st = sys.run(w, m, trial_opts);
    const ScheduleTrial t = trial_of(c.name, concurrent, units, st);
    out.trials.push_back(t);
    const bool best = out.chosen < 0 || t.score < out.trials[static_cast<size_t>(out.chosen)].score;
    if (concurrent && (start.score < 0 || t.score < start.score)) {
      start.score = t.score;
      start.units = units;
      if (!best) start.mapping = m, start.stats = st;
    }
    if (best) {
      out.chosen = static_cast<int>(out.trials.size()) - 1;
      out.mapping = std::move(m);
      out.stats = std::move(st);
      if (concurrent) start.mapping = out.mapping, start.stats = out.stats;
    }
  }
  if (cfg.npu.enabled && cfg.cim.enabled && start.score >= 0 && local_search_runs > 0) {
    // Local search from the best overlapping schedule: one kernel to the other unit at a
    // time, first improvement kept, until no move in reach improves or the runs are spent.
    std::vector<int> movable;
    for (size_t i = 0; i < w.kernels.size(); ++i)
      if (npu_can_run(w.kernels[i], cfg) && cim_can_run(w, w.kernels[i], cfg))
        movable.push_back(static_cast<int>(i));
    std::vector<UnitEstimate> est;
    for (const Kernel& k : w.kernels) est.push_back(estimate_units(w, k, cfg));
    // A kernel already tried (moved or not) goes behind every untried one: after an
    // improvement the same unpromising moves are not spent again before new ones are tried.
    std::vector<bool> tried(w.kernels.size(), false);
    bool improved = true;
    while (improved && out.local_runs < local_search_runs) {
      improved = false;
      std::vector<int> order = move_order(w, movable, est, start.units, start.stats, objective);
      std::stable_partition(order.begin(), order.end(),
                            [&](int k) { return !tried[static_cast<size_t>(k)]; });
      for (int k : order) {
        if (out.local_runs >= local_search_runs) break;
        std::vector<Unit> units = start.units;
        units[static_cast<size_t>(k)] =
            units[static_cast<size_t>(k)] == Unit::npu ? Unit::cim : Unit::npu;
        SchemaSpec s = spec;
        s.assignment = units;
        s.serial = false;
        Mapping m = map_workload(w, cfg, s);
        std::vector<Unit> mapped;
        for (const auto& km : m.kernels) mapped.push_back(km.unit);
        if (!seen.emplace(mapped, true).second) continue;
        ++out.local_runs;
        tried[static_cast<size_t>(k)] = true;
        RunStats st = sys.run(w, m, trial_opts);
        const ScheduleTrial t = trial_of("local", true, mapped, st);
        if (t.score < start.score) {
          start = Start{t.score, mapped, std::move(m), std::move(st)};
          ++out.local_moves;
          improved = true;
          break;
        }
      }
    }
    if (out.local_moves > 0) {
      out.trials.push_back(trial_of("local", true, start.units, start.stats));
      if (out.trials.back().score < out.trials[static_cast<size_t>(out.chosen)].score) {
        out.chosen = static_cast<int>(out.trials.size()) - 1;
        out.mapping = std::move(start.mapping);
        out.stats = std::move(start.stats);
      }
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
          {"trials", trials},
          {"local_search", {{"runs", r.local_runs}, {"moves", r.local_moves}}}};
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
  out += fmt::format("  local search: {} engine runs, {} kernel{} moved to the other unit\n",
                     r.local_runs, r.local_moves, r.local_moves == 1 ? "" : "s");
  return out;
}

}  // namespace h4h
