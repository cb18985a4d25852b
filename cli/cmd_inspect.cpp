// `h4hsim inspect`: what the frontend understood of a network, kernel by kernel.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "frontend/workload_report.h"

namespace h4h::cli {

namespace {
struct InspectArgs {
  std::string model;
  int64_t batch = 0;
  std::vector<std::string> inputs;
  int precision_bits = 8;
  bool json = false;
};
}  // namespace

void register_inspect(CLI::App& app) {
  auto args = std::make_shared<InspectArgs>();
  auto* cmd = app.add_subcommand("inspect", "Show the kernels a model lowers to, with MACs and bytes");
  cmd->add_option("--model,-m", args->model, "ONNX model (.onnx) or SCALE-Sim topology (.csv)")
      ->required();
  cmd->add_option("--batch,-b", args->batch,
                  "Batch for a dynamic batch axis (default 1; a fixed batch is kept)");
  cmd->add_option("--inputs", args->inputs,
                  "Names of the data inputs (default: the first graph input; the rest are parameters)")
      ->delimiter(',');
  cmd->add_option("--precision-bits", args->precision_bits,
                  "Storage precision for the byte counts (8, 16 or 32)")
      ->check(CLI::IsMember({8, 16, 32}));
  cmd->add_flag("--json", args->json, "Print JSON (a stable contract) instead of the table");
  cmd->callback([args, cmd]() {
    if (cmd->count("--batch") && args->batch <= 0)
      throw UserError("--batch must be > 0, got " + std::to_string(args->batch));
    FrontendOptions opts;
    opts.batch = args->batch;
    opts.data_inputs = args->inputs;
    opts.activation_bits = opts.weight_bits = args->precision_bits;
    const Workload w = load_workload(args->model, opts);
    if (args->json) std::cout << workload_to_json(w).dump(2) << "\n";
    else std::cout << workload_table(w);
  });
}

}  // namespace h4h::cli
