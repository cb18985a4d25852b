// The global buffer's port: ceil(bytes / (banks x width)) cycles per request, first come
// first served (hand-computed).
#include <gtest/gtest.h>

#include "models/sram/global_buffer.h"

namespace h4h {
namespace {

GlobalBufferParams params(int64_t banks, int64_t width) {
  GlobalBufferParams p;
  p.capacity_kib = 1024;
  p.banks = banks;
  p.bank_width_bytes = width;
  p.clock_mhz = 800;
  return p;
}

TEST(GlobalBufferTiming, RequestHoldsThePortForBytesOverBanksTimesWidthCycles) {
  GlobalBufferTiming gb(params(16, 4));  // 64 B/cycle
  EXPECT_EQ(gb.access(0, 4096, false), 64);
  GlobalBufferTiming gb2(params(16, 4));
  EXPECT_EQ(gb2.access(10, 65, true), 12);  // 2 cycles, rounded up
  EXPECT_EQ(gb2.stats().bytes_written, 65);
}

TEST(GlobalBufferTiming, ConcurrentRequestsQueueFirstComeFirstServed) {
  GlobalBufferTiming gb(params(8, 8));  // 64 B/cycle
  EXPECT_EQ(gb.access(0, 640, false), 10);
  EXPECT_EQ(gb.access(3, 640, true), 20);   // waits for the first
  EXPECT_EQ(gb.access(50, 64, false), 51);  // port idle again
  EXPECT_EQ(gb.stats().busy_cycles, 21);
  EXPECT_EQ(gb.stats().bytes_read, 704);
}

TEST(GlobalBufferTiming, MoreBanksNeverTakeLonger) {
  for (int64_t banks = 1; banks <= 64; banks *= 2) {
    GlobalBufferTiming narrow(params(banks, 4)), wide(params(banks * 2, 4));
    for (int64_t bytes : {1, 63, 64, 4096, 100000})
      EXPECT_LE(wide.access(0, bytes, false), narrow.access(0, bytes, false)) << banks << " " << bytes;
  }
}

}  // namespace
}  // namespace h4h
