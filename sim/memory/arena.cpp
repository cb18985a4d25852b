#include "sim/memory/arena.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace h4h {
namespace {

int64_t align_up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

bool overlap_in_time(const ArenaRequest& a, const ArenaRequest& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

// Offsets, largest first, each at the lowest gap among the overlapping tensors already on
// chip; one that would end past the capacity is spilled (-1).
std::vector<int64_t> place(const std::vector<ArenaRequest>& requests, int64_t capacity_bytes,
                           int64_t alignment_bytes) {
  if (alignment_bytes <= 0) throw std::logic_error("plan_arena: alignment must be > 0");
  const size_t n = requests.size();
  std::vector<int64_t> offset(n, -1);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Largest first; ties by first use, then by index, so the plan is deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first_step < requests[b].first_step;
  });
  std::vector<size_t> placed;  // in placement order
  std::vector<std::pair<int64_t, int64_t>> busy;  // [begin, end) of overlapping placed ones
  for (size_t idx : order) {
    const ArenaRequest& r = requests[idx];
    if (r.first_step > r.last_step) throw std::logic_error("plan_arena: a lifetime ends before it starts");
    if (r.bytes <= 0) {
      offset[idx] = 0;
      continue;
    }
    busy.clear();
    for (size_t p : placed)
      if (overlap_in_time(r, requests[p])) busy.push_back({offset[p], offset[p] + requests[p].bytes});
    std::sort(busy.begin(), busy.end());
    // The lowest gap that holds it (TFLite takes the smallest such gap; the lowest keeps the
    // arena compact from the bottom, where the capacity is).
    int64_t at = 0;
    for (const auto& [begin, end] : busy) {
      if (begin - at >= r.bytes) break;
      at = std::max(at, align_up(end, alignment_bytes));
    }
    if (at + r.bytes > capacity_bytes) continue;  // spilled: takes no space
    offset[idx] = at;
    placed.push_back(idx);
  }
  return offset;
}

}  // namespace

ArenaPlan plan_arena(const std::vector<ArenaRequest>& requests, int64_t capacity_bytes,
                     int64_t alignment_bytes) {
  ArenaPlan plan;
  plan.offset = place(requests, capacity_bytes, alignment_bytes);
  const auto unbounded = place(requests, std::numeric_limits<int64_t>::max() / 4, alignment_bytes);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].bytes <= 0) continue;
    plan.peak_bytes = std::max(plan.peak_bytes, unbounded[i] + requests[i].bytes);
    if (plan.offset[i] >= 0) plan.used_bytes = std::max(plan.used_bytes, plan.offset[i] + requests[i].bytes);
  }
  return plan;
}

}  // namespace h4h
