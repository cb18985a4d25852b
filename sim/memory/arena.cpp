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
int64_t cost_of(const ArenaRequest& r) { return r.spill_cost > 0 ? r.spill_cost : r.bytes; }

std::vector<int64_t> place(const std::vector<ArenaRequest>& requests, int64_t capacity_bytes,
                           int64_t alignment_bytes, bool by_cost = false) {
  if (alignment_bytes <= 0) throw std::logic_error("plan_arena: alignment must be > 0");
  const size_t n = requests.size();
  std::vector<int64_t> offset(n, -1);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Largest (or costliest) first; ties by size, first use, then index: deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (by_cost && cost_of(requests[a]) != cost_of(requests[b]))
      return cost_of(requests[a]) > cost_of(requests[b]);
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

int64_t spilled_cost(const std::vector<ArenaRequest>& requests, const std::vector<int64_t>& offset) {
  int64_t b = 0;
  for (size_t i = 0; i < requests.size(); ++i)
    if (offset[i] < 0) b += cost_of(requests[i]);
  return b;
}

ArenaPlan plan_arena(const std::vector<ArenaRequest>& requests, int64_t capacity_bytes,
                     int64_t alignment_bytes) {
  ArenaPlan plan;
  const auto unbounded = place(requests, std::numeric_limits<int64_t>::max() / 4, alignment_bytes);
  for (size_t i = 0; i < requests.size(); ++i)
    if (requests[i].bytes > 0) plan.peak_bytes = std::max(plan.peak_bytes, unbounded[i] + requests[i].bytes);
  if (capacity_bytes >= plan.peak_bytes) {
    plan.offset = unbounded;  // nothing spills: the same offsets a bounded pass finds
  } else {
    // Greedy placement is not monotone in the capacity, so keep the best of the greedy plans
    // at this capacity and at every grid capacity below it (four per octave from 1 KiB): a
    // plan that fits a smaller buffer fits this one. Spilled bytes are then monotone over
    // the grid, and never worse here than at the grid capacity below.
    plan.offset = place(requests, capacity_bytes, alignment_bytes);
    int64_t best = spilled_cost(requests, plan.offset);
    auto consider = [&](int64_t capacity, bool by_cost) {
      auto cand = place(requests, capacity, alignment_bytes, by_cost);
      const int64_t cost = spilled_cost(requests, cand);
      if (cost < best) {
        best = cost;
        plan.offset = std::move(cand);
      }
    };
    consider(capacity_bytes, true);
    for (int64_t octave = 1024; octave < capacity_bytes && best > 0; octave *= 2)
      for (int64_t q = 4; q < 8; ++q) {
        const int64_t g = octave * q / 4;
        if (g >= capacity_bytes) break;
        consider(g, false);
        consider(g, true);
      }
  }
  for (size_t i = 0; i < requests.size(); ++i)
    if (requests[i].bytes > 0 && plan.offset[i] >= 0)
      plan.used_bytes = std::max(plan.used_bytes, plan.offset[i] + requests[i].bytes);
  plan.spilled_cost = spilled_cost(requests, plan.offset);
  return plan;
}

}  // namespace h4h
