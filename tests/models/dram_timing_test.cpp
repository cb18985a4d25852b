// DRAM timing rules, each on a hand-computed case (LPDDR4-4266 defaults: tRCD 39, tCL 36,
// tRP 39, tRAS 90, WL 18, tWR 39, tWTR 22, tRTP 16, tRRD 22, tFAW 86 tCK; BL16 on x16 = 32 B
// bursts of 8 tCK, 2 KB rows; 2 channels of 8 banks: channel 0's bank b starts at b x 4 KiB).
#include <gtest/gtest.h>

#include "models/dram/dram_timing.h"
#include "sim/config/arch_config.h"

namespace h4h {
namespace {

DramTimingParams lpddr4() { return default_arch_config().dram; }

TEST(DramTiming, AddressMappingIsRowBankChannelColumn) {
  const auto p = lpddr4();
  EXPECT_EQ(map_address(p, 100).column_byte, 100);
  EXPECT_EQ(map_address(p, 2048).channel, 1);         // next row-sized block: next channel
  EXPECT_EQ(map_address(p, 2 * 2048).bank, 1);        // then the next bank
  EXPECT_EQ(map_address(p, 2 * 8 * 2048).row, 1);     // then the next row
  EXPECT_EQ(map_address(p, 2 * 8 * 2048).bank, 0);
}

TEST(DramTiming, ClosedBankCostsTrcdPlusTclPlusBurst) {
  DramTimingCore d(lpddr4());
  auto r = d.access(0, 32, false, 1000);
  EXPECT_EQ(r.done_cycle - 1000, 39 + 36 + 8);
  EXPECT_EQ(d.stats().activates, 1);
}

TEST(DramTiming, RowHitCostsTclPlusBurst) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, false, 0);                    // opens row 0 of bank 0
  auto r = d.access(64, 32, false, 5000);       // same row, long after: no other constraint
  EXPECT_EQ(r.done_cycle - 5000, 36 + 8);
  EXPECT_EQ(d.stats().row_hits, 1);
}

TEST(DramTiming, RowMissAddsTrpAndTrcd) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, false, 0);                              // bank 0, row 0
  auto r = d.access(2 * 8 * 2048, 32, false, 5000);       // bank 0, row 1
  EXPECT_EQ(r.done_cycle - 5000, 39 + 39 + 36 + 8);       // tRP + tRCD + tCL + burst
  EXPECT_EQ(d.stats().row_misses, 1);
}

TEST(DramTiming, PrechargeWaitsForTrasAfterActivate) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, false, 0);                          // ACT at 0
  auto r = d.access(2 * 8 * 2048, 32, false, 10);     // PRE no earlier than tRAS = 90
  EXPECT_EQ(r.done_cycle, 90 + 39 + 39 + 36 + 8);
}

TEST(DramTiming, HitsInOneRowPipelineOneBurstPerHalfBurstLength) {
  DramTimingCore d(lpddr4());
  auto r = d.access(0, 2048, false, 0);               // 64 bursts of one row
  EXPECT_EQ(r.first_data_cycle, 39 + 36);
  EXPECT_EQ(r.done_cycle, 39 + 36 + 64 * 8);
}

TEST(DramTiming, ChannelsServeInParallel) {
  DramTimingCore d(lpddr4());
  auto r = d.access(0, 4096, false, 0);               // one row on each channel
  EXPECT_EQ(r.done_cycle, 39 + 36 + 64 * 8);
}

TEST(DramTiming, SequentialStreamingReachesNinetyPercentOfPeak) {
  const int64_t bytes = 8 << 20;
  {
    // One large request: activates of the next banks overlap the current data transfer.
    DramTimingCore d(lpddr4());
    const int64_t t = d.access(0, bytes, false, 0).done_cycle;
    EXPECT_GE(static_cast<double>(bytes) / t / d.params().peak_bytes_per_cycle(), 0.90);
  }
  {
    // A DMA streaming 4 KiB chunks with two in flight (chunk i issues when i−2 is done).
    DramTimingCore d(lpddr4());
    std::vector<int64_t> done;
    for (int64_t off = 0, i = 0; off < bytes; off += 4096, ++i) {
      const int64_t issue = i >= 2 ? done[i - 2] : 0;
      done.push_back(d.access(off, 4096, false, issue).done_cycle);
    }
    const double achieved = static_cast<double>(bytes) / static_cast<double>(done.back());
    EXPECT_GE(achieved / d.params().peak_bytes_per_cycle(), 0.90)
        << achieved << " B/tCK of " << d.params().peak_bytes_per_cycle();
    EXPECT_LE(achieved, d.params().peak_bytes_per_cycle());  // never above the physical peak
  }
}

TEST(DramTiming, OneChunkAtATimeExposesActivationLatency) {
  // Without overlap every 2 KB row pays tRCD + tCL before its 512 tCK of data: the
  // bandwidth a blocking DMA sees is well below peak, as on real parts.
  DramTimingCore d(lpddr4());
  int64_t t = 0;
  for (int64_t off = 0; off < (1 << 20); off += 4096) t = d.access(off, 4096, false, t).done_cycle;
  const double eff = static_cast<double>(1 << 20) / t / d.params().peak_bytes_per_cycle();
  EXPECT_LT(eff, 512.0 / (512 + 39 + 36) + 1e-9);
  EXPECT_GT(eff, 0.75);
}

