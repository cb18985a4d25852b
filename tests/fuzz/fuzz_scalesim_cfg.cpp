// Fuzz target: SCALE-Sim .cfg text (parse_scalesim_cfg), and the arch config derived from
// it for `h4hsim scalesim --memory`, which must itself be valid.
// Contract under test: bad input is a h4h::UserError and nothing else; the run name is
// printable UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "frontend/user_error.h"
#include "frontend/utf8.h"
#include "sim/scalesim/scalesim_compat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::ScaleSimConfig cfg = h4h::parse_scalesim_cfg(text, "fuzz.cfg");
    // The run name becomes the arch name in JSON: printable UTF-8 only.
    if (h4h::escape_unprintable(cfg.run_name, /*keep_line_breaks=*/false) != cfg.run_name) std::abort();
    h4h::validate_arch_config(h4h::arch_from_scalesim(cfg));
  } catch (const h4h::UserError&) {
  }
  return 0;
}
