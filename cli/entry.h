#pragma once
// h4hsim's command line: parses argv, runs the subcommand, prints a user error as one line
// on stderr and returns the exit code (0 success, 2 the user's mistake, 3 an internal error).

namespace h4h::cli {

int run_main(int argc, char** argv);

}  // namespace h4h::cli
