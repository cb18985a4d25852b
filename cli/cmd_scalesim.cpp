// `h4hsim scalesim`: SCALE-Sim's inputs in, SCALE-Sim's COMPUTE_REPORT.csv out.
#include <filesystem>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "frontend/file_io.h"
#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "sim/scalesim/scalesim_compat.h"

namespace h4h::cli {

namespace {
struct ScaleSimArgs {
  std::string config, topology, out;
};
}  // namespace

void register_scalesim(CLI::App& app) {
  auto args = std::make_shared<ScaleSimArgs>();
  auto* cmd = app.add_subcommand(
      "scalesim", "Run a SCALE-Sim .cfg + topology and write SCALE-Sim's COMPUTE_REPORT.csv "
                  "(ideal memory: compute cycles by SCALE-Sim v2's fold rule)");
  cmd->add_option("--config,-c", args->config, "SCALE-Sim .cfg file")->required();
  cmd->add_option("--topology,-t", args->topology, "SCALE-Sim topology .csv (conv or GEMM)")
      ->required();
  cmd->add_option("--out,-o", args->out, "Output directory (created if missing)")->required();
  cmd->callback([args]() {
    const ScaleSimConfig cfg = load_scalesim_cfg(args->config);
    const Workload w = load_scalesim_topology(args->topology);
    const auto rows = scalesim_compute_report(cfg, w);
    std::error_code ec;
    std::filesystem::create_directories(args->out, ec);
    if (ec) throw UserError(fmt::format("{}: cannot create directory: {}", args->out, ec.message()));
    const std::string path = args->out + "/COMPUTE_REPORT.csv";
    write_file_atomically(path, format_compute_report(rows));
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
