// `h4hsim config check|show FILE`: validate an arch config; print it fully resolved.
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "sim/config/arch_config.h"

namespace h4h::cli {

void register_config(CLI::App& app) {
  auto* cmd = app.add_subcommand("config", "Validate and show architecture configs (YAML)");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();

  auto* check = cmd->add_subcommand("check", "Validate an arch config; errors name the YAML path");
  check->add_option("file", *file, "Arch config YAML")->required();
  check->callback([file]() {
    const ArchConfig cfg = load_arch_config(*file);
    std::cout << *file << ": ok (config hash " << config_hash(cfg) << ")\n";
  });

  auto* show = cmd->add_subcommand("show", "Print the fully resolved config, defaults filled, with units");
  show->add_option("file", *file, "Arch config YAML")->required();
  show->callback([file]() { std::cout << show_arch_config(load_arch_config(*file)); });

  auto* keys = cmd->add_subcommand("keys", "Print every key with type, unit, default and source (Markdown)");
  keys->callback([]() { std::cout << arch_keys_markdown(); });
}

}  // namespace h4h::cli
