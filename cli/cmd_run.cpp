// `h4hsim run`: simulate a network on an arch config under an execution schema.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/api/run_request.h"
#include "sim/config/arch_config.h"
#include "sim/engine/schedule_search.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/explain.h"
#include "sim/report/report.h"

namespace h4h::cli {

namespace {
struct RunArgs {
  std::string model, topology, arch, schema = "auto", custom, csv, trace, tensors,
                                     objective = "latency";
  int64_t batch = 0;
  int inferences = 1;
  int precision_bits = 8;
  int search_runs = kDefaultLocalSearchRuns;
  bool json = false;
  bool explain = false;
  bool summary = false;
  bool full_names = false;
  int top = 0;
  std::string trace_detail = "kernels";
  std::vector<std::string> set;  // KEY=VALUE overrides of the arch config
};
}  // namespace

void register_run(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Simulate a network on an arch config (SystemC, cycle level)");
  auto files = std::make_shared<FileArgs>(cmd);
  auto* model = files->input("--model,-m", a->model, "ONNX model");
  auto* topo = files->input("--topology,-t", a->topology, "SCALE-Sim topology .csv");
  model->excludes(topo);
  files->input("--arch,-a", a->arch, "Arch config YAML (arch_configs/*.yaml)")->required();
  cmd->add_option("--schema,-s", a->schema,
                  "Execution schema: npu_only, cim_static, hetero_parallel, auto, custom (default: "
                  "auto with NPU and CIM, else the one unit's schema)");
  files->input("--custom", a->custom, "Rules YAML for --schema custom");
  cmd->add_option("--objective", a->objective,
                  "What the auto schema's search minimises: latency (default), energy, edp");
  cmd->add_option("--search-runs", a->search_runs,
                  fmt::format("Engine runs the auto schema's local search may spend after its "
                              "candidates (default {}; 0: candidates only)",
                              kDefaultLocalSearchRuns))
      ->check(CLI::Range(0, 100000));
  cmd->add_option("--batch,-b", a->batch, "Batch for a dynamic batch axis (default 1)");
  cmd->add_option("--inferences,-n", a->inferences,
                  "Back-to-back inferences: the first is cold (CIM weights programmed), the last "
                  "is reported as steady state");
  cmd->add_option("--precision-bits", a->precision_bits,
                  "Activation and weight precision: shorthand for --set precision.activation_bits=N "
                  "--set precision.weight_bits=N")
      ->check(CLI::IsMember({8, 16}));
  add_set_option(*cmd, a->set);
  cmd->add_flag("--json", a->json, "Print the JSON summary (a stable contract) instead of the table");
  cmd->add_flag(
      "--explain", a->explain,
      "Per kernel: its unit, the estimated time and energy on every unit that could run it, "
      "what it overlapped with, the critical path (and, under auto, the candidates tried)");
  files->output("--csv", a->csv, "Write per-kernel records as CSV to this file");
  files->output("--trace", a->trace, "Write a Chrome/Perfetto trace-event JSON to this file");
  cmd->add_option("--trace-detail", a->trace_detail,
                  "kernels (default): unit tracks, the critical path and counters; bursts: also "
                  "every bus transaction and DRAM row segment (large)")
      ->check(CLI::IsMember({"kernels", "bursts"}));
  auto* summary =
      cmd->add_flag("--summary", a->summary, "Totals only: no per-kernel rows in the table");
  cmd->add_option("--top", a->top,
                  "Only the N kernels with the most cycles in the table, largest first")
      ->check(CLI::Range(1, 1 << 30))
      ->excludes(summary);
  cmd->add_flag("--full-names", a->full_names,
                "Kernel names in full in the table (default: the last 35 characters)");
  files->output("--tensors", a->tensors,
                "Write where each activation tensor lived (bytes, lifetime, placement, offset): "
                "JSON if the name ends in .json, else CSV");
  files->claims_stdout("--json", a->json);
  cmd->callback([a, cmd, files]() {
    if (a->model.empty() && a->topology.empty())
      throw UserError("run: give the network with --model FILE.onnx or --topology FILE.csv");
    if (cmd->count("--batch") && a->batch <= 0)
      throw UserError(fmt::format("--batch must be > 0, got {}", a->batch));
    if (a->inferences <= 0 || a->inferences > 1000)
      throw UserError(fmt::format("--inferences must be in 1..1000, got {}", a->inferences));
    // An output that cannot be written, or would replace an input, fails now, not after
    // the simulation.
    files->check();
    RunRequest req;
    req.model = a->model.empty() ? a->topology : a->model;
    req.arch = a->arch;
    // --precision-bits N is --set precision.activation_bits=N --set precision.weight_bits=N,
    // before the other overrides.
    if (cmd->count("--precision-bits")) {
      req.overrides.push_back(fmt::format("precision.activation_bits={}", a->precision_bits));
      req.overrides.push_back(fmt::format("precision.weight_bits={}", a->precision_bits));
    }
    req.overrides.insert(req.overrides.end(), a->set.begin(), a->set.end());
    if (cmd->count("--schema")) req.schema = a->schema;
    req.custom = a->custom;
    if (cmd->count("--batch")) req.batch = a->batch;
    req.inferences = a->inferences;
    if (cmd->count("--objective")) req.objective = a->objective;
    if (cmd->count("--search-runs")) req.search_runs = a->search_runs;
    req.trace = !a->trace.empty();
    if (cmd->count("--trace-detail") && a->trace.empty())
      throw UserError("--trace-detail applies only with --trace FILE");
    for (const char* flag : {"--summary", "--top", "--full-names"})
      if (cmd->count(flag) && a->json)
        throw UserError(fmt::format("{} shapes the table; --json always has every kernel", flag));
    // The flags' own words for the API's schema-dependent checks.
    const PreparedRun p = [&] {
      try {
        return prepare_run(req);
      } catch (const UserError& e) {
        const std::string m = e.what();
        if (m.rfind("the custom schema needs", 0) == 0)
          throw UserError("--schema custom needs --custom RULES.yaml");
        if (m.rfind("custom rules (--custom) apply only", 0) == 0)
          throw UserError("--custom applies only to --schema custom");
        if (m.rfind("the objective applies only", 0) == 0)
          throw UserError("--objective applies only to --schema auto (the searched schedule)");
        if (m.rfind("search runs apply only", 0) == 0)
          throw UserError("--search-runs applies only to --schema auto (the searched schedule)");
        throw;
      }
    }();
    const ArchConfig& cfg = p.cfg;
    const Workload& w = p.workload;
    System sys(cfg);
    const ScheduledRun sr = execute_run(sys, p);
    const RunStats& st = sr.stats;
    if (!a->csv.empty()) write_output(a->csv, run_csv(st, w));
    if (!a->trace.empty())
      write_output(a->trace, run_trace(st, w, &cfg,
                                       a->trace_detail == "bursts" ? TraceDetail::bursts
                                                                   : TraceDetail::kernels));
    if (!a->tensors.empty()) {
      const bool json = a->tensors.size() > 5 && a->tensors.compare(a->tensors.size() - 5, 5, ".json") == 0;
      write_output(a->tensors, json ? run_tensors_json(st, w).dump(2) + "\n" : run_tensors_csv(st, w));
    }
    if (a->json) {
      std::cout << run_result_json(sr, p, a->explain).dump(2) << "\n";
    } else {
      TableOptions to;
      to.top = a->top;
      to.kernels = !a->summary;
      to.full_names = a->full_names;
      files->report() << run_table(st, w, to) << schedule_table(sr, p.objective)
                      << (a->explain ? explain_table(st, w, cfg) : std::string());
    }
  });
}

}  // namespace h4h::cli
