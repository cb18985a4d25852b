// Hands a command over to h4hsim-torch, the build of this CLI that links libtorch.
#include <unistd.h>

#include <climits>
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
    std::fflush(stdout);
    ::execv(path.c_str(), args.data());
  }
  throw UserError(fmt::format("{} needs the supernet, and this h4hsim was built without libtorch "
                              "(Debian: libtorch-dev; scripts/setup.sh installs it, then rebuild)", what));
}

}  // namespace h4h::cli
