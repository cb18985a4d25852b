#pragma once
// Systolic array timing core: how a GEMM-shaped layer folds onto an R×C array and how many
// cycles that takes, exactly as SCALE-Sim v2 counts them (the tool architects compare
// against). Plain C++: the SystemC NpuTile shell waits for these counts.
//
// With Npx output pixels (M), K the reduction (kh·kw·Cin/groups) and F filters (N):
//   OS: Sr = Npx, Sc = F,   T = K;    one fold takes T + R + C − 2 cycles
//   WS: Sr = K,   Sc = F,   T = Npx;  one fold takes 2R + C + T − 2
//   IS: Sr = K,   Sc = Npx, T = F;    one fold takes 2R + C + T − 2
//   folds = ⌈Sr/R⌉ · ⌈Sc/C⌉;  a layer takes folds · fold − 1 cycles when memory never stalls.
#include <cstdint>

namespace h4h {

enum class SystolicDataflow { os, ws, is };

// Filled from the arch config (npu.array.*), whose declaration table holds the defaults.
struct SystolicArrayParams {
  int64_t rows = 0;
  int64_t cols = 0;
  SystolicDataflow dataflow = SystolicDataflow::os;
};

struct FoldPlan {
  int64_t spatial_rows = 0;     // Sr: mapped onto the array's rows
  int64_t spatial_cols = 0;     // Sc: mapped onto the array's columns
  int64_t temporal = 0;         // T: streamed through the array
  int64_t row_folds = 0;        // ⌈Sr / R⌉
  int64_t col_folds = 0;        // ⌈Sc / C⌉
  int64_t folds = 0;
  int64_t fold_cycles = 0;
  int64_t compute_cycles = 0;   // folds · fold_cycles − 1 (ideal memory)
  // Fraction of PEs holding useful work, averaged over folds (SCALE-Sim's "mapping
  // efficiency"), and MACs / (compute cycles · R · C) ("compute utilization").
  double mapping_efficiency = 0;
  double compute_utilization = 0;
};

// One GEMM: m = Npx output rows, k = reduction, n = filters. All must be > 0.
FoldPlan plan_gemm(const SystolicArrayParams& array, int64_t m, int64_t k, int64_t n);

// `groups` independent GEMMs run one after another (grouped/depthwise convs map per group,
// as SCALE-Sim runs a depthwise layer as one layer per channel).
int64_t grouped_gemm_cycles(const SystolicArrayParams& array, int64_t groups, int64_t m,
                            int64_t k, int64_t n);

}  // namespace h4h
