// Fuzz target: arch-config YAML (parse_arch_config, validate_arch_config). Also hashes and
// shows the config, since every command does one or the other with what was parsed, and
// builds the plain timing cores from it (DRAM, systolic array, CIM macro, vector unit) for one
// small layer each: every quantity they derive from several keys (burst bytes, refresh in
// tCK, weights per row, ADCs per macro) must be covered by a config rule, or the harness
// dies of a division by zero, an endless refresh loop (-timeout) or an overflow (UBSan).
// Contract under test: bad input is a h4h::UserError and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/user_error.h"
#include "models/cim/cim_macro.h"
#include "models/dram/dram_timing.h"
#include "models/dram/dram_controller.h"
#include "models/npu/systolic_timing.h"
#include "models/npu/vector_unit.h"
#include "sim/config/arch_config.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"

namespace {

// One small layer through each timing core the config parameterizes.
void exercise_timing_cores(const h4h::ArchConfig& cfg) {
  h4h::DramTimingCore dram(cfg.dram);
  dram.access(0, 4096, false, 0);
  // Past a few refresh intervals (when refresh is on), across rows, channels and banks.
  dram.access(uint64_t{1} << 20, 65536, true, 3 * dram.params().trefi_cycles() + 1);
  // The controller in front of it: a posted write larger than the buffer, then reads.
  h4h::DramController ctrl(cfg.dram, cfg.dram.controller);
  ctrl.access(uint64_t{1} << 20, 65536, true, 0);
  ctrl.access(0, 4096, false, 1);
  ctrl.access(uint64_t{1} << 21, 4096, false, 3 * ctrl.core().params().trefi_cycles() + 1);
  h4h::plan_gemm(cfg.npu.array, 49, 147, 64);
  h4h::plan_cim_layer(cfg.cim, 1, 49, 147, 64, false);
  h4h::plan_cim_layer(cfg.cim, 32, 49, 9, 1, true);  // depthwise, packed
  h4h::vector_cycles(cfg.npu.vector, h4h::vector_op_mix("Softmax"), 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::ArchConfig cfg = h4h::parse_arch_config(text, "fuzz");
    h4h::validate_arch_config(cfg);
    h4h::config_hash(cfg);
    h4h::show_arch_config(cfg);
    exercise_timing_cores(cfg);
  } catch (const h4h::UserError&) {
  }
  return 0;
}
