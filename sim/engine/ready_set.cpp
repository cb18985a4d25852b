#include "sim/engine/ready_set.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace h4h {

ReadySet::ReadySet(const Workload& w, int inferences, bool serial,
                   std::vector<std::vector<int>> extra, std::vector<std::vector<int>> overlap)
    : w_(&w), serial_(serial), extra_(std::move(extra)), overlap_(std::move(overlap)),
      done_(static_cast<size_t>(inferences), std::vector<char>(w.kernels.size(), 0)),
      started_(static_cast<size_t>(inferences), std::vector<char>(w.kernels.size(), 0)),
      remaining_(static_cast<size_t>(inferences), static_cast<int>(w.kernels.size())) {}

Blocker ReadySet::blocker(int r, int i) const {
  if (r > 0 && remaining_[r - 1] > 0) return {Blocker::Kind::inference, r - 1, -1};
  for (int p : w_->kernels[i].producers) {
    if (done_[r][p]) continue;
    const bool overlaps = !overlap_.empty() &&
        std::find(overlap_[i].begin(), overlap_[i].end(), p) != overlap_[i].end();
    if (!overlaps) return {Blocker::Kind::kernel, r, p};
    if (!started_[r][p]) return {Blocker::Kind::kernel_start, r, p};
  }
  if (!extra_.empty())
    for (int p : extra_[i])
      if (!done_[r][p]) return {Blocker::Kind::kernel, r, p};
  if (serial_ && i > 0 && !done_[r][i - 1]) return {Blocker::Kind::kernel, r, i - 1};
  return {};
}

bool ReadySet::mark_done(int r, int i) {
  assert(!done_[r][i] && "a kernel runs once per inference");
  done_[r][i] = 1;
  started_[r][i] = 1;
  return --remaining_[r] == 0;
}

int ReadySet::finished_inferences() const {
  int n = 0;
  while (n < inferences() && remaining_[n] == 0) ++n;
  return n;
}

}  // namespace h4h
