#include "models/npu/sram_ports.h"

#include <algorithm>

#include "models/npu/pe_precision.h"

namespace h4h {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

SramTraffic gemm_sram_traffic(const SystolicArrayParams& array, const FoldPlan& plan,
                              int64_t groups, OperandBits bits) {
  const int64_t R = array.rows, C = array.cols, T = plan.temporal;
  const int64_t per = groups * plan.folds;
  // Elements per SRAM (ifmap, filter, ofmap), then bytes at each one's precision.
  int64_t in = 0, filter = 0, out = 0;
  switch (array.dataflow) {
    case SystolicDataflow::os: in = T * R, filter = T * C, out = R * C; break;
    case SystolicDataflow::ws: in = T * R, filter = R * C, out = T * C; break;
    case SystolicDataflow::is: in = R * C, filter = T * R, out = T * C; break;
  }
  auto bytes = [&](int64_t elems, int64_t b) { return ceil_div(per * elems * b, 8); };
  return {bytes(in, bits.activation), bytes(filter, bits.weight), bytes(out, bits.activation)};
}

int64_t sram_port_cycles(const NpuTileParams& p, const SramTraffic& t) {
  const int64_t w = std::max<int64_t>(p.sram.bank_width_bytes, 1);
  return std::max({ceil_div(t.ifmap_bytes, std::max<int64_t>(p.sram.ifmap_banks, 1) * w),
                   ceil_div(t.filter_bytes, std::max<int64_t>(p.sram.filter_banks, 1) * w),
                   ceil_div(t.ofmap_bytes, std::max<int64_t>(p.sram.ofmap_banks, 1) * w)});
}

int64_t gemm_array_cycles(const NpuTileParams& p, const FoldPlan& plan, int64_t groups, OperandBits bits) {
  const int64_t compute =
      pe_precision_cycles(groups * plan.compute_cycles, std::max(bits.activation, bits.weight), p.precision_bits);
  if (p.sram.bank_width_bytes <= 0) return compute;  // ideal ports (SCALE-Sim's assumption)
  return std::max(compute, sram_port_cycles(p, gemm_sram_traffic(p.array, plan, groups, bits)));
}

}  // namespace h4h
