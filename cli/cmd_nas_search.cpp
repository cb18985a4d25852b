// `h4hsim nas search`: NSGA-II over a space with the LUT estimator, one or several arch
// configs (co-design), then every Pareto subnet exported as ONNX and re-simulated in full.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "cli/nas_common.h"
#include "cli/number_flags.h"
#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "nas/blocks.h"
#include "nas/estimator.h"
#include "nas/lut.h"
#include "nas/onnx_builder.h"
#include "nas/search.h"
#include "sim/engine/subprocess.h"
#include "sim/engine/system.h"
#include "sim/report/plot.h"
#include "sim/report/progress.h"
#ifdef H4H_HAVE_TORCH
#include "nas/supernet/accuracy_oracle.h"
#endif

namespace h4h::cli {

namespace {

struct SearchArgs {
  std::string space, lut, schema, accuracy = "proxy:macs", out, plot_format = "svg", inference = "cold",
                                 strategy = "nsga2";
  int64_t oracle_calls = 0;
  std::vector<std::string> archs;
  std::vector<std::string> set;  // --set overrides, applied to every --arch
  double max_latency_ms = 0, max_energy_mj = 0;
  int population = 100, generations = 100, max_pareto = 64;
  // Supernet oracle: the whole validation split (5,000: standard error ~0.45 points at 90 %,
  // against ~0.7 with 2,000) and `nas eval`'s 20 recalibration batches.
  int64_t accuracy_images = 5000;  // supernet oracle: validation images per subnet
  int recal_batches = 20;          // supernet oracle: BN recalibration batches (256 images)
  uint64_t seed = 1;
  bool quiet = false, no_resim = false;
};

struct Resim {
  double latency_ns = 0, energy_pj = 0;
};

// Full simulation of `subnets` on one arch, in a child process (one SystemC kernel each).
std::vector<Resim> resimulate(const nas::SearchSpace& sp, const ArchConfig& cfg, const std::string& schema,
                              nas::Metric metric, const std::vector<nas::Subnet>& subnets) {
  const std::string text = run_in_subprocess([&]() {
    const SchemaSpec spec = nas_schema(cfg, schema);
    System sys(cfg);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : subnets) {
      const nas::SimResult r =
          nas::simulate_model(sys, spec, nas::build_subnet_model(sp, s), nas::encode_subnet(s), metric);
      out.push_back({r.latency_ns, r.energy_pj});
    }
    return out.dump();
  });
  std::vector<Resim> res;
  for (const auto& r : nlohmann::json::parse(text)) res.push_back({r[0].get<double>(), r[1].get<double>()});
  return res;
}

// At most `n` of the front, spread evenly along latency (the ends always kept).
std::vector<nas::Candidate> thin_front(const std::vector<nas::Candidate>& front, int n) {
  if (static_cast<int>(front.size()) <= n) return front;
  std::vector<nas::Candidate> out;
  for (int i = 0; i < n; ++i)
    out.push_back(front[static_cast<size_t>(std::llround(static_cast<double>(i) * (front.size() - 1) / (n - 1)))]);
  return out;
}

// Why the search found nothing: the limits that were given (only those), and where the
// smallest subnet lands on each arch in the quantities they limit.
std::string no_subnet_meets_the_limits(const SearchArgs& a, const nas::SearchSpace& sp,
                                       const std::vector<const nas::Estimator*>& estimators,
                                       const std::vector<ArchConfig>& cfgs) {
  struct Limit {
    double value;
    const char* quantity;
    const char* unit;
    double (*of)(const nas::Estimate&);
  };
  const Limit all[] = {
      {a.max_latency_ms, "latency", "ms", [](const nas::Estimate& e) { return e.latency_ns * 1e-6; }},
      {a.max_energy_mj, "energy", "mJ", [](const nas::Estimate& e) { return e.energy_pj * 1e-9; }}};
  std::vector<Limit> given;
  for (const Limit& l : all)
    if (l.value > 0) given.push_back(l);
  std::string limits, smallest;
  for (const Limit& l : given)
    limits += fmt::format("{}{} ≤ {} {}", limits.empty() ? "" : ", ", l.quantity, l.value, l.unit);
  for (size_t i = 0; i < cfgs.size(); ++i) {
    const nas::Estimate e = estimators[i]->estimate(nas::smallest_subnet(sp));
    std::string values;
    for (const Limit& l : given)
      values += fmt::format("{}{:.3f} {}", values.empty() ? "" : ", ", l.of(e), l.unit);
    smallest += fmt::format("{}{} on {}", smallest.empty() ? "" : "; ", values, cfgs[i].name);
  }
  return fmt::format("no evaluated subnet meets the limit{} ({}); the smallest subnet is estimated at {}",
                     given.size() > 1 ? "s" : "", limits, smallest);
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

void register_nas_search(CLI::App& nas) {
  auto a = std::make_shared<SearchArgs>();
  auto* cmd = nas.add_subcommand(
      "search", "NSGA-II over (score, latency, energy) with the LUT estimator; exports and re-simulates the Pareto set");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("--space", a->space, "Space YAML or bundled name")->required();
  files->inputs("--arch,-a", a->archs, "Arch config YAML; repeat for co-design across configs")->required();
  add_set_option(*cmd, a->set);
  cmd->add_option("--schema,-s", a->schema, "Execution schema (default: what each config has)");
  files->input("--lut", a->lut, "LUT file with a table for every --arch (h4hsim nas lut)")->required();
  cmd->add_option("--accuracy", a->accuracy,
                  "Score oracle: supernet:CKPT (validation accuracy with inherited weights), or the "
                  "proxies proxy:macs (default) / proxy:params, reported as proxies");
  cmd->add_option("--accuracy-images", a->accuracy_images, "supernet: validation images scored per subnet")
      ->check(CLI::Range(int64_t{1}, int64_t{59000}));
  cmd->add_option("--recal-batches", a->recal_batches, "supernet: training batches (256) for BN recalibration")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--max-latency-ms", a->max_latency_ms, "Latency limit (estimated)")->check(positive_number());
  cmd->add_option("--max-energy-mj", a->max_energy_mj, "Energy limit per inference (estimated)")->check(positive_number());
  cmd->add_option("--population,-p", a->population, "Population size")->check(CLI::Range(4, 100000));
  cmd->add_option("--strategy", a->strategy,
                  "nsga2; random: uniform draws until --oracle-calls distinct candidates are "
                  "scored (the baseline at equal oracle calls); tpe: Bayesian optimisation with a "
                  "TPE surrogate (ParEGO weights), one oracle call per step")
      ->check(CLI::IsMember({"nsga2", "random", "tpe"}));
  cmd->add_option("--oracle-calls", a->oracle_calls,
                  "random, tpe: distinct candidates to score (0: what nsga2 may score, population "
                  "x (generations + 1)); with supernet:, candidates over a limit are not scored "
                  "and do not count")
      ->check(CLI::Range(int64_t{0}, int64_t{100000000}));
  cmd->add_option("--generations,-g", a->generations, "Generations")->check(CLI::Range(0, 100000));
  cmd->add_option("--seed", a->seed, "Random seed");
  cmd->add_option("--max-pareto", a->max_pareto, "Pareto subnets to export and re-simulate (spread along latency)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--plot-format", a->plot_format, "svg or png")->check(CLI::IsMember({"svg", "png"}));
  cmd->add_flag("--no-resimulate", a->no_resim, "Skip the full re-simulation of the Pareto set");
  files->output_dir("--out,-o", a->out, {"pareto.csv", "pareto.json", "evaluated.csv", "front.svg", "front.png"},
                    "Output directory (created if missing; removed again if the search fails)")
      ->required();
  add_inference_option(*cmd, a->inference);
  cmd->add_flag("--quiet,-q", a->quiet, "No progress bar");
  cmd->callback([a, files]() {
    files->check();
    const nas::SearchSpace sp = load_space_arg(a->space);
    const nas::Metric metric = nas::parse_metric(a->inference);
    std::vector<ArchConfig> cfgs;  // every config checked before the (large) LUT is read
    for (const auto& path : a->archs) cfgs.push_back(load_arch_config(path, a->set));
    const nas::LutFile lut = nas::load_lut(a->lut);
    std::vector<std::string> schemas;
    std::vector<std::unique_ptr<nas::Estimator>> estimators;
    std::vector<const nas::Estimator*> est_ptrs;
    for (const ArchConfig& cfg : cfgs) {
      const SchemaSpec spec = nas_schema(cfg, a->schema);
      schemas.push_back(to_string(spec.schema));
      estimators.push_back(std::make_unique<nas::Estimator>(sp, nas::require_lut_table(lut, a->lut, cfg, spec, metric)));
      est_ptrs.push_back(estimators.back().get());
    }
    std::unique_ptr<nas::ScoreOracle> oracle;
    if (a->accuracy.rfind("supernet:", 0) == 0) {
#ifdef H4H_HAVE_TORCH
      nas::OracleOptions oo;
      oo.val_images = a->accuracy_images;
      oo.recal_batches = a->recal_batches;
      oracle = nas::make_supernet_oracle(sp, a->accuracy.substr(9), oo);
#else
      exec_torch_variant("--accuracy supernet:CKPT");
#endif
    } else {
      oracle = nas::make_proxy_oracle(a->accuracy, sp);
    }
    nas::SearchOptions o;
    o.population = a->population;
    o.generations = a->generations;
    o.seed = a->seed;
    o.max_latency_ns = a->max_latency_ms * 1e6;
    o.max_energy_pj = a->max_energy_mj * 1e9;
    o.oracle_calls = a->oracle_calls;
    if (a->oracle_calls > 0 && a->strategy == "nsga2")
      throw UserError("--oracle-calls applies only to --strategy random or tpe");

    // Created now (a directory that cannot be made fails before the search), and removed
    // again with what this run wrote into it if anything below fails.
    OutputDirectory out_dir(a->out);
    OutputDirectory onnx_dir(out_dir.file("onnx"));

    const auto t0 = std::chrono::steady_clock::now();
    Progress bar("search " + sp.name, a->generations, !a->quiet);
    const nas::SearchResult res =
        a->strategy == "random" ? nas::random_search(sp, est_ptrs, *oracle, o, [&](int) { bar.advance(); })
        : a->strategy == "tpe"  ? nas::tpe_search(sp, est_ptrs, *oracle, o, [&](int) { bar.advance(); })
                                : nas::nsga2_search(sp, est_ptrs, *oracle, o, [&](int) { bar.advance(); });
    bar.finish();
    const double search_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (res.pareto.empty()) throw UserError(no_subnet_meets_the_limits(*a, sp, est_ptrs, cfgs));
    const auto front = thin_front(res.pareto, a->max_pareto);

    // Full re-simulation, one child process per arch config.
    std::vector<Resim> resim(front.size());
    if (!a->no_resim)
      for (size_t ai = 0; ai < cfgs.size(); ++ai) {
        std::vector<nas::Subnet> subnets;
        std::vector<size_t> where;
        for (size_t i = 0; i < front.size(); ++i)
          if (front[i].arch == static_cast<int>(ai)) {
            subnets.push_back(front[i].subnet);
            where.push_back(i);
          }
        if (subnets.empty()) continue;
        const auto r = resimulate(sp, cfgs[ai], a->schema, metric, subnets);
        for (size_t k = 0; k < where.size(); ++k) resim[where[k]] = r[k];
      }

    // Outputs: ONNX per Pareto subnet, CSV + JSON of the front, every evaluated candidate, plot.
    const std::string score_col = oracle->name();
    std::string csv = fmt::format("rank,arch,arch_hash,schema,subnet,{},macs,params,est_latency_ms,sim_latency_ms,"
                                  "latency_err_pct,est_energy_mj,sim_energy_mj,energy_err_pct,onnx\n", score_col);
    nlohmann::json jfront = nlohmann::json::array();
    std::cout << fmt::format("{:>4} {:<10} {:>10} {:>12} {:>12} {:>8} {:>12} {:>12} {:>8}  {}\n", "#", "arch",
                             score_col.substr(0, 10), "est ms", "sim ms", "err %", "est mJ", "sim mJ", "err %", "subnet");
    for (size_t i = 0; i < front.size(); ++i) {
      const nas::Candidate& c = front[i];
      const std::string enc = nas::encode_subnet(c.subnet);
      const std::string onnx_rel = fmt::format("onnx/pareto_{:03}.onnx", i);
      nas::save_model(nas::build_subnet_model(sp, c.subnet), onnx_dir.file(fmt::format("pareto_{:03}.onnx", i)));
      const double est_ms = c.estimate.latency_ns * 1e-6, est_mj = c.estimate.energy_pj * 1e-9;
      const double sim_ms = resim[i].latency_ns * 1e-6, sim_mj = resim[i].energy_pj * 1e-9;
      const double lat_err = a->no_resim ? 0 : 100 * (est_ms - sim_ms) / sim_ms;
      const double en_err = a->no_resim ? 0 : 100 * (est_mj - sim_mj) / sim_mj;
      const auto& cfg = cfgs[static_cast<size_t>(c.arch)];
      const std::string score_text = c.scored ? fmt::format("{:.6f}", c.score) : "";
      csv += fmt::format("{},{},{},{},{},{},{},{},{:.6f},{},{},{:.6f},{},{},{}\n", i,
                         csv_quote(cfg.name), config_hash(cfg),
                         schemas[static_cast<size_t>(c.arch)], enc, score_text,
                         nas::subnet_macs(sp, c.subnet), nas::subnet_params(sp, c.subnet), est_ms,
                         a->no_resim ? "" : fmt::format("{:.6f}", sim_ms),
                         a->no_resim ? "" : fmt::format("{:.4f}", lat_err), est_mj,
                         a->no_resim ? "" : fmt::format("{:.6f}", sim_mj),
                         a->no_resim ? "" : fmt::format("{:.4f}", en_err), onnx_rel);
      nlohmann::json jc = {
          {"rank", i},
          {"arch", cfg.name},
          {"arch_file", a->archs[static_cast<size_t>(c.arch)]},
          {"arch_hash", config_hash(cfg)},
          {"schema", schemas[static_cast<size_t>(c.arch)]},
          {"subnet", enc},
          {score_col, c.scored ? nlohmann::json(c.score) : nlohmann::json()},
          {"macs", nas::subnet_macs(sp, c.subnet)},
          {"params", nas::subnet_params(sp, c.subnet)},
          {"estimate",
           {{"latency_ns", c.estimate.latency_ns}, {"energy_pj", c.estimate.energy_pj}}},
          {"onnx", onnx_rel}};
      if (!a->no_resim)
        jc["simulated"] = {{"latency_ns", resim[i].latency_ns}, {"energy_pj", resim[i].energy_pj}};
      jfront.push_back(std::move(jc));
      std::cout << fmt::format("{:>4} {:<10} {:>10.4f} {:>12.4f} {:>12} {:>8} {:>12.4f} {:>12} {:>8}  {}\n", i,
                               cfg.name.substr(0, 10), c.score, est_ms,
                               a->no_resim ? "-" : fmt::format("{:.4f}", sim_ms),
                               a->no_resim ? "-" : fmt::format("{:+.3f}", lat_err), est_mj,
                               a->no_resim ? "-" : fmt::format("{:.4f}", sim_mj),
                               a->no_resim ? "-" : fmt::format("{:+.3f}", en_err), enc);
    }
    write_output(out_dir.file("pareto.csv"), csv);
    nlohmann::json j = {{"space", sp.name},
                        {"score",
                         {{"name", score_col},
                          {"description", oracle->describe()},
                          {"is_accuracy", oracle->is_accuracy()}}},
                        {"archs", a->archs},
                        {"inference", a->inference},
                        {"population", a->population},
                        {"generations", a->generations},
                        {"seed", a->seed},
                        {"strategy", a->strategy},
                        {"evaluations", res.evaluations},
                        {"oracle_calls", res.oracle_calls},
                        {"distinct_candidates", res.evaluated.size()},
                        {"pareto_size", res.pareto.size()},
                        {"search_seconds", search_s},
                        {"pareto", jfront}};
    if (a->max_latency_ms > 0) j["max_latency_ms"] = a->max_latency_ms;
    if (a->max_energy_mj > 0) j["max_energy_mj"] = a->max_energy_mj;
    write_output(out_dir.file("pareto.json"), j.dump(2) + "\n");
    std::string all = fmt::format("arch,subnet,{},est_latency_ms,est_energy_mj,feasible\n", score_col);
    // A candidate over a limit that the oracle skipped has an empty score.
    for (const auto& c : res.evaluated)
      all += fmt::format(
          "{},{},{},{:.6f},{:.6f},{}\n", csv_quote(cfgs[static_cast<size_t>(c.arch)].name),
          nas::encode_subnet(c.subnet), c.scored ? fmt::format("{:.6f}", c.score) : "",
          c.estimate.latency_ns * 1e-6, c.estimate.energy_pj * 1e-9, c.violation == 0 ? 1 : 0);
    write_output(out_dir.file("evaluated.csv"), all);

    ScatterPlot p;
    std::string limits;
    if (a->max_latency_ms > 0) limits += fmt::format("latency ≤ {:g} ms", a->max_latency_ms);
    if (a->max_energy_mj > 0)
      limits += fmt::format("{}energy ≤ {:g} mJ", limits.empty() ? "" : ", ", a->max_energy_mj);
    std::string arch_names;
    for (const auto& c : cfgs) arch_names += (arch_names.empty() ? "" : ", ") + c.name;
    p.title = fmt::format("{}: Pareto set ({}), {} candidates evaluated\nestimated on {}{}",
                          sp.name, oracle->describe(), res.evaluated.size(), arch_names,
                          limits.empty() ? "" : "; limits: " + limits);
    p.x_label = "estimated latency (ms)";
    p.y_label = score_col + (oracle->is_accuracy() ? "" : " (proxy, not accuracy)");
    // The cloud: feasible candidates, then the ones a limit rules out (grey crosses).
    PlotSeries cloud{"evaluated, feasible", {}, {}, false};
    PlotSeries infeasible{"evaluated, over a limit", {}, {}, false, SeriesRole::infeasible};
    const size_t stride = std::max<size_t>(1, res.evaluated.size() / 4000);
    for (size_t i = 0; i < res.evaluated.size(); i += stride) {
      if (!res.evaluated[i].scored) continue;  // no score to place it at
      PlotSeries& to = res.evaluated[i].violation == 0 ? cloud : infeasible;
      to.x.push_back(res.evaluated[i].estimate.latency_ns * 1e-6);
      to.y.push_back(res.evaluated[i].score);
    }
    p.series.push_back(std::move(infeasible));
    p.series.push_back(std::move(cloud));
    if (a->max_latency_ms > 0) {
      p.limits.push_back(
          {'x', a->max_latency_ms, fmt::format("max latency {:g} ms", a->max_latency_ms)});
      // Candidates far over the limit would squash the feasible ones into a sliver: the axis
      // stops at twice the limit (evaluated.csv has them all).
      double max_x = 0;
      for (const auto& ser : p.series)
        for (double x : ser.x) max_x = std::max(max_x, x);
      if (max_x > 2 * a->max_latency_ms) {
        p.x_max = 2 * a->max_latency_ms;
        p.title += fmt::format(" (axis cut at {:g} ms)", *p.x_max);
      }
    }
    for (size_t ai = 0; ai < cfgs.size(); ++ai) {
      // Non-dominated in (score, latency, energy): not a line in this projection.
      PlotSeries s{
          fmt::format("Pareto set on {}", cfgs[ai].name), {}, {}, false, SeriesRole::front};
      for (const auto& c : res.pareto)
        if (c.arch == static_cast<int>(ai)) {
          s.x.push_back(c.estimate.latency_ns * 1e-6);
          s.y.push_back(c.score);
        }
      if (!s.x.empty()) p.series.push_back(std::move(s));
    }
    write_scatter_plot(p, out_dir.file("front." + a->plot_format));
    onnx_dir.keep();
    out_dir.keep();
    std::cout << fmt::format(
        "{} evaluations ({} distinct, {} scored) in {:.2f} s; Pareto set {} (exported {}); "
        "scores are {}; wrote {}/pareto.csv, pareto.json, evaluated.csv, front.{}, onnx/\n",
        res.evaluations, res.evaluated.size(), res.oracle_calls, search_s, res.pareto.size(),
        front.size(), oracle->describe(), a->out, a->plot_format);
  });
}

}  // namespace h4h::cli
