#include "nas/cpu_share.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

namespace h4h::nas {

std::optional<CpuTimes> parse_proc_stat(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("cpu ", 0) != 0) continue;
    std::istringstream fields(line.substr(4));
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    uint64_t v[8] = {};
    int n = 0;
    while (n < 8 && fields >> v[n]) ++n;
    if (n < 4) return std::nullopt;
    CpuTimes t;
    t.busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    t.total_ticks = t.busy_ticks + v[3] + v[4];
    return t;
  }
  return std::nullopt;
}

int free_cpus(int cpus, double all_busy_s, double own_busy_s, double wall_s) {
  if (cpus < 1) cpus = 1;
  if (!(wall_s > 0)) return cpus;
  const double others = std::max(0.0, all_busy_s - own_busy_s) / wall_s;
  const double free = static_cast<double>(cpus) - others;
  return std::clamp(static_cast<int>(std::lround(free)), 1, cpus);
}

namespace {

std::optional<CpuTimes> read_proc_stat() {
  std::ifstream f("/proc/stat");
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_proc_stat(ss.str());
}

double seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

CpuShare::CpuShare()
    : cpus_(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      last_(read_proc_stat()),
      last_own_s_(seconds(CLOCK_PROCESS_CPUTIME_ID)),
      last_wall_s_(seconds(CLOCK_MONOTONIC)) {}

int CpuShare::sample() {
  const auto now = read_proc_stat();
  const double own_s = seconds(CLOCK_PROCESS_CPUTIME_ID), wall_s = seconds(CLOCK_MONOTONIC);
  const double dt = wall_s - last_wall_s_;
  if (dt < 0.05) return cpus_;
  int free = cpus_;
  if (now && last_ && now->busy_ticks >= last_->busy_ticks) {
    const double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
    free = free_cpus(cpus_, static_cast<double>(now->busy_ticks - last_->busy_ticks) * tick_s,
                     own_s - last_own_s_, dt);
  }
  last_ = now;
  last_own_s_ = own_s;
  last_wall_s_ = wall_s;
  return free;
}

}  // namespace h4h::nas
