#include "sim/engine/subprocess.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {

bool write_fully(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string run_in_subprocess(const std::function<std::string()>& job) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::close(fds[0]);
    // First byte: 'O' result follows, 'U' user error message follows, 'E' internal error.
    std::string out;
    try {
      out = "O" + job();
    } catch (const UserError& e) {
      out = std::string("U") + e.what();
    } catch (const std::exception& e) {
      out = std::string("E") + e.what();
    }
    const bool ok = write_fully(fds[1], out);
    ::close(fds[1]);
    std::fflush(stdout);
    std::fflush(stderr);
    ::_exit(ok ? 0 : 1);  // no atexit handlers, no SystemC teardown in the child
  }
  ::close(fds[1]);
  std::string text;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFSIGNALED(status))
    throw std::runtime_error(fmt::format("worker process killed by signal {} ({})", WTERMSIG(status),
                                         strsignal(WTERMSIG(status))));
  if (text.empty()) throw std::runtime_error("worker process exited without a result");
  if (text[0] == 'U') throw UserError(text.substr(1));
  if (text[0] == 'E') throw std::runtime_error(text.substr(1));
  return text.substr(1);
}

}  // namespace h4h
