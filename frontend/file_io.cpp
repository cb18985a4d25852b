#include "frontend/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
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

// Why an output cannot be created, in the words the plot writer uses too.
std::string write_reason(int err) {
  if (err == ENOENT) return "no such directory";
  if (err == ENOTDIR) return "a parent is not a directory";
  if (err == EISDIR) return "is a directory";
  return std::strerror(err);
}

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

void write_file_atomically(const std::string& path, const std::string& text) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw UserError(fmt::format("{}: cannot be written (is a directory)", path));
  // A fresh temporary beside the output (same directory, so the rename is atomic); the
  // sequence number keeps two writers of one process, or a stale file, apart.
  static std::atomic<unsigned> sequence{0};
  std::string tmp;
  int raw = -1;
  for (int attempt = 0; attempt < 100 && raw < 0; ++attempt) {
    tmp = fmt::format("{}.tmp.{}.{}", path, ::getpid(), sequence++);
    raw = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (raw < 0 && errno != EEXIST) break;
  }
  if (raw < 0)
    throw UserError(fmt::format("{}: cannot be written ({})", path, write_reason(errno)));
  Fd fd(raw);
  auto fail = [&](const std::string& why) {
    ::close(fd.release());
    ::unlink(tmp.c_str());
    throw UserError(fmt::format("{}: {}", path, why));
  };
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(fmt::format("write failed ({})", std::strerror(errno)));
    done += static_cast<size_t>(n);
  }
  if (::close(fd.release()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw UserError(fmt::format("{}: write failed ({})", path, std::strerror(err)));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw UserError(fmt::format("{}: cannot be written ({})", path, write_reason(err)));
  }
}

void check_output_writable(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw UserError(fmt::format("{}: cannot be written (is a directory)", path));
  const std::string probe = fmt::format("{}.probe.{}", path, ::getpid());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0 && errno != EEXIST)
    throw UserError(fmt::format("{}: cannot be written ({})", path, write_reason(errno)));
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
  }
}

}  // namespace h4h
