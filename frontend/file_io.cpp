#include "frontend/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {

namespace {

// Closes a descriptor on every path out of a scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

std::string read_user_file(const std::string& path, const std::string& kind) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) throw UserError(fmt::format("{}: no such file", path));
    throw UserError(fmt::format("{}: cannot be read ({})", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw UserError(fmt::format("{}: is a directory, not {}", path, kind));
  // Devices (/dev/zero, a terminal) never end: only regular files and pipes (<(cmd)) are read.
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
    throw UserError(fmt::format("{}: is not a regular file, not {}", path, kind));
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    throw UserError(fmt::format("{}: cannot be read ({})", path, std::strerror(errno)));
  std::string bytes;
  if (S_ISREG(st.st_mode))
    bytes.reserve(static_cast<size_t>(std::min<off_t>(st.st_size, kMaxUserFileBytes)));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw UserError(fmt::format("{}: read error ({})", path, std::strerror(errno)));
    }
    if (bytes.size() + static_cast<size_t>(n) > static_cast<size_t>(kMaxUserFileBytes))
      throw UserError(fmt::format("{}: larger than {} GiB, more than h4hsim reads as {}", path,
                                  kMaxUserFileBytes >> 30, kind));
    bytes.append(buf, static_cast<size_t>(n));
  }
  return bytes;
}

}  // namespace h4h
