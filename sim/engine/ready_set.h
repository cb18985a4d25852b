#pragma once
// ReadySet: which kernels of which inference may start, as plain bookkeeping the SystemC
// scheduler threads consult (and GoogleTest checks without sc_start). A kernel of inference
// r may start when inference r-1 is finished (inferences run back to back), when every
// producer of it in inference r is done, and, in a serial schedule, when the kernel before
// it in network order is done. `extra` adds, per kernel, kernels it also waits for in the
// same inference (the global buffer's reuse order, sim/memory/tensor_plan). `overlap` lists,
// per kernel, producers it only needs to have *started* (row-band pipelining across units:
// its reads then wait for the bytes, models/dma StreamProgress).
#include <vector>

#include "frontend/workload.h"

namespace h4h {

// What (r, i) waits for first: nothing, the whole previous inference, one kernel to end,
// or one kernel to start.
struct Blocker {
  enum class Kind { none, inference, kernel, kernel_start };
  Kind kind = Kind::none;
  int inference = -1;
  int kernel = -1;
};

class ReadySet {
 public:
  ReadySet() = default;
  ReadySet(const Workload& w, int inferences, bool serial,
           std::vector<std::vector<int>> extra = {}, std::vector<std::vector<int>> overlap = {});

  Blocker blocker(int r, int i) const;
  bool ready(int r, int i) const { return blocker(r, i).kind == Blocker::Kind::none; }
  // Marks (r, i) done; returns true when that completes inference r. A kernel is done once.
  bool mark_done(int r, int i);
  bool done(int r, int i) const { return done_[r][i] != 0; }
  void mark_started(int r, int i) { started_[r][i] = 1; }
  bool started(int r, int i) const { return started_[r][i] != 0; }
  int remaining(int r) const { return remaining_[r]; }
  int inferences() const { return static_cast<int>(remaining_.size()); }
  int finished_inferences() const;  // leading inferences with nothing left

 private:
  const Workload* w_ = nullptr;
  bool serial_ = false;
  std::vector<std::vector<int>> extra_;  // per kernel, or empty
  std::vector<std::vector<int>> overlap_;  // per kernel, or empty
  std::vector<std::vector<char>> done_;  // [inference][kernel]
  std::vector<std::vector<char>> started_;
  std::vector<int> remaining_;           // per inference
};

}  // namespace h4h
