// `h4hsim sweep plan|run|merge|report`: co-design sweeps over hardware points x networks x
// schemas (sim/sweep/), with NAS subnets as models (nas/).
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "cli/nas_common.h"
#include "cli/number_flags.h"
#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "nas/onnx_builder.h"
#include "nas/subnet.h"
#include "sim/sweep/sweep_mpi.h"
#include "sim/sweep/sweep_report.h"
#include "sim/sweep/sweep_runner.h"

namespace h4h::cli {

namespace {

Workload load_sweep_model(const SweepModel& m) {
  FrontendOptions fo;
  fo.batch = m.batch;
  if (m.kind != "nas") return load_workload(m.path, fo);
  const nas::SearchSpace sp = load_space_arg(m.space);
  return load_onnx_model_workload(nas::build_subnet_model(sp, subnet_arg(sp, m.subnet)), m.name, fo);
}

// "i/n" → (i, n), 0 <= i < n.
std::pair<int, int> parse_shard(const std::string& text) {
  int i = -1, n = 0;
  char slash = 0;
  if (std::sscanf(text.c_str(), "%d%c%d", &i, &slash, &n) != 3 || slash != '/' || n < 1 || i < 0 || i >= n)
    throw UserError(fmt::format("--shard {}: expected i/n with 0 <= i < n (e.g. 0/4)", text));
  return {i, n};
}

// The spec and its plan (run_sweep_tasks loads the models before any worker starts).
struct Planned {
  SweepSpec spec;
  SweepPlan plan;
};
Planned plan_spec(const std::string& path, const std::vector<std::string>& set) {
  Planned p{load_sweep_spec(path, set), {}};
  p.plan = plan_sweep(p.spec);
  return p;
}

std::string plan_summary(const Planned& p) {
  std::string out = fmt::format("sweep {} ({}): {} points ({} in the grid", p.spec.name, p.spec.origin,
                                p.plan.points.size(), p.plan.grid_size);
  if (p.plan.dropped_by_constraints) out += fmt::format(", {} dropped by constraints", p.plan.dropped_by_constraints);
  if (p.plan.dropped_invalid) out += fmt::format(", {} invalid configs dropped", p.plan.dropped_invalid);
  if (p.plan.duplicates) out += fmt::format(", {} duplicates", p.plan.duplicates);
  out += fmt::format(") x {} models x {} schemas = {} runs\n", p.spec.models.size(), p.spec.schemas.size(),
                     p.plan.points.size() * p.spec.models.size() * p.spec.schemas.size());
  if (p.plan.dropped_invalid) out += fmt::format("  first invalid config: {}\n", p.plan.first_invalid);
  return out;
}

}  // namespace

void register_sweep(CLI::App& app) {
  auto* sweep = app.add_subcommand("sweep", "Co-design sweeps: hardware points x networks x schemas into SQLite");
  sweep->require_subcommand(1);

  // plan
  struct PlanArgs {
    std::string spec;
    int show = 10;
    std::vector<std::string> set;
  };
  auto pa = std::make_shared<PlanArgs>();
  auto* plan = sweep->add_subcommand("plan", "Validate a sweep spec and print its points");
  plan->add_option("spec", pa->spec, "Sweep spec (YAML)")->required();
  plan->add_option("--show", pa->show, "Points to list")->check(CLI::Range(0, 1000000));
  add_set_option(*plan, pa->set)->description("KEY=VALUE override of the spec's base config (repeatable)");
  plan->callback([pa]() {
    const Planned p = plan_spec(pa->spec, pa->set);
    for (const auto& m : p.spec.models) load_sweep_model(m);  // every model must load
    std::cout << plan_summary(p);
    std::cout << fmt::format("models: ");
    for (size_t i = 0; i < p.spec.models.size(); ++i)
      std::cout << (i ? ", " : "") << p.spec.models[i].name << " (" << p.spec.models[i].kind << ")";
    std::cout << "\nschemas: ";
    for (size_t i = 0; i < p.spec.schemas.size(); ++i) std::cout << (i ? ", " : "") << p.spec.schemas[i];
    std::cout << "\n";
    for (int i = 0; i < pa->show && i < static_cast<int>(p.plan.points.size()); ++i) {
      const SweepPoint& pt = p.plan.points[static_cast<size_t>(i)];
      std::string params;
      for (const auto& [k, v] : pt.params) params += fmt::format(" {}={}", k, v);
      std::cout << fmt::format("  #{:<5} {}{}\n", pt.index, pt.config_hash, params);
    }
    if (static_cast<int>(p.plan.points.size()) > pa->show)
      std::cout << fmt::format("  ... {} more\n", p.plan.points.size() - static_cast<size_t>(pa->show));
  });

  // run
  struct RunArgs {
    std::string spec, db, shard;
    std::vector<std::string> set;
    int jobs = 0;
    double timeout_s = 0;
    bool retry_failed = false, allow_change = false, mpi = false, quiet = false;
  };
  auto ra = std::make_shared<RunArgs>();
  auto* run = sweep->add_subcommand("run", "Run a sweep into a SQLite DB (resumes: finished rows are skipped)");
  auto run_files = std::make_shared<FileArgs>(run);
  run_files->input("spec", ra->spec, "Sweep spec (YAML)")->required();
  run_files->database("--db", ra->db, "Results DB (SQLite); with --mpi, a directory of shards")->required();
  run->add_option("--jobs,-j", ra->jobs, "Worker processes (default: every CPU; with --mpi, per rank: 1)")
      ->check(CLI::Range(1, 4096));
  add_set_option(*run, ra->set)
      ->description("KEY=VALUE override of the spec's base config, before the axes (repeatable)");
  run->add_flag("--retry-failed", ra->retry_failed, "Run failed rows again (finished ones are always skipped)");
  run->add_flag("--allow-spec-change", ra->allow_change, "Keep the DB's rows when the spec changed; add the new points");
  run->add_option(
      "--shard", ra->shard,
      "Run only shard i of n, i counting from 0 (i/n: points i, i+n, i+2n, ...; for job arrays)");
  run->add_flag("--mpi", ra->mpi, "Run under mpirun: rank 0 hands out points, every rank writes --db DIR/rank<r>.sqlite");
  run->add_option("--timeout-s", ra->timeout_s, "Kill and record as failed a point running longer than this")
      ->check(non_negative_number());
  run->add_flag("--quiet,-q", ra->quiet, "No progress bar");
  run->callback([ra, run, run_files]() {
    run_files->check();
    Planned p = plan_spec(ra->spec, ra->set);
    SweepRunOptions ro;
    ro.timeout_s = ra->timeout_s;
    ro.progress = !ra->quiet;
    if (ra->mpi) {
      if (!ra->shard.empty()) throw UserError("--shard and --mpi split the work two ways: give one");
      MpiSweepOptions mo;
      mo.dir = ra->db;
      mo.retry_failed = ra->retry_failed;
      mo.allow_spec_change = ra->allow_change;
      ro.jobs = run->count("--jobs") ? ra->jobs : 1;
      mo.run = ro;
      const int code = run_sweep_mpi(p.spec, p.plan, load_sweep_model, mo);
      if (code != 0) std::exit(code);
      return;
    }
    ro.jobs = run->count("--jobs") ? ra->jobs : static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    auto [shard_i, shard_n] = ra->shard.empty() ? std::pair{0, 1} : parse_shard(ra->shard);
    int code = 0;
    {  // the DB is closed (its WAL checkpointed) before the process exits with `code`
      ResultsDb db(ra->db);
      db.bind_spec(p.spec.canonical(), p.spec.hash(), p.spec.name, axis_sql_types(p.spec), ra->allow_change);
      const DbStatus done = db.status();
      std::vector<PointTask> tasks;
      for (auto& t : pending_tasks(p.spec, p.plan, done, ra->retry_failed))
        if (static_cast<int>(t.point % static_cast<size_t>(shard_n)) == shard_i) tasks.push_back(std::move(t));
      int64_t runs = 0;
      for (const auto& t : tasks) runs += static_cast<int64_t>(t.runs.size());
      const RunTally before =
          tally_runs(p.spec, p.plan, done, static_cast<size_t>(shard_i), static_cast<size_t>(shard_n));
      const int64_t failed_before = ra->retry_failed ? 0 : before.failed;  // skipped, and still failed
      std::cerr << plan_summary(p);
      std::cerr << fmt::format("{} runs to do{} ({}), {} worker processes\n", runs,
                               shard_n > 1 ? fmt::format(" in shard {}/{}", shard_i, shard_n) : "",
                               resume_note(before, ra->db, ra->retry_failed), ro.jobs);
      ListSource src(std::move(tasks));
      const SweepRunSummary s = run_sweep_tasks(p.spec, p.plan, load_sweep_model, src, runs, db, ro);
      std::cout << fmt::format("sweep {}: {} ok, {} failed in {:.1f} s{}{}; results in {}\n", p.spec.name, s.ok,
                               s.failed, s.wall_s,
                               failed_before ? fmt::format(" ({} more failed before, not retried)", failed_before) : "",
                               s.interrupted ? " (interrupted: run the same command to resume)" : "", ra->db);
      code = s.interrupted ? kSweepExitInterrupted : s.failed + failed_before > 0 ? kSweepExitRunsFailed : 0;
    }
    if (code != 0) std::exit(code);
  });
  run->footer("Exit status: 0 every run of the sweep (of the shard) is ok in --db; 1 it ran to the end but some runs "
              "failed (now, or before and not retried: --retry-failed); 2 a mistake in the input (nothing run); "
              "3 an internal error; 130 interrupted (the same command resumes).");

  // merge
  struct MergeArgs {
    std::vector<std::string> shards;
    std::string db;
  };
  auto ma = std::make_shared<MergeArgs>();
  auto* merge = sweep->add_subcommand("merge", "Combine shard DBs (--mpi, --shard) of one sweep into one DB");
  auto merge_files = std::make_shared<FileArgs>(merge);
  merge_files->inputs("shards", ma->shards, "Shard DBs")->required();
  merge_files->database("--db", ma->db,
                        "Merged DB (created, or extended: written beside it, then renamed over it; never a shard)")
      ->required();
  merge->callback([ma, merge_files]() {
    merge_files->check();
    const int64_t added = merge_results(ma->shards, ma->db);
    std::cout << fmt::format("{}: {} rows merged from {} shards\n", ma->db, added, ma->shards.size());
  });

  // report
  auto ro = std::make_shared<SweepReportOptions>();
  auto db_path = std::make_shared<std::string>();
  auto* rep = sweep->add_subcommand("report", "Scatter plot / Pareto fronts of a results DB (gnuplot), CSV, listing");
  auto rep_files = std::make_shared<FileArgs>(rep);
  rep_files->input("--db", *db_path, "Results DB")->required();
  rep->add_option("--x", ro->x, "Column on x (default latency_ns)");
  rep->add_option("--y", ro->y, "Column on y (default energy_pj)");
  rep->add_option("--color", ro->color, "Column whose values split the points into series (e.g. npu.array.rows)");
  rep->add_flag("--pareto", ro->pareto, "Draw each model's Pareto front; CSV and listing only the fronts");
  rep->add_flag("--log-x", ro->log_x, "Logarithmic x axis");
  rep->add_flag("--log-y", ro->log_y, "Logarithmic y axis");
  rep->add_option("--model", ro->models, "Only these models (repeat)");
  rep->add_option("--schema", ro->schemas, "Only these schemas (repeat)");
  rep_files->output("--out,-o", ro->out, "Plot file (.png or .svg)");
  rep_files->output("--csv", ro->csv, "CSV of the rows (with --pareto: the fronts)");
  rep->callback([ro, db_path, rep_files]() {
    rep_files->check();
    rep_files->report() << sweep_report(*db_path, *ro);
  });
}

}  // namespace h4h::cli
