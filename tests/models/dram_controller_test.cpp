// The DRAM controller's queue rules, each on a hand-computed case (LPDDR4-4266 defaults:
// tRCD 39, RL 36, WL 18, tRP 39, tRAS 90, tRTP 16 tCK; 32 B bursts of 8 tCK; channel 0's bank
// b row r starts at (r x 8 + b) x 4 KiB; controller defaults: front end 3 tCK, write buffer
// 32 bursts drained when full or above 8 with no read waiting, row-hit cap 4 bursts).
#include "models/dram/dram_controller.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/models/dram_test_util.h"

namespace h4h {
namespace {

using test::kRow;
using test::lpddr4;
using test::run;
// The front end: a request reaches the scheduler this many tCK after it arrives.
const int64_t kFe = DramControllerParams{}.frontend_cycles;

TEST(DramController, AReadCostsTheFrontEndThenTheCoreTiming) {
  DramController c(lpddr4(), DramControllerParams{});
  EXPECT_EQ(c.access(0, 32, false, 1000).done_cycle, 1000 + kFe + 39 + 36 + 8);
  EXPECT_EQ(c.access(64, 32, false, 5000).done_cycle, 5000 + kFe + 36 + 8);  // row hit
}

TEST(DramController, AYoungerRowHitGoesBeforeAnOlderMiss) {
  DramController c(lpddr4(), DramControllerParams{});
  const int64_t open = c.submit(0, 32, false, 0);     // bank 0 row 0: ACT at kFe
  const int64_t miss = c.submit(kRow, 32, false, 0);  // bank 0 row 1
  const int64_t hit = c.submit(64, 32, false, 0);     // bank 0 row 0, younger
  auto done = run(c, 100000);
  EXPECT_EQ(done[open], kFe + 39 + 36 + 8);
  EXPECT_EQ(done[hit], done[open] + 8);  // right behind, on the open row
  // The miss closes the row after tRAS (90 after the ACT; the hit's tRTP is over by then),
  // then tRP, ACT, tRCD, tCL and its burst.
  EXPECT_EQ(done[miss], kFe + 90 + 39 + 39 + 36 + 8);
}

TEST(DramController, RowHitsPassAnOlderMissOnlyUpToTheCapAndWhileThePrechargeWaits) {
  // A miss waits behind the open row of bank 0 (tRAS long over), with six younger hits.
  // cap 0: first come first served within the bank, the miss goes first. cap 4: the hits go
  // on past 4 bursts, because each hit's tRTP (16 tCK) keeps the PRE from being ready before
  // the next back-to-back hit (8 tCK later) is: DRAMsim3 behaves the same (its cap only lets
  // a PRE that is ready go first).
  for (int64_t cap : {0, 4}) {
    SCOPED_TRACE(cap);
    DramControllerParams cp;
    cp.row_hit_cap = cap;
    DramController c(lpddr4(), cp);
    c.access(0, 32, false, 0);
    const int64_t miss = c.submit(kRow, 32, false, 1000);
    std::vector<int64_t> hits;
    for (int k = 1; k <= 6; ++k) hits.push_back(c.submit(64 * k, 32, false, 1000));
    auto done = run(c, 100000);
    int before = 0;
    for (int64_t h : hits) before += done[h] < done[miss];
    EXPECT_EQ(before, cap == 0 ? 0 : 6);
  }
}

TEST(DramController, OnceThePrechargeIsReadyTheCapLetsTheOlderMissGo) {
  // Hits 20 tCK apart, so the PRE (16 tCK after a hit) is ready at every choice; a miss waits
  // from 1000. Hits go while the row has had fewer than 4 bursts (1 from the ACT, then 3
  // hits); the fourth and fifth hit find the cap reached and go after the miss.
  DramController c(lpddr4(), DramControllerParams{});
  c.access(0, 32, false, 0);
  const int64_t miss = c.submit(kRow, 32, false, 1000);
  std::vector<int64_t> hits;
  for (int k = 0; k < 5; ++k) hits.push_back(c.submit(64 * (k + 1), 32, false, 1000 + 20 * k));
  auto done = run(c, 100000);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(done[hits[k]] < done[miss], k < 3) << k;
}

TEST(DramController, APostedWriteCompletesWhenTheBufferTakesIt) {
  DramController c(lpddr4(), DramControllerParams{});
  const DramAccess a = c.access(0, 32, true, 1000);
  EXPECT_EQ(a.done_cycle, 1000 + kFe);
  EXPECT_EQ(c.core().stats().bursts, 0);  // still in the buffer
  EXPECT_EQ(c.core().stats().bytes_written, 32);
}

TEST(DramController, AWriteLargerThanTheBufferWaitsForADrainToMakeRoom) {
  // 64 bursts into a 32-burst buffer: the first half is taken at kFe, the full buffer drains
  // (ACT at kFe, WRITE tRCD later) and the second half is taken when that write issues.
  DramController c(lpddr4(), DramControllerParams{});
  EXPECT_EQ(c.access(0, 2048, true, 0).done_cycle, kFe + 39);
}

TEST(DramController, BufferedWritesDrainOnlyAboveTheIdleThreshold) {
  DramController c(lpddr4(), DramControllerParams{});
  for (int k = 0; k < 4; ++k) c.submit(64 * k, 64, true, 0);  // 8 bursts: not above 8
  run(c, 100000);
  EXPECT_EQ(c.core().stats().bursts, 0);
  EXPECT_EQ(c.next_decision_cycle(), INT64_MAX);  // waiting for company
  c.submit(256, 32, true, 100000);                // the 9th burst
  run(c, 200000);
  EXPECT_EQ(c.core().stats().bursts, 9);
}

TEST(DramController, ABufferedWriteIsWrittenNoEarlierThanItsDrainStarts) {
  // Writes held below the idle threshold cannot use the idle time before their drain: the
  // drain is decided when the ninth burst arrives, so no write's data moves before then (it
  // did: the lazy scheduler placed them back at their arrival, which made 50/50 read/write
  // traffic up to 7 % faster than DRAMsim3).
  DramController c(lpddr4(), DramControllerParams{});
  c.core().record_segments = true;
  for (int k = 0; k < 4; ++k) c.submit(kRow * k, 64, true, 0);  // 8 bursts, four rows
  c.submit(256, 32, true, 100000);                              // the 9th burst
  run(c, 200000);
  ASSERT_EQ(c.core().segments().size(), 5u);
  for (const auto& seg : c.core().segments())
    EXPECT_GE(seg.first_data_cycle, 100000 + kFe + 18);  // drain start, then at least WL
}

TEST(DramController, WithoutAWriteBufferAWriteCompletesWhenItsDataIsWritten) {
  DramControllerParams cp;
  cp.write_buffer_bursts = 0;
  DramController c(lpddr4(), cp);
  EXPECT_EQ(c.access(0, 32, true, 1000).done_cycle, 1000 + kFe + 39 + 18 + 8);
}

TEST(DramController, AFullReadQueueIsRefusedUntilItDrains) {
  DramControllerParams cp;
  cp.bank_queue_bursts = 1;
  cp.read_queue_bursts = 2;
  DramController c(lpddr4(), cp);
  for (int k = 0; k < 3; ++k) {  // one burst enters bank 0's queue, two wait behind it
    ASSERT_TRUE(c.will_accept(64 * k, false));
    c.submit(64 * k, 32, false, 0);
  }
  EXPECT_FALSE(c.will_accept(256, false));
  EXPECT_TRUE(c.will_accept(256, true));  // the write buffer is another queue
  run(c, 100000);
  EXPECT_TRUE(c.will_accept(256, false));
}

}  // namespace
}  // namespace h4h
