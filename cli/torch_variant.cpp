// Hands a command over to h4hsim-torch, the build of this CLI that links libtorch.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "frontend/user_error.h"

namespace h4h::cli {

namespace {
std::vector<char*> g_argv;
}

void set_invocation(int argc, char** argv) { g_argv.assign(argv, argv + argc); }

bool set_passive_threading_env() {
  if (std::getenv("OMP_WAIT_POLICY")) return false;  // the user's choice stands
  // libgomp (libtorch's OpenMP) reads these once, when it is loaded: idle threads sleep
  // instead of spinning, so a thread descheduled by another process does not leave the
  // others burning the CPU it needs. OpenBLAS's own pool spins for 2^N ticks (N >= 4).
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
  return true;
}

void reexec_with_passive_threading(char** argv) {
  if (!set_passive_threading_env()) return;
  std::fflush(stdout);
  ::execv("/proc/self/exe", argv);  // on failure: go on, spinning
}

void exec_torch_variant(const std::string& what) {
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path;
  if (n > 0) {
    self[n] = '\0';
    const std::string s(self);
    const std::string dir = s.substr(0, s.rfind('/') + 1);
    // Never exec ourselves again (h4hsim-torch without torch would loop).
    if (s.substr(dir.size()) != H4H_TORCH_EXE) path = dir + H4H_TORCH_EXE;
  }
  if (!path.empty() && ::access(path.c_str(), X_OK) == 0 && !g_argv.empty()) {
    std::vector<char*> args(g_argv);
    args[0] = path.data();
    args.push_back(nullptr);
    set_passive_threading_env();
    std::fflush(stdout);
    ::execv(path.c_str(), args.data());
  }
  throw UserError(
      fmt::format("{} needs the supernet: there is no {} beside this h4hsim (built "
                  "without libtorch, or not built yet: scripts/build.sh builds it "
                  "once Debian's libtorch-dev is installed, as scripts/setup.sh does)",
                  what, H4H_TORCH_EXE));
}

}  // namespace h4h::cli
