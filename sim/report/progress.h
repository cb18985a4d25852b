#pragma once
// Progress: a progress line for long jobs (LUT builds, validation, sweeps) on stderr.
// On a terminal it redraws one line — bar, done/total, failures, rate, ETA; otherwise
// (CI logs, pipes) it prints a plain line at most every `log_interval_s` seconds and at
// the end, so logs stay short and readable.
#include <chrono>
#include <cstdint>
#include <string>

namespace h4h {

class Progress {
 public:
  Progress(std::string label, int64_t total, bool enabled = true, double log_interval_s = 10.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t n = 1, bool failed = false);
  void finish();  // final line; idempotent (the destructor does not draw it)

  // Seconds left at the current rate ("" until there is a rate), e.g. "1m05s".
  static std::string format_duration(double seconds);

 private:
  void draw(bool final_line);
  std::string label_;
  int64_t total_, done_ = 0, failed_ = 0;
  bool enabled_, tty_, finished_ = false;
  double log_interval_s_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace h4h
