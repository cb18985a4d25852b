// Fuzz target: whole argument vectors over h4hsim's subcommands and flags, run through the
// real command line (h4h::cli::run_main) in process. One argument per line of the input.
// Contract under test: every vector ends with exit code 0 or 2 (a user error, one line);
// exit code 3 (an internal error), a crash or a sanitizer report is a finding.
//
// Sandbox. The fuzzer chooses output paths too, and it runs as root in CI, so it must not
// reach a real file: every input runs in a private scratch directory (the working
// directory) holding fresh copies of small fixtures under short names (m.onnx, a.yaml,
// h.yaml, s.cfg, t.csv, sp.yaml), and an argument containing '/' is not run. What a
// command writes lands in the scratch, which is emptied after every input.
//
// Not run here (each is covered end to end in tests/cli): commands that start other
// processes or run for seconds per input — nas train/eval (exec h4hsim-torch), nas
// lut/validate/search (hundreds of simulations, child processes), sweep run (worker
// processes). `run` and `scalesim --memory` elaborate SystemC, which a process can do only
// once: those run in a forked child (libFuzzer's coverage does not see inside it; the
// contract is still checked on its exit status).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/entry.h"

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxArgs = 32;

const std::vector<std::pair<const char*, const char*>>& fixtures() {
  static const std::vector<std::pair<const char*, const char*>> f = {
      {"m.onnx", "tests/data/onnx/tiny_cnn_op17.onnx"},
      {"a.yaml", "arch_configs/npu_only.yaml"},
      {"h.yaml", "arch_configs/hetero.yaml"},
      {"s.cfg", "tests/data/scalesim/scale.cfg"},
      {"t.csv", "tests/data/scalesim/test_mnk_input.csv"},
      {"sp.yaml", "nas/spaces/h4h_fmnist.yaml"},
  };
  return f;
}

// The scratch directory, made once; the process works inside it from then on.
const fs::path& scratch() {
  static const fs::path dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "h4h_fuzz_cli_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    fs::current_path(tmpl);
    // What the commands print would drown the fuzzer's own output; errors to stderr stay
    // (sanitizer reports use the descriptor, which is kept).
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);
    ::close(null);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(scratch(), ec);
    });
    return fs::path(tmpl);
  }();
  return dir;
}

void reset_scratch() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(scratch(), ec)) fs::remove_all(e.path(), ec);
  for (const auto& [name, rel] : fixtures())
    fs::copy_file(fs::path(H4H_SOURCE_DIR) / rel, scratch() / name, fs::copy_options::overwrite_existing, ec);
}

std::vector<std::string> split_args(const uint8_t* data, size_t size) {
  std::vector<std::string> args;
  std::string cur;
  for (size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) args.push_back(cur);
  return args;
}

// The subcommand path (first words that are not options): {"nas", "lut"}, {"run"}.
std::vector<std::string> command_of(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  for (const auto& a : args) {
    if (a.empty() || a[0] == '-') break;
    words.push_back(a);
    if (words.size() == 2) break;
  }
  return words;
}

bool excluded(const std::vector<std::string>& cmd) {
  if (cmd.empty()) return false;
  if (cmd[0] == "nas" && cmd.size() > 1)
    for (const char* heavy : {"train", "eval", "lut", "validate", "search"})
      if (cmd[1] == heavy) return true;
  return cmd[0] == "sweep" && cmd.size() > 1 && cmd[1] == "run";
}

bool elaborates(const std::vector<std::string>& args) {
  const auto cmd = command_of(args);
  if (cmd.empty()) return false;
  if (cmd[0] == "run") return true;
  if (cmd[0] != "scalesim") return false;
  for (const auto& a : args)
    if (a == "--memory") return true;
  return false;
}

int run_in_process(std::vector<std::string> args) {
  std::vector<char*> argv;
  std::string prog = "h4hsim";
  argv.push_back(prog.data());
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream sink;
  std::streambuf* err = std::cerr.rdbuf(sink.rdbuf());
  const int code = h4h::cli::run_main(static_cast<int>(argv.size() - 1), argv.data());
  std::cerr.rdbuf(err);
  // H4H_FUZZ_CLI_VERBOSE=1: each vector's exit code and message (to see what a seed does).
  if (std::getenv("H4H_FUZZ_CLI_VERBOSE"))
    std::fprintf(stderr, "  exit %d %s", code, sink.str().empty() ? "\n" : sink.str().c_str());
  if (code != 0 && code != 2) {
    std::fprintf(stderr, "fuzz_cli: exit code %d: %s", code, sink.str().c_str());
    std::abort();
  }
  return code;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args = split_args(data, size);
  if (args.size() > kMaxArgs) return 0;
  for (const auto& a : args)
    if (a.find('/') != std::string::npos || a.find('\0') != std::string::npos) return 0;
  if (excluded(command_of(args))) return 0;
  scratch();
  reset_scratch();
  if (!elaborates(args)) {
    run_in_process(args);
    return 0;
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) ::_exit(run_in_process(args));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 2)) {
    std::fprintf(stderr, "fuzz_cli: the child running `run`/`scalesim --memory` ended with status %d\n", status);
    std::abort();
  }
  return 0;
}
