#include "frontend/file_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
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

void write_file_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(fmt::format("{}: cannot be written", path));
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw UserError(fmt::format("{}: write failed (disk full?)", path));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw UserError(fmt::format("{}: cannot be written", path));
  }
}

}  // namespace h4h
