// Fuzz target: custom schema YAML (parse_custom_schema), then the mapping of a small fixed
// workload under it: every GEMM class, a vector kernel, and names of 30,000 characters on
// which a backtracking matcher would take exponential time or overflow its stack.
// Contract under test: bad input is a h4h::UserError and nothing else, and a name rule
// matches in time linear in the name (libFuzzer's -timeout catches a slow one).
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/user_error.h"
#include "sim/config/arch_config.h"
#include "sim/mapper/mapper.h"

namespace {

h4h::Kernel kernel(const std::string& name, h4h::KernelClass cls, const std::string& op) {
  h4h::Kernel k;
  k.name = name;
  k.cls = cls;
  k.op = op;
  k.gemm = {1, 8, 8, 8};
  k.macs = 512;
  return k;
}

const h4h::Workload& workload() {
  static const h4h::Workload w = [] {
    h4h::Workload out;
    out.kernels = {kernel("conv1", h4h::KernelClass::conv, "Conv"),
                   kernel("blocks.0.fc1", h4h::KernelClass::linear, "Linear"),
                   kernel("attn.qk", h4h::KernelClass::matmul, "MatMul"),
                   kernel("softmax", h4h::KernelClass::vector, "Softmax"),
                   kernel(std::string(30000, 'a'), h4h::KernelClass::linear, "Gemm"),
                   kernel(std::string(30000, 'a') + "!", h4h::KernelClass::conv, "Conv")};
    return out;
  }();
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const h4h::ArchConfig arch = h4h::load_arch_config(H4H_SOURCE_DIR "/arch_configs/hetero.yaml");
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::SchemaSpec spec = h4h::parse_custom_schema(text, "fuzz.yaml");
    h4h::map_workload(workload(), arch, spec);
  } catch (const h4h::UserError&) {
  }
  return 0;
}
