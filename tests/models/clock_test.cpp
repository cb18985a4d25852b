// Cycle counts to time (models/clock.h): exact in range, saturating past it, never wrapping.
#include "models/clock.h"

#include <gtest/gtest.h>

#include <cmath>

namespace h4h {
namespace {

TEST(Clock, CycleCountsPastSystemCsTimeRangeSaturateInsteadOfWrapping) {
  const sc_core::sc_time one_mhz(1e6, sc_core::SC_PS);
  EXPECT_EQ(cycles_time(one_mhz, 1000).value(), uint64_t{1000000000});
  // 2^61 cycles of 1 us are 2.3e24 ps, past SystemC's 2^64 ps; sc_time's multiply turned
  // that into an arbitrary time (an out-of-range double converted to an integer).
  EXPECT_EQ(cycles_time(one_mhz, int64_t{1} << 61).value(), uint64_t{1} << 62);
  EXPECT_EQ(cycles_time(one_mhz, INT64_MAX).value(), uint64_t{1} << 62);
}

TEST(Clock, CostsPastInt64SaturateAtItsMaximum) {
  EXPECT_EQ(saturate_to_int64(1e30), INT64_MAX);
  EXPECT_EQ(saturate_to_int64(9223372036854775808.0), INT64_MAX);  // 2^63
  EXPECT_EQ(saturate_to_int64(std::nan("")), INT64_MAX);
  EXPECT_EQ(saturate_to_int64(9.2e18), int64_t{9200000000000000000});
  EXPECT_EQ(saturate_to_int64(2.9), 2);
}

}  // namespace
}  // namespace h4h
