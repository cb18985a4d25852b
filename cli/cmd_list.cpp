// `h4hsim list`: what exists — bundled arch presets, kernel classes, supported ONNX ops.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "frontend/graph.h"

namespace h4h::cli {

void register_list(CLI::App& app) {
  auto* cmd = app.add_subcommand("list", "List bundled arch presets, kernel classes and supported ONNX ops");
  cmd->callback([]() {
    namespace fs = std::filesystem;
    std::vector<std::string> presets;
    const fs::path dir = fs::path(H4H_SOURCE_DIR) / "arch_configs";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.path().extension() == ".yaml") presets.push_back(e.path().string());
    std::sort(presets.begin(), presets.end());
    std::cout << "arch presets:\n";
    for (const auto& p : presets) std::cout << "  " << p << "\n";
    std::cout << "kernel classes: conv, linear, matmul, vector, pool, data_movement\n";
    std::cout << fmt::format("supported ONNX ops (opsets 11-17): {}\n",
                             fmt::join(supported_op_types(), ", "));
  });
}

}  // namespace h4h::cli
