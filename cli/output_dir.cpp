#include "cli/output_dir.h"

namespace h4h::cli {

namespace fs = std::filesystem;

std::error_code CreatedDirectories::create(const fs::path& dir) {
  // The topmost ancestor known not to exist is the one to remove on failure (one whose
  // status cannot be read counts as existing: never remove what may be someone's).
  std::error_code ec;
  const fs::path target = fs::absolute(dir, ec).lexically_normal();  // "a/../b" makes no "a"
  if (ec) return ec;
  fs::path topmost;
  for (fs::path p = target; p.has_relative_path(); p = p.parent_path()) {
    std::error_code status_ec;
    if (fs::symlink_status(p, status_ec).type() != fs::file_type::not_found) break;
    topmost = p;
  }
  fs::create_directories(target, ec);
  if (!topmost.empty() && fs::is_directory(topmost)) created_.push_back(topmost);
  return ec;
}

CreatedDirectories::~CreatedDirectories() {
  std::error_code ec;
  for (auto it = created_.rbegin(); it != created_.rend(); ++it) fs::remove_all(*it, ec);
}

}  // namespace h4h::cli
