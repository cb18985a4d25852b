#pragma once
// Estimator: a subnet's latency and energy from the LUT — the sum of its blocks' entries,
// then the space's linear correction (fitted on full simulations by `nas lut`). Built
// once per (space, table); estimate() allocates nothing and hashes 64-bit keys, so the
// search evaluates millions of subnets per second.
#include <cstdint>
#include <string>
#include <unordered_map>

#include "nas/lut.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

namespace h4h::nas {

struct Estimate {
  double latency_ns = 0, energy_pj = 0;          // corrected
  double sum_latency_ns = 0, sum_energy_pj = 0;  // raw block sums
};

class Estimator {
 public:
  // UserError when the table lacks a block of the space (the LUT was built for another).
  Estimator(const SearchSpace& space, const LutTable& table);

  Estimate estimate(const Subnet& s) const;
  const Correction& correction() const { return correction_; }
  void set_correction(const Correction& c) { correction_ = c; }

 private:
  struct Cost {
    double latency_ns, energy_pj;
  };
  const SearchSpace& space_;
  std::unordered_map<uint64_t, Cost> costs_;
  Correction correction_;
};

// Fits the correction on `samples` random subnets (seeded) simulated in full on `sys`.
Correction fit_correction(const SearchSpace& space, const Estimator& raw, System& sys,
                          const SchemaSpec& spec, int samples, uint64_t seed, bool progress);

}  // namespace h4h::nas
