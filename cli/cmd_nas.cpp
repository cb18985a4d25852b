// `h4hsim nas ...`: the hardware-aware NAS loop — inspect a search space, export subnets
// as ONNX, build the latency/energy LUT by simulation, validate it against full
// simulation, and search (NSGA-II) for Pareto-optimal subnets.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "cli/nas_common.h"
#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "nas/blocks.h"
#include "nas/estimator.h"
#include "nas/lut.h"
#include "nas/onnx_builder.h"
#include "nas/stats.h"
#include "nas/subnet.h"
#include "sim/engine/system.h"
#include "sim/report/plot.h"
#include "sim/report/progress.h"

namespace h4h::cli {

namespace {

std::string grouped(int64_t v) {
  std::string s = std::to_string(v);
  for (int pos = static_cast<int>(s.size()) - 3; pos > 0; pos -= 3) s.insert(static_cast<size_t>(pos), ",");
  return s;
}

void register_space(CLI::App& nas) {
  auto space = std::make_shared<std::string>();
  auto* cmd = nas.add_subcommand("space", "Describe a search space: choices, subnet count, block instances");
  cmd->add_option("space", *space, "Space YAML or bundled name (h4h_edge, h4h_fmnist)")->required();
  cmd->callback([space]() {
    const nas::SearchSpace sp = load_space_arg(*space);
    std::cout << fmt::format("space {} ({}): input {}x{{{}}}, {} classes\n", sp.name, sp.origin,
                             sp.in_channels, fmt::join(sp.resolutions, ","), sp.classes);
    std::cout << fmt::format("  stem   width {{{}}}, {}x{} conv, stride {}\n", fmt::join(sp.stem_widths, ","),
                             sp.stem_kernel, sp.stem_kernel, sp.stem_stride);
    for (size_t i = 0; i < sp.stages.size(); ++i) {
      const auto& s = sp.stages[i];
      std::string t = s.kind == nas::StageKind::hybrid
                          ? fmt::format(", or transformer heads {{{}}} mlp {{{}}}", fmt::join(s.heads, ","),
                                        fmt::join(s.mlp_ratios, ","))
                          : "";
      std::cout << fmt::format("  stage {} {:<6} width {{{}}} depth {{{}}} stride {}: MBConv k {{{}}} e {{{}}}{}\n",
                               i, s.kind == nas::StageKind::hybrid ? "hybrid" : "mbconv",
                               fmt::join(s.widths, ","), fmt::join(s.depths, ","), s.stride,
                               fmt::join(s.kernels, ","), fmt::join(s.expansions, ","), t);
    }
    std::cout << fmt::format("  head   width {{{}}}\n", fmt::join(sp.head_widths, ","));
    std::cout << fmt::format("distinct subnets: {:.3e} (10^{:.2f})\n", sp.subnet_count(), sp.log10_subnet_count());
    std::cout << fmt::format("distinct block instances (LUT entries): {}\n", nas::all_block_instances(sp).size());
    for (const auto& [label, s] : {std::pair{"smallest", nas::smallest_subnet(sp)}, std::pair{"largest", nas::largest_subnet(sp)}})
      std::cout << fmt::format("{:<9} {}  ({} MACs, {} params)\n", label, nas::encode_subnet(s),
                               grouped(nas::subnet_macs(sp, s)), grouped(nas::subnet_params(sp, s)));
  });
}

void register_sample(CLI::App& nas) {
  struct Args {
    std::string space, lut, arch, schema, inference = "cold";
    std::vector<std::string> set;
    int count = 5, pool = 20000;
    uint64_t seed = 1;
    bool show_latency = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand("sample", "Print random subnet encodings of a space (seeded)");
  cmd->add_option("--space", a->space, "Space YAML or bundled name")->required();
  cmd->add_option("--count,-n", a->count, "How many")->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", a->seed, "Random seed");
  auto* lut =
      cmd->add_option("--stratify-lut", a->lut,
                      "Spread the subnets evenly over the estimated latency range (smallest to "
                      "largest subnet) of this LUT, one per equal-width bin, instead of uniformly");
  cmd->add_option("--arch,-a", a->arch, "Arch config YAML of --stratify-lut's table")->needs(lut);
  cmd->add_option("--schema,-s", a->schema,
                  "Execution schema of the table (default: what the config has)")
      ->needs(lut);
  add_set_option(*cmd, a->set);
  add_inference_option(*cmd, a->inference);
  cmd->add_option("--pool", a->pool, "Random subnets drawn to stratify from")
      ->check(CLI::Range(1, 10000000))
      ->needs(lut);
  cmd->add_flag("--show-latency", a->show_latency,
                "Print each subnet's estimated latency (ms) after it")
      ->needs(lut);
  cmd->callback([a]() {
    const nas::SearchSpace sp = load_space_arg(a->space);
    std::mt19937_64 rng(a->seed);
    if (a->lut.empty()) {
      for (int i = 0; i < a->count; ++i)
        std::cout << nas::encode_subnet(nas::sample_subnet(sp, rng)) << "\n";
      return;
    }
    if (a->arch.empty())
      throw UserError("nas sample: --stratify-lut needs the --arch its table was built for");
    const ArchConfig cfg = load_arch_config(a->arch, a->set);
    const SchemaSpec spec = nas_schema(cfg, a->schema);
    const nas::LutFile lf = nas::load_lut(a->lut);
    const nas::Estimator est(
        sp, nas::require_lut_table(lf, a->lut, cfg, spec, nas::parse_metric(a->inference)));
    auto latency_ms = [&](const nas::Subnet& s) { return est.estimate(s).latency_ns * 1e-6; };
    for (const nas::Subnet& s : nas::sample_stratified(sp, a->count, a->pool, latency_ms, rng)) {
      if (a->show_latency)
        std::cout << fmt::format("{}\t{:.5f}\n", nas::encode_subnet(s), latency_ms(s));
      else
        std::cout << nas::encode_subnet(s) << "\n";
    }
  });
}

void register_export(CLI::App& nas) {
  struct Args { std::string space, subnet, out; };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand("export", "Write a subnet as an ONNX model (opset 17, graph only)");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("--space", a->space, "Space YAML or bundled name")->required();
  cmd->add_option("--subnet", a->subnet, "Subnet encoding, or 'largest' / 'smallest'")->required();
  files->output("--out,-o", a->out, "Output .onnx")->required();
  cmd->callback([a, files]() {
    files->check();
    const nas::SearchSpace sp = load_space_arg(a->space);
    const nas::Subnet s = subnet_arg(sp, a->subnet);
    nas::save_model(nas::build_subnet_model(sp, s), a->out);
    files->report() << fmt::format("{}: {} ({} MACs, {} params)\n", a->out, nas::encode_subnet(s),
                             grouped(nas::subnet_macs(sp, s)), grouped(nas::subnet_params(sp, s)));
  });
}

void register_lut(CLI::App& nas) {
  struct Args { std::string space, arch, schema, out, inference = "cold"; std::vector<std::string> set; int calibration = 8; uint64_t seed = 1; bool quiet = false; };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand(
      "lut", "Build (or complete) the per-block latency/energy LUT by simulation, then fit the "
             "correction on a few full simulations");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("--space", a->space, "Space YAML or bundled name")->required();
  files->input("--arch,-a", a->arch, "Arch config YAML")->required();
  add_set_option(*cmd, a->set);
  cmd->add_option("--schema,-s", a->schema, "Execution schema (default: what the config has)");
  // Read and written: an existing table is completed. It is checked as an output only.
  files->output("--out,-o", a->out, "LUT file (JSON); an existing one is completed, not redone")->required();
  cmd->add_option("--calibration", a->calibration,
                  "Full simulations the correction is fitted on (0: raw block sums)")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--seed", a->seed, "Seed of the calibration subnets");
  add_inference_option(*cmd, a->inference);
  cmd->add_flag("--quiet,-q", a->quiet, "No progress bar");
  cmd->callback([a, cmd, files]() {
    if (is_stdout_path(a->out))
      throw UserError("--out -: a LUT is completed in place and cannot be standard output; give a file");
    const nas::SearchSpace sp = load_space_arg(a->space);
    const ArchConfig cfg = load_arch_config(a->arch, a->set);
    const SchemaSpec spec = nas_schema(cfg, a->schema);
    nas::LutFile lut = nas::load_lut(a->out);
    files->check();  // now, not after simulating every block
    nas::LutTable& table = nas::lut_table(lut, cfg, spec, nas::parse_metric(a->inference));
    const size_t before = table.entries.size();
    System sys(cfg);
    const int64_t simulated = nas::fill_lut(table, sp, sys, spec, !a->quiet, [&]() { nas::save_lut(lut, a->out); });
    // Refit when blocks changed, the space has no correction yet, or it was asked for.
    const bool refit = simulated > 0 || !table.corrections.count(sp.name) || cmd->count("--calibration") ||
                       cmd->count("--seed");
    if (refit) {
      table.corrections.erase(sp.name);
      nas::Estimator raw(sp, table);
      table.corrections[sp.name] = nas::fit_correction(sp, raw, sys, spec, a->calibration, a->seed, !a->quiet);
      nas::save_lut(lut, a->out);
    }
    const nas::Correction& c = table.corrections[sp.name];
    std::cout << fmt::format("{}: arch {} ({}), schema {}, {} inference, space {}: {} block entries ({} new, {} already there)\n",
                             a->out, cfg.name, table.arch_hash, table.schema, table.metric, sp.name,
                             nas::all_block_instances(sp).size(), simulated, before);
    std::cout << fmt::format("correction on {} full simulations (seed {}): latency = {:.4f} x sum {:+.0f} ns; "
                             "energy = {:.4f} x sum {:+.0f} pJ\n",
                             c.samples, c.seed, c.latency_slope, c.latency_intercept_ns, c.energy_slope,
                             c.energy_intercept_pj);
  });
}

// validate --plot FILE.svg writes FILE_latency.svg and FILE_energy.svg.
std::string plot_file(const std::string& plot, const std::string& metric) {
  const auto dot = plot.rfind('.');
  const std::string stem = dot == std::string::npos ? plot : plot.substr(0, dot);
  const std::string ext = dot == std::string::npos ? "" : plot.substr(dot);
  return stem + "_" + metric + ext;
}

struct MetricErrors {
  double mape_pct, max_err_pct, kendall_tau, spearman_rho;
};
MetricErrors errors_of(const std::vector<double>& est, const std::vector<double>& sim) {
  return {nas::mape_pct(est, sim), nas::max_abs_err_pct(est, sim), nas::kendall_tau(est, sim),
          nas::spearman_rho(est, sim)};
}
nlohmann::json to_json(const MetricErrors& e) {
  return {{"mape_pct", e.mape_pct}, {"max_err_pct", e.max_err_pct}, {"kendall_tau", e.kendall_tau},
          {"spearman_rho", e.spearman_rho}};
}

void register_validate(CLI::App& nas) {
  struct Args { std::string space, arch, schema, lut, plot, inference = "cold"; std::vector<std::string> set; int samples = 50; uint64_t seed = 2; bool json = false, quiet = false; };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand("validate", "Compare LUT estimates with full simulations of random subnets");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("--space", a->space, "Space YAML or bundled name")->required();
  files->input("--arch,-a", a->arch, "Arch config YAML")->required();
  add_set_option(*cmd, a->set);
  cmd->add_option("--schema,-s", a->schema, "Execution schema (default: what the config has)");
  files->input("--lut", a->lut, "LUT file built by `h4hsim nas lut`")->required();
  cmd->add_option("--samples,-n", a->samples, "Random subnets to simulate")->check(CLI::Range(2, 100000));
  cmd->add_option("--seed", a->seed, "Seed of the validation subnets");
  files->output_files("--plot", a->plot,
                      [](const std::string& stem) {
                        if (is_stdout_path(stem))
                          throw UserError("--plot -: writes two plots (STEM_latency, STEM_energy), not "
                                          "one stream; give a file name such as v.svg");
                        return std::vector<std::string>{plot_file(stem, "latency"), plot_file(stem, "energy")};
                      },
                      "Write estimate-vs-simulation scatter plots (.svg or .png); "
                      "'_latency' and '_energy' are added before the extension");
  cmd->add_flag("--json", a->json, "Print JSON (samples, latency{...}, energy{...}) instead of text");
  add_inference_option(*cmd, a->inference);
  cmd->add_flag("--quiet,-q", a->quiet, "No progress bar");
  cmd->callback([a, files]() {
    files->check();  // now, not after simulating every sample
    const nas::SearchSpace sp = load_space_arg(a->space);
    const ArchConfig cfg = load_arch_config(a->arch, a->set);
    const SchemaSpec spec = nas_schema(cfg, a->schema);
    const nas::LutFile lut = nas::load_lut(a->lut);
    const nas::Metric metric = nas::parse_metric(a->inference);
    const nas::LutTable& table = nas::require_lut_table(lut, a->lut, cfg, spec, metric);
    const nas::Estimator est(sp, table);
    if (est.correction().samples > 0 && est.correction().seed == a->seed)
      std::cerr << "h4hsim: warning: --seed equals the calibration seed; the validation subnets "
                   "overlap the ones the correction was fitted on\n";
    System sys(cfg);
    std::mt19937_64 rng(a->seed);
    std::vector<double> est_lat, est_en, raw_lat, raw_en, sim_lat, sim_en;
    nlohmann::json rows = nlohmann::json::array();
    Progress bar("validate " + sp.name, a->samples, !a->quiet);
    for (int i = 0; i < a->samples; ++i) {
      const nas::Subnet s = nas::sample_subnet(sp, rng);
      const nas::Estimate e = est.estimate(s);
      const nas::SimResult r =
          nas::simulate_model(sys, spec, nas::build_subnet_model(sp, s), nas::encode_subnet(s), metric);
      est_lat.push_back(e.latency_ns);
      est_en.push_back(e.energy_pj);
      raw_lat.push_back(e.sum_latency_ns);
      raw_en.push_back(e.sum_energy_pj);
      sim_lat.push_back(r.latency_ns);
      sim_en.push_back(r.energy_pj);
      rows.push_back({{"subnet", nas::encode_subnet(s)}, {"macs", r.macs},
                      {"latency_ns", {{"estimate", e.latency_ns}, {"block_sum", e.sum_latency_ns}, {"simulated", r.latency_ns}}},
                      {"energy_pj", {{"estimate", e.energy_pj}, {"block_sum", e.sum_energy_pj}, {"simulated", r.energy_pj}}}});
      bar.advance();
    }
    bar.finish();
    // Relative errors divide by the simulated value, and a config whose energy keys are all
    // 0 simulates 0 pJ: undefined errors, the config's doing (was an internal error).
    if (std::find(sim_en.begin(), sim_en.end(), 0.0) != sim_en.end())
      throw UserError(fmt::format("{}: a subnet simulates to 0 pJ, so the estimate's relative energy errors "
                                  "are undefined (are all of its energy keys 0?)", a->arch));
    const MetricErrors lat = errors_of(est_lat, sim_lat), en = errors_of(est_en, sim_en);
    const MetricErrors raw_l = errors_of(raw_lat, sim_lat), raw_e = errors_of(raw_en, sim_en);
    if (!a->plot.empty()) {
      auto ms = [](const std::vector<double>& v, double f) {
        std::vector<double> o;
        for (double x : v) o.push_back(x * f);
        return o;
      };
      for (const auto& [metric, unit, f, e, r, s, m] :
           {std::tuple{"latency", "ms", 1e-6, &est_lat, &raw_lat, &sim_lat, &lat},
            std::tuple{"energy", "mJ", 1e-9, &est_en, &raw_en, &sim_en, &en}}) {
        ScatterPlot p;
        p.title = fmt::format(
            "{} on {} ({}, {} inference): LUT estimate vs full simulation\n"
            "{} subnets: MAPE {:.2f} %, max error {:.2f} %, Kendall tau {:.3f}",
            sp.name, cfg.name, table.schema, table.metric, a->samples, m->mape_pct, m->max_err_pct,
            m->kendall_tau);
        p.x_label = fmt::format("simulated {} ({})", metric, unit);
        p.y_label = fmt::format("estimated {} ({})", metric, unit);
        p.diagonal = true;
        p.series.push_back({"block sum (uncorrected)", ms(*s, f), ms(*r, f), false});
        p.series.push_back({"LUT estimate (corrected)", ms(*s, f), ms(*e, f), false});
        write_scatter_plot(p, plot_file(a->plot, metric));
      }
    }
    if (a->json) {
      nlohmann::json j = {{"space", sp.name}, {"arch", cfg.name}, {"arch_hash", table.arch_hash},
                          {"schema", table.schema}, {"inference", table.metric}, {"samples", a->samples}, {"seed", a->seed},
                          {"latency", to_json(lat)}, {"energy", to_json(en)},
                          {"uncorrected", {{"latency", to_json(raw_l)}, {"energy", to_json(raw_e)}}},
                          {"correction_samples", est.correction().samples}, {"subnets", rows}};
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << fmt::format("{} subnets of {} on {} ({}, {} inference), LUT {} vs full simulation:\n", a->samples,
                             sp.name, cfg.name, table.schema, table.metric, a->lut);
    std::cout << fmt::format("{:<22} {:>9} {:>12} {:>10} {:>12}\n", "", "MAPE %", "max err %", "Kendall", "Spearman");
    for (const auto& [label, m] : {std::pair{"latency", &lat}, std::pair{"energy", &en},
                                   std::pair{"latency (block sum)", &raw_l}, std::pair{"energy (block sum)", &raw_e}})
      std::cout << fmt::format("{:<22} {:>9.3f} {:>12.3f} {:>10.4f} {:>12.4f}\n", label, m->mape_pct,
                               m->max_err_pct, m->kendall_tau, m->spearman_rho);
  });
}

void register_estimate(CLI::App& nas) {
  struct Args { std::string space, arch, schema, lut, subnet, inference = "cold"; std::vector<std::string> set; int random = 0; uint64_t seed = 1; };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand("estimate", "LUT estimate of one subnet, or the estimator's throughput on random ones");
  cmd->add_option("--space", a->space, "Space YAML or bundled name")->required();
  cmd->add_option("--arch,-a", a->arch, "Arch config YAML")->required();
  add_set_option(*cmd, a->set);
  cmd->add_option("--schema,-s", a->schema, "Execution schema (default: what the config has)");
  cmd->add_option("--lut", a->lut, "LUT file built by `h4hsim nas lut`")->required();
  auto* sub = cmd->add_option("--subnet", a->subnet, "Subnet encoding, or 'largest' / 'smallest'");
  auto* rnd = cmd->add_option("--random", a->random, "Estimate this many random subnets and report the rate")
                  ->check(CLI::Range(1, 100000000));
  sub->excludes(rnd);
  cmd->add_option("--seed", a->seed, "Seed of --random");
  add_inference_option(*cmd, a->inference);
  cmd->callback([a]() {
    const nas::SearchSpace sp = load_space_arg(a->space);
    const ArchConfig cfg = load_arch_config(a->arch, a->set);
    const SchemaSpec spec = nas_schema(cfg, a->schema);
    const nas::LutFile lut = nas::load_lut(a->lut);
    const nas::Estimator est(sp, nas::require_lut_table(lut, a->lut, cfg, spec, nas::parse_metric(a->inference)));
    if (a->random > 0) {
      // Subnets are drawn first so that only the estimator is timed (one thread).
      std::mt19937_64 rng(a->seed);
      std::vector<nas::Subnet> subnets;
      subnets.reserve(static_cast<size_t>(std::min(a->random, 100000)));
      for (int i = 0; i < std::min(a->random, 100000); ++i) subnets.push_back(nas::sample_subnet(sp, rng));
      double checksum = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < a->random; ++i) checksum += est.estimate(subnets[static_cast<size_t>(i) % subnets.size()]).latency_ns;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cout << fmt::format("{} estimates in {:.3f} s: {:.0f} subnets/s (one thread; mean latency {:.3f} ms)\n",
                               a->random, s, a->random / s, checksum / a->random * 1e-6);
      return;
    }
    if (a->subnet.empty()) throw UserError("nas estimate: give --subnet ENC or --random N");
    const nas::Subnet s = subnet_arg(sp, a->subnet);
    const nas::Estimate e = est.estimate(s);
    std::cout << fmt::format("{}: latency {:.4f} ms, energy {:.4f} mJ (block sums {:.4f} ms, {:.4f} mJ; {} MACs)\n",
                             nas::encode_subnet(s), e.latency_ns * 1e-6, e.energy_pj * 1e-9,
                             e.sum_latency_ns * 1e-6, e.sum_energy_pj * 1e-9, grouped(nas::subnet_macs(sp, s)));
  });
}

// `nas monotonicity`: do two arch configs rank subnets alike? Kendall tau of the LUT
// estimates of random subnets between the first config and each other one: when it is
// high, a search run on a cheap proxy config carries over to the others.
void register_monotonicity(CLI::App& nas) {
  struct Args {
    std::string space, lut, schema, inference = "cold";
    std::vector<std::string> archs, set;
    int samples = 200;
    uint64_t seed = 1;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand(
      "monotonicity", "Kendall tau of subnet latencies and energies between arch configs (LUT estimates)");
  cmd->add_option("--space", a->space, "Space YAML or bundled name")->required();
  cmd->add_option("--arch,-a", a->archs, "Arch config YAML; give two or more (the first is the reference)")
      ->required();
  add_set_option(*cmd, a->set);
  cmd->add_option("--schema,-s", a->schema, "Execution schema (default: what each config has)");
  cmd->add_option("--lut", a->lut, "LUT file holding a table for every --arch (`h4hsim nas lut`)")->required();
  cmd->add_option("--samples,-n", a->samples, "Random subnets compared")->check(CLI::Range(3, 1000000));
  cmd->add_option("--seed", a->seed, "Seed of the subnets");
  add_inference_option(*cmd, a->inference);
  cmd->add_flag("--json", a->json, "Print JSON instead of the table");
  cmd->callback([a]() {
    if (a->archs.size() < 2) throw UserError("nas monotonicity: give at least two --arch configs");
    const nas::SearchSpace sp = load_space_arg(a->space);
    const nas::LutFile lut = nas::load_lut(a->lut);
    std::mt19937_64 rng(a->seed);
    std::vector<nas::Subnet> subnets;
    for (int i = 0; i < a->samples; ++i) subnets.push_back(nas::sample_subnet(sp, rng));
    std::vector<std::string> names;
    std::vector<std::vector<double>> lat, en;
    for (const auto& path : a->archs) {
      const ArchConfig cfg = load_arch_config(path, a->set);
      const SchemaSpec spec = nas_schema(cfg, a->schema);
      const nas::Estimator est(sp, nas::require_lut_table(lut, a->lut, cfg, spec, nas::parse_metric(a->inference)));
      names.push_back(cfg.name);
      lat.emplace_back();
      en.emplace_back();
      for (const auto& s : subnets) {
        const nas::Estimate e = est.estimate(s);
        lat.back().push_back(e.latency_ns);
        en.back().push_back(e.energy_pj);
      }
    }
    nlohmann::json rows = nlohmann::json::array();
    std::string text = fmt::format("{} random subnets of {} (seed {}), Kendall tau against {}:\n", a->samples,
                                   sp.name, a->seed, names[0]);
    text += fmt::format("{:<24} {:>12} {:>12}\n", "arch", "latency tau", "energy tau");
    for (size_t k = 1; k < names.size(); ++k) {
      const double tl = nas::kendall_tau(lat[0], lat[k]), te = nas::kendall_tau(en[0], en[k]);
      rows.push_back({{"arch", names[k]}, {"arch_file", a->archs[k]}, {"latency_tau", tl}, {"energy_tau", te}});
      text += fmt::format("{:<24} {:>12.4f} {:>12.4f}\n", names[k], tl, te);
    }
    if (a->json)
      std::cout << nlohmann::json{{"space", sp.name}, {"samples", a->samples}, {"seed", a->seed},
                                  {"reference", names[0]}, {"inference", a->inference}, {"pairs", rows}}
                       .dump(2)
                << "\n";
    else
      std::cout << text;
  });
}

}  // namespace

void register_nas_search(CLI::App& nas);
void register_nas_train(CLI::App& nas);

void register_nas(CLI::App& app) {
  auto* nas_cmd = app.add_subcommand("nas", "Hardware-aware NAS: spaces, subnets, LUT, validation, search");
  nas_cmd->require_subcommand(1);
  CLI::App& n = *nas_cmd;
  register_space(n);
  register_sample(n);
  register_export(n);
  register_lut(n);
  register_validate(n);
  register_estimate(n);
  register_monotonicity(n);
  register_nas_search(n);
  register_nas_train(n);
}

}  // namespace h4h::cli
