#pragma once
// Estimator: a subnet's latency and energy from the LUT — the sum of its blocks' entries,
// then the space's linear correction (fitted on full simulations by `nas lut`). Built
// once per (space, table); estimate() allocates nothing and hashes 64-bit keys, so the
// search evaluates millions of subnets per second.
//
// Steady state: alone, a block keeps all its CIM weights resident; in a network they
// share the cluster. The sum therefore walks the blocks in network order, lets each keep
// its weights while the macros it pinned alone still fit in what is left of the cluster,
// and charges the block's cold (reprogramming) cost once they no longer do — the order
// in which the mapper pins layers.
#include <cstdint>
#include <string>
#include <vector>

#include "nas/lut.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

namespace h4h::nas {

struct Estimate {
  double latency_ns = 0, energy_pj = 0;          // corrected
  double sum_latency_ns = 0, sum_energy_pj = 0;  // raw block sums
  double sum_dynamic_pj = 0;                      // the energy sum without the blocks' leakage
};

class Estimator {
 public:
  // UserError when the table lacks a block of the space (the LUT was built for another).
  Estimator(const SearchSpace& space, const LutTable& table);

  Estimate estimate(const Subnet& s) const;
  const Correction& correction() const { return correction_; }
  Metric metric() const { return metric_; }  // the inference the table measures
  double leakage_mw() const { return leakage_mw_; }
  void set_correction(const Correction& c) { correction_ = c; }

 private:
  struct Cost {
    double latency_ns, energy_pj;
    double cold_latency_ns, cold_energy_pj;
    int64_t resident_macros;
    double dynamic_pj = 0, cold_dynamic_pj = 0;  // without the block's leakage
  };
  const Cost& lookup(uint64_t key) const;
  const SearchSpace& space_;
  Metric metric_;
  int64_t cim_macros_ = 0;
  double leakage_mw_ = 0;
  // Open addressing over packed keys (a few thousand entries, cache resident): the hot
  // path of the search does ~40 lookups per subnet.
  std::vector<uint64_t> slot_keys_;
  std::vector<Cost> slot_costs_;
  uint64_t slot_mask_ = 0;
  Correction correction_;
};

// Fits the correction on `samples` random subnets (seeded) simulated in full on `sys`.
Correction fit_correction(const SearchSpace& space, const Estimator& raw, System& sys,
                          const SchemaSpec& spec, int samples, uint64_t seed, bool progress);

}  // namespace h4h::nas
