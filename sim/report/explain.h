#pragma once
// `run --explain`: why each kernel ran where it did, and what set the run's length. Per
// kernel of the first inference: the unit it ran on, the mapper's estimate of its time and
// energy on every unit that could run it (UnitEstimate), when it ran, the kernels on other
// units it overlapped with, and whether it is on the critical path — the chain, back from
// the last kernel to finish, of whichever held each kernel back longest: the producer that
// finished last, or the kernel before it on its own unit.
#include <nlohmann/json.hpp>
#include <string>

#include "frontend/workload.h"
#include "sim/config/arch_config.h"
#include "sim/engine/run_stats.h"

namespace h4h {

nlohmann::json explain_json(const RunStats& s, const Workload& w, const ArchConfig& cfg);
std::string explain_table(const RunStats& s, const Workload& w, const ArchConfig& cfg);

}  // namespace h4h
