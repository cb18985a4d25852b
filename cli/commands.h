#pragma once
// Each command registers itself on the app; the callback throws UserError for user mistakes.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace h4h::cli {

void register_inspect(CLI::App& app);
void register_config(CLI::App& app);
void register_list(CLI::App& app);
void register_scalesim(CLI::App& app);
void register_run(CLI::App& app);
void register_nas(CLI::App& app);
void register_sweep(CLI::App& app);
void register_compare(CLI::App& app);

// `--set KEY=VALUE` (repeatable): arch-config overrides applied after the file (and its
// `base:` chain), in order; apply with load_arch_config(path, values).
CLI::Option* add_set_option(CLI::App& cmd, std::vector<std::string>& values);

// The command line as main() received it (the supernet commands re-exec it).
void set_invocation(int argc, char** argv);
// Without libtorch in this binary: exec h4hsim-torch (beside it) with the same arguments;
// a UserError naming `what` when there is none (a build without libtorch).
[[noreturn]] void exec_torch_variant(const std::string& what);
// libtorch's thread pools wait passively (OMP_WAIT_POLICY=PASSIVE, unless the environment
// says otherwise). They read it when loaded, so h4hsim-torch started without it re-executes
// itself once with it set; exec_torch_variant sets it before its exec.
bool set_passive_threading_env();  // true when it set it
void reexec_with_passive_threading(char** argv);

}  // namespace h4h::cli
