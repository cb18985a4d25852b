// CpuShare: the CPUs other processes leave the supernet trainer (nas/cpu_share.h).
#include "nas/cpu_share.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace h4h::nas {
namespace {

TEST(CpuShare, ParsesTheAggregateCpuLineOfProcStat) {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const auto t = parse_proc_stat(
      "cpu  100 5 20 1000 7 1 2 3 50 0\ncpu0 50 2 10 500 3 0 1 1 25 0\nintr 12345\n");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->busy_ticks, 100u + 5 + 20 + 1 + 2 + 3);  // guest time is inside user already
  EXPECT_EQ(t->total_ticks, t->busy_ticks + 1000 + 7);
  EXPECT_FALSE(parse_proc_stat("intr 1\n").has_value());
  EXPECT_FALSE(parse_proc_stat("cpu  1 2\n").has_value());
}

TEST(CpuShare, FreeCpusAreTheMachinesMinusWhatOthersUsed) {
  EXPECT_EQ(free_cpus(2, 2.0, 2.0, 1.0), 2);  // we used both, nobody else
  EXPECT_EQ(free_cpus(2, 2.0, 1.0, 1.0), 1);  // another process took one CPU
  EXPECT_EQ(free_cpus(2, 1.7, 1.0, 1.0), 1);  // 0.7 of one: rounds to one taken
  EXPECT_EQ(free_cpus(2, 1.3, 1.0, 1.0), 2);  // 0.3: noise, keep both
  EXPECT_EQ(free_cpus(2, 4.0, 0.1, 1.0), 1);  // overloaded: never fewer than one
  EXPECT_EQ(free_cpus(8, 1.0, 1.2, 1.0), 8);  // tick rounding below our own time
  EXPECT_EQ(free_cpus(2, 1.0, 0.0, 0.0), 2);  // no interval: assume all
}

TEST(CpuShare, ABusyOtherProcessTakesOneCpuAway) {
  CpuShare share;
  if (share.cpus() < 2) GTEST_SKIP() << "one CPU";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    volatile uint64_t x = 0;
    while (std::chrono::steady_clock::now() < until) x = x + 1;
    _exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  (void)share.sample();  // from here the child is running
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const int free = share.sample();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_LE(free, share.cpus() - 1);
}

}  // namespace
}  // namespace h4h::nas
