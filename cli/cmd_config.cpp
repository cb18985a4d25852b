// `h4hsim config check|show FILE`: validate an arch config; print it fully resolved.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "sim/config/arch_config.h"

namespace h4h::cli {

CLI::Option* add_set_option(CLI::App& cmd, std::vector<std::string>& values) {
  return cmd.add_option("--set", values,
                        "KEY=VALUE arch-config override, applied after the file; repeatable "
                        "(e.g. --set npu.array.rows=64 --set dram.kind=lpddr5_6400)");
}

void register_config(CLI::App& app) {
  auto* cmd = app.add_subcommand("config", "Validate and show architecture configs (YAML)");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto set = std::make_shared<std::vector<std::string>>();

  auto* check = cmd->add_subcommand("check", "Validate an arch config; errors name the YAML path");
  check->add_option("file", *file, "Arch config YAML")->required();
  add_set_option(*check, *set);
  check->callback([file, set]() {
    const ArchConfig cfg = load_arch_config(*file, *set);
    std::cout << *file << ": ok (config hash " << config_hash(cfg) << ")\n";
  });

  auto* show = cmd->add_subcommand("show", "Print the fully resolved config, defaults filled, with units");
  show->add_option("file", *file, "Arch config YAML")->required();
  add_set_option(*show, *set);
  auto json = std::make_shared<bool>(false);
  show->add_flag(
      "--json", *json,
      "Print JSON (values nested as in the YAML, units, the keys the DRAM preset filled)");
  show->callback([file, set, json]() {
    const ArchConfig cfg = load_arch_config(*file, *set);
    if (*json)
      std::cout << arch_config_json(cfg).dump(2) << "\n";
    else
      std::cout << show_arch_config(cfg);
  });

  auto* keys = cmd->add_subcommand("keys", "Print every key with type, unit, default and source (Markdown)");
  keys->callback([]() { std::cout << arch_keys_markdown(); });
}

}  // namespace h4h::cli
