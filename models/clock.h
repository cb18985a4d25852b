#pragma once
// Cycle counts to time, saturating. A unit's cycle count (up to ~2^61 for the largest kernel
// the frontend accepts, on a 1x1 array or one vector lane) times its clock period can pass
// what SystemC's time holds (2^64 resolution units: 213 days at 1 ps), and sc_time's own
// multiply then converts an out-of-range double to an integer (undefined; on x86 an
// arbitrary time). Such a wait saturates instead, at a time far beyond the engine's watchdog
// (an hour of chip time), which then reports the run as too long; a cost estimate saturates
// at INT64_MAX ("never the faster unit").
#include <cstdint>
#include <systemc>

namespace h4h {

// The longest single wait: 2^62 resolution units (53 days at 1 ps), so a saturated wait that
// starts within the watchdog's limit still ends inside SystemC's range.
inline constexpr double kMaxWaitUnits = 4611686018427387904.0;  // 2^62

// x rounded toward zero, or INT64_MAX when it does not fit (x >= 2^63 or NaN).
inline int64_t saturate_to_int64(double x) {
  if (!(x < 9223372036854775808.0)) return INT64_MAX;  // 2^63
  return static_cast<int64_t>(x);
}

// `cycles` periods of `period`, at most kMaxWaitUnits.
inline sc_core::sc_time cycles_time(const sc_core::sc_time& period, int64_t cycles) {
  const double units = period.to_double() * static_cast<double>(cycles);
  if (!(units < kMaxWaitUnits))
    return sc_core::sc_time::from_value(static_cast<uint64_t>(kMaxWaitUnits));
  return period * static_cast<double>(cycles);
}

}  // namespace h4h
