#include "nas/estimator.h"

#include <cassert>
#include <random>

#include <fmt/format.h>

#include "frontend/user_error.h"
#include "nas/onnx_builder.h"
#include "nas/stats.h"
#include "sim/report/progress.h"

namespace h4h::nas {

namespace {
constexpr uint64_t kEmpty = ~uint64_t{0};  // no packed key is all ones (kind ≤ 3, fields bounded)
uint64_t slot_of(uint64_t key) { return (key * 0x9E3779B97F4A7C15ull) >> 20; }
}  // namespace

const Estimator::Cost& Estimator::lookup(uint64_t key) const {
  uint64_t i = slot_of(key) & slot_mask_;
  // A subnet of the space only has blocks of the space, and the constructor stored them
  // all, so the probe ends on the key.
  while (slot_keys_[i] != key) {
    assert(slot_keys_[i] != kEmpty && "block of a subnet missing from the estimator");
    i = (i + 1) & slot_mask_;
  }
  return slot_costs_[i];
}

Estimator::Estimator(const SearchSpace& space, const LutTable& table)
    : space_(space), metric_(table_metric(table)), cim_macros_(table.cim_macros), leakage_mw_(table.leakage_mw) {
  const auto blocks = all_block_instances(space);
  uint64_t slots = 16;
  while (slots < 4 * blocks.size()) slots <<= 1;  // load factor <= 1/4
  slot_keys_.assign(slots, kEmpty);
  slot_costs_.assign(slots, Cost{});
  slot_mask_ = slots - 1;
  int64_t missing = 0;
  std::string first_missing;
  for (const auto& b : blocks) {
    auto it = table.entries.find(b.key());
    if (it == table.entries.end()) {
      if (!missing++) first_missing = b.key();
      continue;
    }
    const LutEntry& e = it->second;
    uint64_t i = slot_of(b.packed_key()) & slot_mask_;
    while (slot_keys_[i] != kEmpty && slot_keys_[i] != b.packed_key()) i = (i + 1) & slot_mask_;
    slot_keys_[i] = b.packed_key();
    slot_costs_[i] = Cost{e.latency_ns, e.energy_pj, e.cold_latency_ns, e.cold_energy_pj,
                          metric_ == Metric::steady ? e.resident_macros : 0};
    // Each block's energy holds its own static power x its own latency; a network's is
    // static power x the network's latency, which overlap makes shorter than the sum.
    // So leakage is taken out of the sums and charged on the corrected latency instead.
    Cost& c = slot_costs_[i];
    c.dynamic_pj = c.energy_pj - leakage_mw_ * c.latency_ns;  // mW x ns = pJ
    c.cold_dynamic_pj = c.cold_energy_pj - leakage_mw_ * c.cold_latency_ns;
  }
  if (missing)
    throw UserError(fmt::format("the LUT for arch '{}' ({}) lacks {} of the {} blocks of space '{}' "
                                "(first: {}); run `h4hsim nas lut` for this space to fill it",
                                table.arch_name, table.schema, missing, blocks.size(), space.name,
                                first_missing));
  auto c = table.corrections.find(space.name);
  if (c != table.corrections.end()) correction_ = c->second;
}

Estimate Estimator::estimate(const Subnet& s) const {
  Estimate e;
  int64_t free_macros = cim_macros_;
  for_each_block(space_, s, [&](const BlockInstance& b) {
    const Cost& c = lookup(b.packed_key());
    if (c.resident_macros == 0 || c.resident_macros <= free_macros) {
      free_macros -= c.resident_macros;
      e.sum_latency_ns += c.latency_ns;
      e.sum_energy_pj += c.energy_pj;
      e.sum_dynamic_pj += c.dynamic_pj;
    } else {  // the cluster is taken by earlier blocks: reprogrammed every inference
      e.sum_latency_ns += c.cold_latency_ns;
      e.sum_energy_pj += c.cold_energy_pj;
      e.sum_dynamic_pj += c.cold_dynamic_pj;
    }
  });
  e.latency_ns = correction_.latency_slope * e.sum_latency_ns + correction_.latency_intercept_ns;
  // mW x ns = pJ.
  e.energy_pj = correction_.energy_slope * e.sum_dynamic_pj + correction_.energy_intercept_pj +
                leakage_mw_ * e.latency_ns;
  return e;
}

Correction fit_correction(const SearchSpace& space, const Estimator& raw, System& sys,
                          const SchemaSpec& spec, int samples, uint64_t seed, bool progress) {
  Correction c;
  c.seed = seed;
  if (samples <= 0) return c;
  std::mt19937_64 rng(seed);
  std::vector<double> sum_lat, sum_en, sim_lat, sim_en;
  Progress bar("calibration " + space.name, samples, progress);
  for (int i = 0; i < samples; ++i) {
    // Spread the fit over the whole range: the smallest and largest subnets, then random.
    const Subnet s = i == 0 ? smallest_subnet(space) : i == 1 ? largest_subnet(space) : sample_subnet(space, rng);
    const Estimate e = raw.estimate(s);
    const SimResult r = simulate_model(sys, spec, build_subnet_model(space, s), encode_subnet(s), raw.metric());
    sum_lat.push_back(e.sum_latency_ns);
    // The energy correction fits the dynamic part (estimate() adds static power x latency).
    sum_en.push_back(e.sum_dynamic_pj);
    sim_lat.push_back(r.latency_ns);
    sim_en.push_back(r.energy_pj - raw.leakage_mw() * r.latency_ns);
    bar.advance();
  }
  bar.finish();
  c.samples = samples;
  if (samples >= 2) {
    const LinearFit lf = fit_line(sum_lat, sim_lat);
    const LinearFit ef = fit_line(sum_en, sim_en);
    c.latency_slope = lf.slope;
    c.latency_intercept_ns = lf.intercept;
    c.energy_slope = ef.slope;
    c.energy_intercept_pj = ef.intercept;
  } else {
    // One sample: a pure scale factor (1 when the blocks sum to nothing, e.g. an energy table
    // of zeros: 0 / 0 would put a NaN into the LUT).
    auto scale = [](double sim, double sum) { return sum > 0 ? sim / sum : 1.0; };
    c.latency_slope = scale(sim_lat[0], sum_lat[0]);
    c.energy_slope = scale(sim_en[0], sum_en[0]);
  }
  return c;
}

}  // namespace h4h::nas
