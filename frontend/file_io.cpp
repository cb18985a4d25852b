#include "frontend/file_io.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {

std::string read_user_file(const std::string& path, const std::string& kind) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw UserError(fmt::format("{}: no such file", path));
  if (S_ISDIR(st.st_mode)) throw UserError(fmt::format("{}: is a directory, not {}", path, kind));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError(fmt::format("{}: cannot be read (permission denied?)", path));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw UserError(fmt::format("{}: read error", path));
  return buf.str();
}

}  // namespace h4h
