// `h4hsim scalesim`: SCALE-Sim's inputs in, SCALE-Sim's COMPUTE_REPORT.csv out.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/scalesim/scalesim_compat.h"

namespace h4h::cli {

namespace {
struct ScaleSimArgs {
  std::string config, topology, out;
  bool memory = false;
};
}  // namespace

void register_scalesim(CLI::App& app) {
  auto args = std::make_shared<ScaleSimArgs>();
  auto* cmd = app.add_subcommand(
      "scalesim", "Run a SCALE-Sim .cfg + topology and write SCALE-Sim's COMPUTE_REPORT.csv "
                  "(ideal memory: compute cycles by SCALE-Sim v2's fold rule)");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("--config,-c", args->config, "SCALE-Sim .cfg file")->required();
  files->input("--topology,-t", args->topology, "SCALE-Sim topology .csv (conv or GEMM)")
      ->required();
  files->output_dir("--out,-o", args->out, {"COMPUTE_REPORT.csv"},
                    "Output directory (created if missing)")
      ->required();
  cmd->add_flag("--memory", args->memory,
                "Simulate h4hsim's bus and LPDDR4 DRAM behind the SRAMs (stalls become real); "
                "default: ideal memory, SCALE-Sim's compute cycles");
  cmd->callback([args, files]() {
    files->check();
    const ScaleSimConfig cfg = load_scalesim_cfg(args->config);
    const Workload w = load_scalesim_topology(args->topology);
    auto rows = scalesim_compute_report(cfg, w);
    if (args->memory) {
      // Same rows, timed by the full simulation: a grouped layer's time is shared evenly
      // among its per-channel rows.
      const ArchConfig arch = arch_from_scalesim(cfg);
      SchemaSpec spec;
      spec.schema = Schema::npu_only;
      System sys(arch);
      const RunStats st = sys.run(w, map_workload(w, arch, spec), RunOptions{});
      std::vector<const KernelRecord*> by_kernel(w.kernels.size(), nullptr);
      for (const auto& r : st.records) by_kernel[r.index] = &r;
      const double cycle_ns = 1000.0 / arch.npu.clock_mhz;
      const double pes = static_cast<double>(cfg.array.rows * cfg.array.cols);
      size_t row = 0;
      for (size_t i = 0; i < w.kernels.size(); ++i) {
        const Kernel& k = w.kernels[i];
        const int64_t groups = std::max<int64_t>(k.gemm.batch, 1);
        const KernelRecord& rec = *by_kernel[i];
        const int64_t total = static_cast<int64_t>(std::llround((rec.end_ns - rec.start_ns) / cycle_ns));
        const int64_t stall = static_cast<int64_t>(std::llround(rec.stall_ns / cycle_ns));
        for (int64_t g = 0; g < groups; ++g, ++row) {
          auto& r = rows.at(row);
          r.total_cycles = total / groups + (g < total % groups ? 1 : 0);
          r.stall_cycles = stall / groups + (g < stall % groups ? 1 : 0);
          r.overall_util_pct = 100.0 * static_cast<double>(k.gemm.m * k.gemm.k * k.gemm.n) /
                               (std::max<int64_t>(r.total_cycles, 1) * pes);
        }
      }
    }
    OutputDirectory out_dir(args->out);
    const std::string path = out_dir.file("COMPUTE_REPORT.csv");
    write_output(path, format_compute_report(rows));
    out_dir.keep();
    int64_t total = 0;
    for (const auto& r : rows) total += r.total_cycles;
    std::cout << fmt::format("{}: {} layers, {} total cycles ({}x{} {}), wrote {}\n", w.model,
                             rows.size(), total, cfg.array.rows, cfg.array.cols,
                             cfg.array.dataflow == SystolicDataflow::os   ? "os"
                             : cfg.array.dataflow == SystolicDataflow::ws ? "ws"
                                                                          : "is",
                             path);
  });
}

}  // namespace h4h::cli
