#pragma once
// The bus's parameters, apart from the SystemC module so the arch config can embed them
// without pulling in SystemC.
#include <cstdint>

namespace h4h {

// Filled from the arch config (bus.*), whose declaration table holds the defaults.
struct BusTimingParams {
  int64_t width_bytes = 0;
  double clock_mhz = 0;
  int64_t latency_cycles = 0;
  bool round_robin = true;   // false: fixed priority, lowest initiator id first
};

}  // namespace h4h
