// h4hsim: one binary, one subcommand per job. Thin: parse flags, call the libraries.
// Exit codes: 0 success, 2 the user's mistake (bad file, flag, YAML, unsupported op),
// 3 an internal error (a bug: please report it).
#include "cli/commands.h"
#include "cli/entry.h"

int main(int argc, char** argv) {
#ifdef H4H_HAVE_TORCH
  h4h::cli::reexec_with_passive_threading(argv);
#endif
  return h4h::cli::run_main(argc, argv);
}
