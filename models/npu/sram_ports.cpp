#include "models/npu/sram_ports.h"

#include "models/npu/pe_precision.h"

#include <algorithm>

namespace h4h {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

SramTraffic gemm_sram_traffic(const SystolicArrayParams& array, const FoldPlan& plan,
                              int64_t groups, int64_t elem_bytes) {
  const int64_t R = array.rows, C = array.cols, T = plan.temporal;
  const int64_t per = groups * plan.folds * elem_bytes;
  SramTraffic t;
  switch (array.dataflow) {
    case SystolicDataflow::os:
      t = {per * T * R, per * T * C, per * R * C};
      break;
    case SystolicDataflow::ws:
      t = {per * T * R, per * R * C, per * T * C};
      break;
    case SystolicDataflow::is:
      t = {per * R * C, per * T * R, per * T * C};
      break;
  }
  return t;
}

int64_t sram_port_cycles(const NpuTileParams& p, const SramTraffic& t) {
  const int64_t w = std::max<int64_t>(p.sram.bank_width_bytes, 1);
  return std::max({ceil_div(t.ifmap_bytes, std::max<int64_t>(p.sram.ifmap_banks, 1) * w),
                   ceil_div(t.filter_bytes, std::max<int64_t>(p.sram.filter_banks, 1) * w),
                   ceil_div(t.ofmap_bytes, std::max<int64_t>(p.sram.ofmap_banks, 1) * w)});
}

int64_t gemm_array_cycles(const NpuTileParams& p, const FoldPlan& plan, int64_t groups,
                          int64_t elem_bytes) {
  const int64_t compute = pe_precision_cycles(groups * plan.compute_cycles, 8 * elem_bytes, p.precision_bits);
  if (p.sram.bank_width_bytes <= 0) return compute;  // ideal ports (SCALE-Sim's assumption)
  return std::max(compute,
                  sram_port_cycles(p, gemm_sram_traffic(p.array, plan, groups, elem_bytes)));
}

}  // namespace h4h
