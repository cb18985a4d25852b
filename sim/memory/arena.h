#pragma once
// Arena: offsets for tensors with lifetimes in one on-chip buffer, so that no two tensors
// live at once share a byte. Greedy by size, the strategy of TFLite's arena planner
// (simple_memory_arena / greedy_memory_planner): tensors in decreasing size, each at the
// lowest offset whose gap between already-placed tensors that overlap it in time is large
// enough. Plain C++.
//
// Capacity is applied after the offsets: a tensor whose end offset passes the capacity is
// spilled (lives in DRAM). The offsets themselves do not depend on the capacity, so the
// set of spilled tensors can only shrink as the buffer grows: more buffer never means more
// DRAM traffic (the invariant docs/simulation.md promises). The price is that a spilled
// tensor's hole is not reused by a smaller one.
#include <cstdint>
#include <vector>

namespace h4h {

struct ArenaRequest {
  int64_t bytes = 0;     // 0: needs no space (always "on chip", offset 0)
  int first_step = 0;    // lives from the start of this step ...
  int last_step = 0;     // ... to the end of this one (inclusive)
};

struct ArenaPlan {
  std::vector<int64_t> offset;   // per request; -1 = spilled
  int64_t peak_bytes = 0;        // arena size the offsets need with nothing spilled
  int64_t used_bytes = 0;        // highest end offset among the tensors kept on chip
};

ArenaPlan plan_arena(const std::vector<ArenaRequest>& requests, int64_t capacity_bytes,
                     int64_t alignment_bytes);

}  // namespace h4h
