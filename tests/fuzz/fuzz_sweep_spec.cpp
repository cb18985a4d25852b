// Fuzz target: sweep-spec YAML (parse_sweep_spec relative to arch_configs/sweeps/, so the
// bundled spec's `base:` and model paths resolve), then plan_sweep.
// Contract under test: bad input is a h4h::UserError and nothing else.
//
// Hashing and planning are skipped above kFuzzPlanPoints grid points: a legal spec may ask
// for up to kMaxSweepGrid (10^6) points, which is bounded but seconds of work (and, under
// ASan, gigabytes), and would only read as timeouts here. How long such a legal spec
// takes is measured and reported in docs/hardening.md ("Fuzzing") instead of being hidden.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/user_error.h"
#include "sim/sweep/sweep_spec.h"

namespace {
constexpr double kFuzzPlanPoints = 1000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::SweepSpec spec =
        h4h::parse_sweep_spec(text, "fuzz.yaml", H4H_SOURCE_DIR "/arch_configs/sweeps");
    double grid_points = 1;
    for (const auto& axis : spec.axes) grid_points *= static_cast<double>(axis.values.size());
    if (grid_points <= kFuzzPlanPoints) {
      spec.hash();
      h4h::plan_sweep(spec);
    }
  } catch (const h4h::UserError&) {
  }
  return 0;
}
