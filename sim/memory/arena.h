#pragma once
// Arena: offsets for tensors with lifetimes in one on-chip buffer, so that no two tensors
// live at once share a byte. Greedy by size, the strategy of TFLite's arena planner
// (simple_memory_arena / greedy_memory_planner): tensors in decreasing size, each at the
// lowest offset whose gap between already-placed tensors that overlap it in time is large
// enough. Plain C++.
//
// A tensor that does not fit below the capacity where it would go is spilled (lives in
// DRAM) and takes no space, so smaller tensors after it may still stay on chip; that is
// what compilers with a fixed arena do (Vela, TFLite Micro). Below the peak, a second
// greedy pass places tensors in decreasing spill cost (a tensor read many times is worth
// more than a larger one read once), and the plan spilling less cost wins. Greedy placement alone is not
// monotone: a tensor that fits only in the larger buffer can block two smaller ones that
// the smaller buffer kept (Arena.GreedyPlacementIsNotMonotoneInEveryCase). So the plan is
// the one spilling least cost among the greedy plans at this capacity and at every grid
// capacity below it (1 KiB x 2^(k/4)): whatever fits a smaller buffer fits this one, so
// the spilled cost never grows from one grid capacity to a larger one, and a capacity
// between grid points never does worse than the grid point below it.
#include <cstdint>
#include <vector>

namespace h4h {

struct ArenaRequest {
  int64_t bytes = 0;     // 0: needs no space (always "on chip", offset 0)
  int first_step = 0;    // lives from the start of this step ...
  int last_step = 0;     // ... to the end of this one (inclusive)
  int64_t spill_cost = 0;  // what spilling it costs (DRAM bytes moved); 0: its bytes
};

struct ArenaPlan {
  std::vector<int64_t> offset;   // per request; -1 = spilled
  int64_t peak_bytes = 0;        // the smallest capacity at which nothing spills (this planner)
  int64_t used_bytes = 0;        // highest end offset among the tensors kept on chip
  int64_t spilled_cost = 0;      // sum of the spilled requests' costs
};

ArenaPlan plan_arena(const std::vector<ArenaRequest>& requests, int64_t capacity_bytes,
                     int64_t alignment_bytes);

}  // namespace h4h
