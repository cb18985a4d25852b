// `h4hsim compare A.yaml B.yaml --model M`: one network on two configs, side by side —
// latency, energy by component, DRAM traffic, area and static power by part, and the
// kernels whose time or energy changed most. Each run is `h4hsim run`'s (the same library
// call and JSON, sim/api/run_request.h: under auto, the same searched schedule), in a child
// process of its own (one SystemC kernel per process).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/api/run_request.h"
#include "sim/config/arch_config.h"
#include "sim/engine/subprocess.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/report.h"

namespace h4h::cli {
namespace {

struct CompareArgs {
  std::string a, b, model, schema;
  std::vector<std::string> set, set_a, set_b;
  int inferences = 1, top = 10;
  bool json = false;
};

// `run --json` of the request, simulated in a child process (one elaboration per process);
// everything the user can get wrong is checked here first, in the parent.
nlohmann::json run_one(const RunRequest& req) {
  if (req.schema && parse_schema(*req.schema) == Schema::custom)
    throw UserError("compare: --schema custom is not supported (use run)");
  const PreparedRun p = prepare_run(req);
  const std::string text = run_in_subprocess([&]() {
    System sys(p.cfg);
    return run_result_json(execute_run(sys, p), p, false).dump();
  });
  return nlohmann::json::parse(text);
}

double pct(double a, double b) { return a != 0 ? 100.0 * (b - a) / a : (b == 0 ? 0.0 : INFINITY); }

// The rows of the side-by-side table: (label, A, B, unit scale, format).
struct Row {
  std::string label;
  double a, b;
};

std::vector<Row> summary_rows(const nlohmann::json& a, const nlohmann::json& b) {
  std::vector<Row> rows;
  rows.push_back(
      {"latency ms", a["latency_ns"].get<double>() / 1e6, b["latency_ns"].get<double>() / 1e6});
  rows.push_back(
      {"energy mJ", a["energy_pj"].get<double>() / 1e9, b["energy_pj"].get<double>() / 1e9});
  for (const auto& [k, v] : a["energy_breakdown_pj"].items())
    rows.push_back({"  energy " + k + " mJ", v.get<double>() / 1e9,
                    b["energy_breakdown_pj"][k].get<double>() / 1e9});
  rows.push_back(
      {"dram MB", a["dram_bytes"].get<double>() / 1e6, b["dram_bytes"].get<double>() / 1e6});
  rows.push_back({"area mm2", a["area_mm2"].get<double>(), b["area_mm2"].get<double>()});
  for (const auto& [k, v] : a["area_breakdown_mm2"].items())
    rows.push_back(
        {"  area " + k + " mm2", v.get<double>(), b["area_breakdown_mm2"][k].get<double>()});
  rows.push_back({"leakage mW", a["leakage_mw"].get<double>(), b["leakage_mw"].get<double>()});
  return rows;
}

struct KernelDelta {
  std::string name, unit_a, unit_b;
  double ns_a = 0, ns_b = 0, pj_a = 0, pj_b = 0;
};

// Kernels matched by name (the same network on both sides); sorted by how much their time
// on their unit changed, then their energy.
std::vector<KernelDelta> kernel_deltas(const nlohmann::json& a, const nlohmann::json& b) {
  auto dur_ns = [](const nlohmann::json& k, double mhz) {
    return static_cast<double>(k["end_cycle"].get<int64_t>() - k["start_cycle"].get<int64_t>()) *
           1000.0 / mhz;
  };
  std::map<std::string, const nlohmann::json*> in_b;
  for (const auto& k : b["kernels"]) in_b[k["name"].get<std::string>()] = &k;
  const double mhz_a = a["clock_mhz"].get<double>(), mhz_b = b["clock_mhz"].get<double>();
  std::vector<KernelDelta> out;
  for (const auto& k : a["kernels"]) {
    auto it = in_b.find(k["name"].get<std::string>());
    if (it == in_b.end()) continue;
    const nlohmann::json& kb = *it->second;
    out.push_back({k["name"].get<std::string>(),
                   k["fused"].get<bool>() ? "fused" : k["unit"].get<std::string>(),
                   kb["fused"].get<bool>() ? "fused" : kb["unit"].get<std::string>(),
                   dur_ns(k, mhz_a), dur_ns(kb, mhz_b), k["energy_pj"].get<double>(),
                   kb["energy_pj"].get<double>()});
  }
  std::stable_sort(out.begin(), out.end(), [](const KernelDelta& x, const KernelDelta& y) {
    const double dx = std::abs(x.ns_b - x.ns_a), dy = std::abs(y.ns_b - y.ns_a);
    if (dx != dy) return dx > dy;
    return std::abs(x.pj_b - x.pj_a) > std::abs(y.pj_b - y.pj_a);
  });
  return out;
}

}  // namespace

void register_compare(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand("compare",
                                 "Run one network on two arch configs and show latency, energy, "
                                 "area and the kernels that changed most");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("a", a->a, "Arch config A (YAML)")->required();
  files->input("b", a->b, "Arch config B (YAML; may be A itself with --set-b overrides)")
      ->required();
  files->input("--model,-m", a->model, "Network (ONNX or SCALE-Sim topology CSV)")->required();
  cmd->add_option("--schema,-s", a->schema,
                  "Execution schema on both (default: what each config has)");
  add_set_option(*cmd, a->set)
      ->description("KEY=VALUE override applied to both configs (repeatable)");
  cmd->add_option("--set-a", a->set_a, "KEY=VALUE override of config A only (repeatable)");
  cmd->add_option("--set-b", a->set_b, "KEY=VALUE override of config B only (repeatable)");
  cmd->add_option("--inferences,-n", a->inferences,
                  "Back-to-back inferences; the first (cold) is compared")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--top", a->top, "Kernels listed (most changed first)")
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("--json", a->json,
                "Print JSON {a, b, kernels[]} (a and b are `run --json` summaries)");
  cmd->callback([a, files]() {
    files->check();
    std::vector<std::string> sa = a->set, sb = a->set;
    sa.insert(sa.end(), a->set_a.begin(), a->set_a.end());
    sb.insert(sb.end(), a->set_b.begin(), a->set_b.end());
    RunRequest ra;
    ra.model = a->model;
    ra.arch = a->a;
    ra.overrides = sa;
    ra.inferences = a->inferences;
    if (!a->schema.empty()) ra.schema = a->schema;
    RunRequest rb = ra;
    rb.arch = a->b;
    rb.overrides = sb;
    // Both configs are checked before either is simulated.
    const ArchConfig ca = load_arch_config(ra.arch, ra.overrides);
    const ArchConfig cb = load_arch_config(rb.arch, rb.overrides);
    const nlohmann::json ja = run_one(ra);
    const nlohmann::json jb = run_one(rb);
    const std::vector<KernelDelta> deltas = kernel_deltas(ja, jb);
    if (a->json) {
      nlohmann::json ks = nlohmann::json::array();
      for (const auto& d : deltas)
        ks.push_back({{"name", d.name},
                      {"unit_a", d.unit_a},
                      {"unit_b", d.unit_b},
                      {"ns_a", d.ns_a},
                      {"ns_b", d.ns_b},
                      {"energy_pj_a", d.pj_a},
                      {"energy_pj_b", d.pj_b}});
      nlohmann::json out = {{"a", ja}, {"b", jb}, {"kernels", ks}};
      out["a"].erase("kernels");
      out["b"].erase("kernels");
      out["a"]["config"] = a->a;
      out["b"]["config"] = a->b;
      std::cout << out.dump(2) << "\n";
      return;
    }
    auto with = [](const std::vector<std::string>& kv) {
      return kv.empty() ? std::string() : fmt::format(" with --set {}", fmt::join(kv, " --set "));
    };
    std::cout << fmt::format("model {}\nA: {}{} ({}, schema {})\nB: {}{} ({}, schema {})\n\n",
                             a->model, a->a, with(sa), ca.name, ja["schema"].get<std::string>(),
                             a->b, with(sb), cb.name, jb["schema"].get<std::string>());
    std::cout << fmt::format("{:<34} {:>14} {:>14} {:>10}\n", "", "A", "B", "B vs A");
    for (const Row& r : summary_rows(ja, jb)) {
      if (r.a == 0 && r.b == 0) continue;
      // A part only B has (CIM energy against an NPU-only A) has no ratio: say so.
      const std::string change = r.a == 0 ? "only B" : fmt::format("{:.1f}%", pct(r.a, r.b));
      std::cout << fmt::format("{:<34} {:>14.4g} {:>14.4g} {:>10}\n", r.label, r.a, r.b, change);
    }
    if (a->top > 0 && !deltas.empty()) {
      std::cout << fmt::format("\nkernels that changed most (time on their unit, then energy):\n");
      std::cout << fmt::format("{:<40} {:>13} {:>12} {:>12} {:>12} {:>12}\n", "kernel",
                               "unit A > B", "A us", "B us", "A uJ", "B uJ");
      for (size_t i = 0; i < deltas.size() && static_cast<int>(i) < a->top; ++i) {
        const KernelDelta& d = deltas[i];
        const std::string name =
            d.name.size() > 40 ? "…" + d.name.substr(d.name.size() - 39) : d.name;
        std::cout << fmt::format("{:<40} {:>13} {:>12.2f} {:>12.2f} {:>12.3f} {:>12.3f}\n", name,
                                 d.unit_a == d.unit_b ? d.unit_a : d.unit_a + ">" + d.unit_b,
                                 d.ns_a / 1e3, d.ns_b / 1e3, d.pj_a / 1e6, d.pj_b / 1e6);
      }
    }
  });
}

}  // namespace h4h::cli
