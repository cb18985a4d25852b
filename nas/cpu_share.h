#pragma once
// CpuShare: how many CPUs other processes leave this one, measured from /proc/stat (all
// CPUs' busy time) minus this process's own CPU time over an interval. The supernet trainer
// sizes libtorch's thread pool with it between steps: on a 2-core machine with another
// CPU-bound process, two threads that meet at a barrier every operator wait for the one
// that is descheduled (a step took 13 s instead of 1.2 s); one thread does not.
#include <cstdint>
#include <optional>
#include <string>

namespace h4h::nas {

// The aggregate "cpu" line of /proc/stat, in clock ticks.
struct CpuTimes {
  uint64_t busy_ticks = 0;   // user + nice + system + irq + softirq + steal
  uint64_t total_ticks = 0;  // busy + idle + iowait
};
// Parses /proc/stat's text; nullopt when it has no well-formed "cpu " line.
std::optional<CpuTimes> parse_proc_stat(const std::string& text);

// CPUs free for this process's threads, given over one interval: the machine's CPUs, the
// busy CPU-seconds of all processes and this process's own CPU-seconds, and the wall time.
// Rounded to the nearest whole CPU, at least 1, at most `cpus`.
int free_cpus(int cpus, double all_busy_s, double own_busy_s, double wall_s);

class CpuShare {
 public:
  CpuShare();  // the first sample
  // CPUs free for this process since the previous call (or construction); `cpus` when
  // /proc/stat cannot be read or the interval is too short to tell (< 50 ms).
  int sample();
  int cpus() const { return cpus_; }

 private:
  int cpus_;
  std::optional<CpuTimes> last_;
  double last_own_s_ = 0, last_wall_s_ = 0;
};

}  // namespace h4h::nas
