// Fuzz target: SCALE-Sim topology CSV text (parse_scalesim_topology), the reader behind
// `h4hsim inspect|run|scalesim` on a .csv.
// Contract under test: bad input is a h4h::UserError and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    h4h::parse_scalesim_topology(text, "fuzz.csv");
  } catch (const h4h::UserError&) {
  }
  return 0;
}
