#include "sim/engine/run_stats.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace h4h {
namespace {

// Throws naming the quantity; `what` is only formatted for the one that fails.
template <typename Name>
void require_finite(double v, const Name& what) {
  if (std::isfinite(v)) return;
  throw std::logic_error(
      fmt::format("a non-finite number reached the results: {} is {}", what(), v));
}

}  // namespace

void check_results_finite(const RunStats& s) {
  require_finite(s.npu_clock_mhz, [] { return std::string("clock_mhz"); });
  for (size_t r = 0; r < s.inferences.size(); ++r) {
    const InferenceStats& inf = s.inferences[r];
    auto name = [r](const char* field) {
      return [r, field] { return fmt::format("inference {} {}", r, field); };
    };
    require_finite(inf.latency_ns, name("latency_ns"));
    const EnergyBreakdown& e = inf.energy;
    for (const auto& [part_name, part] : kEnergyParts)
      require_finite(e.*part,
                     [r, n = part_name] { return fmt::format("inference {} energy_pj.{}", r, n); });
    require_finite(e.total(), name("energy_pj"));
    const std::pair<const char*, const UnitUse*> units[] = {
        {"npu", &inf.npu}, {"vector", &inf.vector}, {"cim", &inf.cim},
        {"bus", &inf.bus}, {"dram", &inf.dram},     {"dma", &inf.dma}};
    for (const auto& u : units) {
      require_finite(u.second->busy_ns,
                     [&] { return fmt::format("inference {} units.{}.busy_ns", r, u.first); });
      require_finite(u.second->utilization,
                     [&] { return fmt::format("inference {} units.{}.utilization", r, u.first); });
    }
  }
  for (const KernelRecord& k : s.records) {
    const std::pair<const char*, double> fields[] = {{"start_ns", k.start_ns},
                                                     {"end_ns", k.end_ns},
                                                     {"stall_ns", k.stall_ns},
                                                     {"energy_pj", k.energy_pj}};
    for (const auto& f : fields)
      require_finite(f.second, [&] {
        return fmt::format("kernel {} (inference {}) {}", k.index, k.inference, f.first);
      });
  }
  for (const BusSlice& b : s.bus_slices) {
    require_finite(b.start_ns, [] { return std::string("a bus slice's start_ns"); });
    require_finite(b.end_ns, [] { return std::string("a bus slice's end_ns"); });
  }
  for (const DramSlice& d : s.dram_slices) {
    require_finite(d.start_ns, [] { return std::string("a DRAM slice's start_ns"); });
    require_finite(d.end_ns, [] { return std::string("a DRAM slice's end_ns"); });
  }
}

}  // namespace h4h
