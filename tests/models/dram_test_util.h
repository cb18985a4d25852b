#pragma once
// What the DRAM controller tests share: LPDDR4-4266 without refresh (the cases are far
// shorter than tREFI, so they stay exact), the address of the next row and bank, and a
// driver that advances a controller and collects its completions.
#include <cstdint>
#include <map>

#include "models/dram/dram_timing.h"
#include "sim/config/arch_config.h"

namespace h4h::test {

inline DramTimingParams lpddr4() {
  DramTimingParams p = default_arch_config().dram;
  p.refresh = false;
  return p;
}
constexpr uint64_t kRow = 8 * 4096;  // next row of the same bank and channel (channel 0)
constexpr uint64_t kBank = 4096;     // next bank, same channel

// Advances `c` (DramController or DramCycleController) to `until`: request id -> done cycle.
template <class Controller>
std::map<int64_t, int64_t> run(Controller& c, int64_t until) {
  c.advance_to(until);
  std::map<int64_t, int64_t> done;
  for (const auto& f : c.take_finished()) done[f.id] = f.access.done_cycle;
  return done;
}

}  // namespace h4h::test
