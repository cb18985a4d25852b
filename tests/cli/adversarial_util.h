#pragma once
// What the end-to-end adversarial CLI tests share: a private scratch directory, the
// unprivileged-user prefix for permission cases, and the "refused in one line" check.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli/cli_test_util.h"

namespace h4h::test {

namespace fs = std::filesystem;

// A private directory (0755: nobody may read it, not write it), removed with everything
// in it; chmod'ed subdirectories are made writable again first.
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "h4h_adv_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  }
  ~Scratch() {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(path_, ec);
         it != fs::recursive_directory_iterator(); ++it)
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }
  std::string str() const { return path_.string(); }
  // Names under `rel` (recursively), sorted: what a failed command must leave unchanged.
  std::vector<std::string> entries(const std::string& rel = "") const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(path_ / rel))
      out.push_back(e.path().lexically_relative(path_).string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dir(const std::string& rel,
                  fs::perms mode = fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec) const {
    fs::create_directories(path_ / rel);
    fs::permissions(path_ / rel, mode);
    return (path_ / rel).string();
  }
  std::string file(const std::string& rel, const std::string& bytes) const {
    std::ofstream(path_ / rel, std::ios::binary) << bytes;
    return (path_ / rel).string();
  }

 private:
  fs::path path_;
};

inline const fs::perms kReadOnlyDir = fs::perms::owner_read | fs::perms::owner_exec |
                               fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec;

// The command prefix that runs the CLI without root's privileges ("" when not root).
inline std::string unprivileged() {
  if (::geteuid() != 0) return "";
  EXPECT_EQ(std::system("command -v setpriv >/dev/null"), 0)
      << "running as root: setpriv (util-linux) is needed to test permission errors for real";
  return "setpriv --reuid=65534 --regid=65534 --clear-groups ";
}


// The precondition of a permission test: `prefix` really is denied `test_expr` on `path`.
inline void expect_denied(const std::string& prefix, const std::string& test_flag,
                   const std::string& path) {
  const std::string cmd = prefix + "test " + test_flag + " '" + path + "'";
  ASSERT_NE(std::system(cmd.c_str()), 0) << "the test user can '" << test_flag << "' " << path
                                         << ": this permission test would prove nothing";
}

// run_cli, under `prefix` (e.g. unprivileged()).
inline CliResult run_cli_as(const std::string& prefix, const std::string& args) {
  return run_cli(args, prefix);
}

// Exit 2, nothing on stdout, exactly `line` (plus its newline) on stderr.
inline void expect_refused(const CliResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "h4hsim: error: " + line + "\n");
}

inline std::string tiny_cnn() { return src("tests/data/onnx/tiny_cnn_op17.onnx"); }
inline std::string npu_only() { return src("arch_configs/npu_only.yaml"); }

}  // namespace h4h::test
