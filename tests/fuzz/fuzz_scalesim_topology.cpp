// Fuzz target: SCALE-Sim topology CSV text (parse_scalesim_topology), the reader behind
// `h4hsim inspect|run|scalesim` on a .csv, and the COMPUTE_REPORT rows `scalesim` makes of it.
// Contract under test: bad input is a h4h::UserError and nothing else; a topology that loads
// has layer names that JSON and one-line messages can carry (valid UTF-8, no control
// characters) and a bounded report (libFuzzer's -rss_limit_mb and -timeout catch the rest).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "frontend/utf8.h"
#include "sim/scalesim/scalesim_compat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::Workload w = h4h::parse_scalesim_topology(text, "fuzz.csv");
    for (const auto& k : w.kernels)
      if (h4h::escape_unprintable(k.name, /*keep_line_breaks=*/false) != k.name) std::abort();
    h4h::ScaleSimConfig cfg;
    cfg.array.rows = cfg.array.cols = 32;
    const auto rows = h4h::scalesim_compute_report(cfg, w);
    if (static_cast<int64_t>(rows.size()) > h4h::kMaxComputeReportRows) std::abort();
  } catch (const h4h::UserError&) {
  }
  return 0;
}
