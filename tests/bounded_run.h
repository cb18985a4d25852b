#pragma once
// Runs code, or a shell command, in a child process and reports its exit, how long it took
// and its own peak RSS (wait4's rusage, not the test binary's): adversarial inputs must be
// refused quickly and in bounded memory, and a crash must not take the test binary down.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

namespace h4h::test {

struct BoundedRun {
  bool exited = false;  // false: killed by a signal (a crash, or the timeout's SIGALRM)
  int exit_code = -1;
  int signal = 0;
  std::string message;  // run_in_child: fn's result, or the what() of what it threw
  double seconds = 0;
  long max_rss_kb = 0;
};

namespace detail {
inline void fill(BoundedRun& r, int status, const rusage& ru,
                 std::chrono::steady_clock::time_point t0) {
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.max_rss_kb = ru.ru_maxrss;
  r.exited = WIFEXITED(status);
  r.exit_code = r.exited ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}
}  // namespace detail

#ifndef H4H_TEST_TIMEOUT_SCALE
#define H4H_TEST_TIMEOUT_SCALE 1
#endif

// Runs `fn` in a forked child that is killed after `timeout_s` (times the build's test
// timeout scale: sanitizer builds run several times slower, and this is a hang guard, not a
// speed check). Exit code 0: fn returned (its result is `message`); 1: it threw (what() is
// `message`).
inline BoundedRun run_in_child(const std::function<std::string()>& fn, int timeout_s = 60) {
  timeout_s *= H4H_TEST_TIMEOUT_SCALE;
  BoundedRun r;
  int fds[2];
  if (::pipe(fds) != 0) return r;
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(static_cast<unsigned>(timeout_s));
    std::string msg;
    int code = 0;
    try {
      msg = fn();
    } catch (const std::exception& e) {
      msg = e.what();
      code = 1;
    }
    for (size_t done = 0; done < msg.size();) {
      const ssize_t n = ::write(fds[1], msg.data() + done, msg.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    r.message.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  detail::fill(r, status, ru, t0);
  return r;
}

// Runs `command` with /bin/sh (stdout and stderr to the given files), measured alike.
inline BoundedRun run_command_measured(const std::string& command) {
  BoundedRun r;
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  detail::fill(r, status, ru, t0);
  return r;
}

}  // namespace h4h::test
