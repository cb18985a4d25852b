#pragma once
// The critical path of a run's first inference: the chain, back from the last kernel to
// finish, of whichever held each kernel back longest — the producer that finished last, or
// the kernel before it on its own unit instance (an epilogue counts as the GEMM it ran in).
// `run --explain` reports it; the auto schedule's local search moves kernels on it first.
#include <vector>

#include "frontend/workload.h"
#include "sim/engine/run_stats.h"

namespace h4h {

// One flag per kernel of `w`: on the critical path of the first inference of `s`.
std::vector<bool> critical_kernels(const RunStats& s, const Workload& w);

}  // namespace h4h
