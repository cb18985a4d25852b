// The SCALE-Sim v2 fold rule on hand-computed cases: every dataflow, non-square arrays,
// strides, 1×1 convs, depthwise and GEMM mode.
#include <gtest/gtest.h>

#include "models/npu/systolic_timing.h"

namespace h4h {
namespace {

SystolicArrayParams array(int64_t r, int64_t c, SystolicDataflow df) {
  SystolicArrayParams a;
  a.rows = r;
  a.cols = c;
  a.dataflow = df;
  return a;
}

TEST(SystolicTiming, OutputStationaryFoldIsTPlusRPlusCMinus2) {
  // 32×32 OS, conv 3→64, 3×3 on an 8×8 output: Npx 64, K 27, F 64.
  // Sr 64 → 2 row folds, Sc 64 → 2 col folds; fold = 27 + 32 + 32 − 2 = 89; 4·89 − 1 = 355.
  FoldPlan p = plan_gemm(array(32, 32, SystolicDataflow::os), 64, 27, 64);
  EXPECT_EQ(p.folds, 4);
  EXPECT_EQ(p.fold_cycles, 89);
  EXPECT_EQ(p.compute_cycles, 355);
  EXPECT_DOUBLE_EQ(p.mapping_efficiency, 1.0);
}

TEST(SystolicTiming, WeightStationaryFoldOnNonSquareArray) {
  // 8 rows × 16 cols WS: K 100 → ⌈100/8⌉ = 13 row folds, F 20 → ⌈20/16⌉ = 2 col folds.
  // fold = 2·8 + 16 + 50 − 2 = 80; total 26·80 − 1 = 2079.
  FoldPlan p = plan_gemm(array(8, 16, SystolicDataflow::ws), 50, 100, 20);
  EXPECT_EQ(p.row_folds, 13);
  EXPECT_EQ(p.col_folds, 2);
  EXPECT_EQ(p.fold_cycles, 80);
  EXPECT_EQ(p.compute_cycles, 2079);
  // Used PEs: 100·20 of 26·8·16.
  EXPECT_DOUBLE_EQ(p.mapping_efficiency, 2000.0 / (26 * 128));
}

TEST(SystolicTiming, InputStationaryMapsPixelsOnColumns) {
  // 16×8 IS: K 9 → 1 row fold, Npx 100 → ⌈100/8⌉ = 13 col folds, T = F = 3.
  // fold = 2·16 + 8 + 3 − 2 = 41; total 13·41 − 1 = 532.
  FoldPlan p = plan_gemm(array(16, 8, SystolicDataflow::is), 100, 9, 3);
  EXPECT_EQ(p.folds, 13);
  EXPECT_EQ(p.fold_cycles, 41);
  EXPECT_EQ(p.compute_cycles, 532);
}

TEST(SystolicTiming, StridedConvCountsOutputPixelsOnly) {
  // 224×224×3 input, 11×11 stride 4, 96 filters (AlexNet conv1, SCALE-Sim rule): 55×55 out.
  // OS 32×32: Sr 3025 → 95 row folds, Sc 96 → 3, T 363: fold 363 + 62 = 425.
  FoldPlan p = plan_gemm(array(32, 32, SystolicDataflow::os), 55 * 55, 11 * 11 * 3, 96);
  EXPECT_EQ(p.folds, 95 * 3);
  EXPECT_EQ(p.compute_cycles, 285 * 425 - 1);
}

TEST(SystolicTiming, PointwiseConvHasKEqualToChannels) {
  // 1×1 conv 64→128 on 28×28, WS 32×32: K 64 → 2, F 128 → 4; fold = 64 + 32 + 784 − 2.
  FoldPlan p = plan_gemm(array(32, 32, SystolicDataflow::ws), 784, 64, 128);
  EXPECT_EQ(p.folds, 8);
  EXPECT_EQ(p.compute_cycles, 8 * (64 + 32 + 784 - 2) - 1);
}

TEST(SystolicTiming, DepthwiseRunsOneGemmPerGroup) {
  // 32 channels, 3×3 depthwise on 112×112 (SCALE-Sim: 32 layers of K 9, F 1).
  // OS 32×32: Sr 12544 → 392 row folds, Sc 1 → 1; fold 9 + 62 = 71; per group 392·71 − 1.
  EXPECT_EQ(grouped_gemm_cycles(array(32, 32, SystolicDataflow::os), 32, 112 * 112, 9, 1),
            32 * (392 * 71 - 1));
}

TEST(SystolicTiming, GemmModeUsesMAsPixelsNAsFiltersKAsReduction) {
  // SCALE-Sim GEMM row M=196, N=192, K=384 on 32×32 OS: Sr 196 → 7, Sc 192 → 6, T 384.
  FoldPlan p = plan_gemm(array(32, 32, SystolicDataflow::os), 196, 384, 192);
  EXPECT_EQ(p.compute_cycles, 42 * (384 + 62) - 1);
  EXPECT_NEAR(p.compute_utilization, 196.0 * 384 * 192 / (p.compute_cycles * 1024.0), 1e-12);
}

TEST(SystolicTiming, OneMacOnAOneByOneArrayIsFullyUtilizedNotInfinitely) {
  // SCALE-Sim's count for one MAC on a 1x1 OS array: fold 1 + 1 + 1 - 2 = 1, one fold, minus
  // 1 = 0 cycles; the utilization counts at least one cycle (it was 1 / 0 = inf).
  FoldPlan p = plan_gemm(array(1, 1, SystolicDataflow::os), 1, 1, 1);
  EXPECT_EQ(p.compute_cycles, 0);
  EXPECT_EQ(p.compute_utilization, 1.0);
}

}  // namespace
}  // namespace h4h
