#pragma once
// Each command registers itself on the app; the callback throws UserError for user mistakes.
#include <CLI/CLI.hpp>

namespace h4h::cli {

void register_inspect(CLI::App& app);
void register_config(CLI::App& app);
void register_list(CLI::App& app);
void register_scalesim(CLI::App& app);
void register_run(CLI::App& app);
void register_nas(CLI::App& app);

}  // namespace h4h::cli
