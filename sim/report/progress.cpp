#include "sim/report/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace h4h {

Progress::Progress(std::string label, int64_t total, bool enabled, double log_interval_s)
    : label_(std::move(label)), total_(total), enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1),
      log_interval_s_(log_interval_s), start_(std::chrono::steady_clock::now()), last_draw_(start_) {
  if (enabled_ && !tty_ && total_ > 0)
    std::fputs(fmt::format("{}: {} to do\n", label_, total_).c_str(), stderr);
}

// No final line when unwinding from an error: the error line is the last word.
Progress::~Progress() = default;

std::string Progress::format_duration(double s) {
  if (!(s >= 0) || !std::isfinite(s)) return "?";
  const auto total = static_cast<int64_t>(std::llround(s));
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

void Progress::advance(int64_t n, bool failed) {
  done_ += n;
  if (failed) failed_ += n;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if ((tty_ && since >= 0.1) || (!tty_ && since >= log_interval_s_)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_ && total_ > 0) draw(true);
}

void Progress::draw(bool final_line) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : -1;
  const std::string failed = failed_ ? fmt::format(", {} failed", failed_) : "";
  const std::string stats = fmt::format("{}/{}{} | {:.1f}/s | {} {}", done_, total_, failed, rate,
                                        final_line ? "took" : "ETA",
                                        format_duration(final_line ? elapsed : eta));
  std::string line;
  if (tty_) {
    constexpr int kWidth = 28;
    const int filled = total_ > 0 ? static_cast<int>(kWidth * done_ / std::max<int64_t>(total_, 1)) : 0;
    line = fmt::format("\r{} [{}{}] {}\033[K{}", label_, std::string(static_cast<size_t>(filled), '#'),
                       std::string(static_cast<size_t>(kWidth - filled), '.'), stats,
                       final_line ? "\n" : "");
  } else {
    line = fmt::format("{}: {}\n", label_, stats);
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace h4h
