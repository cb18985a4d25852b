#include "models/npu/systolic_timing.h"

#include <algorithm>
#include <cassert>

namespace h4h {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

FoldPlan plan_gemm(const SystolicArrayParams& array, int64_t m, int64_t k, int64_t n) {
  assert(array.rows > 0 && array.cols > 0 && m > 0 && k > 0 && n > 0);
  const int64_t R = array.rows, C = array.cols;
  FoldPlan p;
  switch (array.dataflow) {
    case SystolicDataflow::os:
      p.spatial_rows = m;
      p.spatial_cols = n;
      p.temporal = k;
      break;
    case SystolicDataflow::ws:
      p.spatial_rows = k;
      p.spatial_cols = n;
      p.temporal = m;
      break;
    case SystolicDataflow::is:
      p.spatial_rows = k;
      p.spatial_cols = m;
      p.temporal = n;
      break;
  }
  p.row_folds = ceil_div(p.spatial_rows, R);
  p.col_folds = ceil_div(p.spatial_cols, C);
  p.folds = p.row_folds * p.col_folds;
  // OS fills operands from two edges while results stay in place; WS/IS first preload the
  // stationary operand (R cycles) before streaming, hence the extra R.
  p.fold_cycles = array.dataflow == SystolicDataflow::os ? p.temporal + R + C - 2
                                                         : 2 * R + C + p.temporal - 2;
  p.compute_cycles = p.folds * p.fold_cycles - 1;
  p.mapping_efficiency = static_cast<double>(p.spatial_rows * p.spatial_cols) /
                         static_cast<double>(p.folds * R * C);
  // At least one cycle: SCALE-Sim's count is 0 for one MAC on a 1x1 output-stationary array
  // (fold 1 + 1 + 1 - 2, minus 1), and 1 / 0 was an `inf` utilization in the report.
  const int64_t counted_cycles = std::max<int64_t>(p.compute_cycles, 1);
  p.compute_utilization = static_cast<double>(m * k * n) /
                          (static_cast<double>(counted_cycles) * static_cast<double>(R * C));
  return p;
}

int64_t grouped_gemm_cycles(const SystolicArrayParams& array, int64_t groups, int64_t m,
                            int64_t k, int64_t n) {
  assert(groups > 0);
  return groups * plan_gemm(array, m, k, n).compute_cycles;
}

}  // namespace h4h
