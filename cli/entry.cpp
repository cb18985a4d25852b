// The whole command line of h4hsim as a function: main() calls it, and so does the CLI fuzz
// target (tests/fuzz/fuzz_cli.cpp), in process.
// Exit codes: 0 success, 2 the user's mistake (bad file, flag, YAML, unsupported op),
// 3 an internal error (a bug: please report it).
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <new>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/entry.h"
#include "frontend/user_error.h"
#include "frontend/utf8.h"

namespace h4h::cli {

int run_main(int argc, char** argv) {
  // SystemC prints a banner on stdout at start-up unless told not to; stdout carries JSON.
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  set_invocation(argc, argv);
  CLI::App app{"h4hsim: cycle-level simulator of NPU+CIM edge AI chips, and hardware-aware NAS"};
  app.set_version_flag("--version", std::string("h4hsim ") + H4H_VERSION);
  app.require_subcommand(1);
  // Every option's default is shown by --help (subcommands inherit this when created).
  app.option_defaults()->always_capture_default();
  register_run(app);
  register_inspect(app);
  register_config(app);
  register_list(app);
  register_scalesim(app);
  register_nas(app);
  register_sweep(app);
  register_compare(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    // One line, like every other user error (CLI11's own message spans two).
    std::string msg = escape_unprintable(e.what());
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    std::cerr << "h4hsim: error: " << msg << " (see --help)\n";
    return 2;
  } catch (const UserError& e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    std::cerr << "h4hsim: error: " << msg << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    std::cerr << "h4hsim: error: out of memory\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "h4hsim: internal error: " << escape_unprintable(e.what(), false) << "\n";
    return 3;
  }
  return 0;
}

}  // namespace h4h::cli
