// The NPU SRAMs' banked ports (models/npu/sram_ports.h), hand-computed.
#include "models/npu/sram_ports.h"

#include <gtest/gtest.h>

namespace h4h {
namespace {

NpuTileParams tile(SystolicDataflow df, int64_t width) {
  NpuTileParams p;
  p.array = {32, 32, df};
  p.sram.ifmap_banks = 8;
  p.sram.filter_banks = 8;
  p.sram.ofmap_banks = 4;
  p.sram.bank_width_bytes = width;
  return p;
}

TEST(SramPorts, EachDataflowMovesItsOperandsPerFold) {
  // M = 64, K = 9, N = 32 on 32 × 32. OS: 2 folds of T = 9; WS: Sr = K, 1 fold of T = 64;
  // IS: Sr = K, Sc = M, 2 folds of T = 32.
  const auto os = tile(SystolicDataflow::os, 8), ws = tile(SystolicDataflow::ws, 8),
             is = tile(SystolicDataflow::is, 8);
  const SramTraffic t_os = gemm_sram_traffic(os.array, plan_gemm(os.array, 64, 9, 32), 1, OperandBits{8, 8});
  EXPECT_EQ(t_os.ifmap_bytes, 2 * 9 * 32);
  EXPECT_EQ(t_os.filter_bytes, 2 * 9 * 32);
  EXPECT_EQ(t_os.ofmap_bytes, 2 * 32 * 32);
  const SramTraffic t_ws = gemm_sram_traffic(ws.array, plan_gemm(ws.array, 64, 9, 32), 1, OperandBits{8, 8});
  EXPECT_EQ(t_ws.filter_bytes, 32 * 32);
  EXPECT_EQ(t_ws.ifmap_bytes, 64 * 32);
  EXPECT_EQ(t_ws.ofmap_bytes, 64 * 32);
  const SramTraffic t_is = gemm_sram_traffic(is.array, plan_gemm(is.array, 64, 9, 32), 3, OperandBits{16, 16});
  EXPECT_EQ(t_is.ifmap_bytes, 3 * 2 * 2 * 32 * 32);  // groups × elem bytes × folds × R·C
  EXPECT_EQ(t_is.filter_bytes, 3 * 2 * 2 * 32 * 32);
  EXPECT_EQ(t_is.ofmap_bytes, 3 * 2 * 2 * 32 * 32);
}

TEST(SramPorts, WidePortsLeaveScaleSimCyclesAndNarrowOnesBoundThem) {
  // OS, M = 64, K = 9, N = 32: 2 folds × (9 + 62) − 1 = 141 cycles. 8 B banks: the ofmap's
  // 2048 B over 4 × 8 B = 64 cycles, not binding. 1 B banks: 2048 / 4 = 512 cycles.
  const FoldPlan plan = plan_gemm(tile(SystolicDataflow::os, 8).array, 64, 9, 32);
  ASSERT_EQ(plan.compute_cycles, 141);
  EXPECT_EQ(gemm_array_cycles(tile(SystolicDataflow::os, 8), plan, 1, OperandBits{}), 141);
  const NpuTileParams narrow = tile(SystolicDataflow::os, 1);
  EXPECT_EQ(sram_port_cycles(narrow, gemm_sram_traffic(narrow.array, plan, 1, OperandBits{})), 512);
  EXPECT_EQ(gemm_array_cycles(tile(SystolicDataflow::os, 1), plan, 1, OperandBits{}), 512);
  // Ports that never limit (width 0): SCALE-Sim's assumption.
  EXPECT_EQ(gemm_array_cycles(tile(SystolicDataflow::os, 0), plan, 1, OperandBits{}), 141);
  // More banks or wider banks never cost cycles.
  int64_t last = gemm_array_cycles(tile(SystolicDataflow::os, 1), plan, 1, OperandBits{});
  for (int64_t w : {2, 4, 8, 16}) {
    const int64_t c = gemm_array_cycles(tile(SystolicDataflow::os, w), plan, 1, OperandBits{});
    EXPECT_LE(c, last) << w;
    last = c;
  }
}

}  // namespace
}  // namespace h4h
