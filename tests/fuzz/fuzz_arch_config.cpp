// Fuzz target: arch-config YAML (parse_arch_config, validate_arch_config). Also hashes and
// shows the config, since every command does one or the other with what was parsed.
// Contract under test: bad input is a h4h::UserError and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/user_error.h"
#include "sim/config/arch_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::ArchConfig cfg = h4h::parse_arch_config(text, "fuzz");
    h4h::validate_arch_config(cfg);
    h4h::config_hash(cfg);
    h4h::show_arch_config(cfg);
  } catch (const h4h::UserError&) {
  }
  return 0;
}