TEST(DramTiming, PeakBandwidthEmergesFromTimingNotAParameter) {
  // 2 channels × 32 B per 8 tCK at 0.469 ns = 17.06 GB/s.
  const auto p = lpddr4();
  EXPECT_DOUBLE_EQ(p.peak_bytes_per_cycle(), 8.0);
  EXPECT_NEAR(p.peak_bytes_per_cycle() / (p.tck_ps / 1000.0), 17.06, 0.01);
}

TEST(DramTiming, RefreshClosesRowsAndBlocksTheChannel) {
  auto p = lpddr4();
  p.refresh = true;
  DramTimingCore d(p);
  d.access(0, 32, false, 0);
  // After tREFI the row is closed again and the channel was busy tRFC.
  EXPECT_EQ(p.trefi_cycles(), 8324);  // 3.904 us at 0.469 ns, rounded down
  EXPECT_EQ(p.trfc_cycles(), 598);    // 280 ns, rounded up
  auto r = d.access(64, 32, false, p.trefi_cycles());
  EXPECT_EQ(d.stats().refreshes, 1);
  EXPECT_EQ(r.done_cycle, p.trefi_cycles() + p.trfc_cycles() + 39 + 36 + 8);
}

TEST(DramTiming, WriteDataFollowsWriteLatencyNotReadLatency) {
  DramTimingCore d(lpddr4());
  auto r = d.access(0, 32, true, 1000);
  EXPECT_EQ(r.done_cycle - 1000, 39 + 18 + 8);  // tRCD + WL + burst
}

TEST(DramTiming, ReadAfterWriteWaitsWriteToReadTurnaround) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, true, 0);             // ACT 0, WR at 39
  auto r = d.access(64, 32, false, 0);  // RD no earlier than 39 + WL 18 + 8 + tWTR 22
  EXPECT_EQ(r.first_data_cycle, 87 + 36);
  EXPECT_EQ(r.done_cycle, 87 + 36 + 8);
}

TEST(DramTiming, WriteAfterReadWaitsReadToWriteTurnaround) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, false, 0);           // ACT 0, RD at 39, data 75..83
  auto r = d.access(64, 32, true, 0);  // WR no earlier than 39 + RL 36 + 8 + 1 - WL 18
  EXPECT_EQ(r.first_data_cycle, 66 + 18);
  EXPECT_EQ(r.done_cycle, 66 + 18 + 8);
}

TEST(DramTiming, RowMissAfterAWriteWaitsWriteRecovery) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, true, 0);                       // ACT 0, WR at 39: PRE >= 39 + 18 + 8 + 39
  auto r = d.access(2 * 8 * 2048, 32, false, 0);  // bank 0, row 1
  EXPECT_EQ(r.done_cycle, 104 + 39 + 39 + 36 + 8);
}

TEST(DramTiming, RowMissAfterAReadWaitsReadToPrecharge) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, false, 0);      // ACT 0
  d.access(64, 32, false, 5000);  // hit, RD at 5000: PRE >= 5000 + tRTP 16
  auto r = d.access(2 * 8 * 2048, 32, false, 5000);
  EXPECT_EQ(r.done_cycle, 5016 + 39 + 39 + 36 + 8);
}

TEST(DramTiming, ActivatesOnAChannelAreTrrdApart) {
  DramTimingCore d(lpddr4());
  d.access(0, 32, false, 0);                  // bank 0: ACT 0
  auto r = d.access(2 * 2048, 32, false, 0);  // bank 1 of channel 0: ACT 22
  EXPECT_EQ(r.first_data_cycle, 22 + 39 + 36);
  auto other = d.access(2048, 32, false, 0);  // channel 1: its own ACT window
  EXPECT_EQ(other.first_data_cycle, 39 + 36);
}

TEST(DramTiming, AFifthActivateWaitsForTheFourActivateWindow) {
  auto p = lpddr4();
  p.trrd_cycles = 10;  // so that tFAW, not tRRD, binds
  DramTimingCore d(p);
  for (int b = 0; b < 4; ++b) d.access(b * 2 * 2048, 32, false, 0);  // ACTs 0, 10, 20, 30
  auto r = d.access(4 * 2 * 2048, 32, false, 0);                     // bank 4: ACT at 86
  EXPECT_EQ(r.first_data_cycle, 86 + 39 + 36);
}

TEST(DramTiming, ABankStaysBusyUntilItsOwnDataHasLeftTheBus) {
  // Bank 1 streams a whole row (data 75..587); bank 0's read finds the bus busy, so its READ
  // issues at 587 - 36 = 551, not at 61. Its row cannot close before 551 + tRTP: a second
  // stream's row miss on bank 0 pays tRP + tRCD after that, not hidden under bank 1's data.
  DramTimingCore d(lpddr4());
  d.access(2 * 2048, 2048, false, 0);
  auto a = d.access(0, 32, false, 0);
  EXPECT_EQ(a.first_data_cycle, 587);
  auto r = d.access(2 * 8 * 2048, 32, false, 0);  // bank 0, row 1
  EXPECT_EQ(r.done_cycle, 551 + 16 + 39 + 39 + 36 + 8);
}

TEST(DramTiming, PartialBurstMovesAWholeBurst) {
  DramTimingCore d(lpddr4());
  d.access(10, 5, false, 0);
  EXPECT_EQ(d.stats().bursts, 1);
  EXPECT_EQ(d.stats().bytes_read, 32);
}

}  // namespace
}  // namespace h4h
