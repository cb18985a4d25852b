#pragma once
// Runs the real h4hsim binary and captures exit code, stdout and stderr.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace h4h::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a shell command line (sh -c) with stdin from /dev/null; captures both streams.
inline CliResult run_command(const std::string& command) {
  static int counter = 0;
  const std::string base = "/tmp/h4h_cli_test_" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter++);
  const std::string cmd = command + " >" + base + ".out 2>" + base + ".err </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(base + ".out");
  r.err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

// `prefix` goes before the binary, e.g. "setpriv --reuid=65534 ... " to run it as another user.
inline CliResult run_cli(const std::string& args, const std::string& prefix = "") {
  return run_command(prefix + H4H_CLI_PATH + " " + args);
}

inline std::string src(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }

inline int line_count(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace h4h::test
