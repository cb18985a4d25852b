// The CIM cluster shell's buffers (models/cim/cim_cluster.h): the input buffer's port bounds
// a round, the output buffer drains results while the macros go on, both charge their
// traffic. Operands live in a global buffer whose timing is exact (ceil(bytes / (banks ×
// width)) cycles), so spans are hand-computable. SystemC elaborates once per process: each
// test runs alone (ctest runs every test in its own process).
#include "models/cim/cim_cluster.h"

#include <gtest/gtest.h>

#include <functional>

#include "models/bus/bus.h"
#include "models/dma/dma.h"
#include "models/dram/dram.h"
#include "models/sram/global_buffer.h"
#include "sim/config/arch_config.h"
#include "tests/systemc_test_util.h"

namespace h4h {
namespace {

using test::Driver;

// A cluster at 500 MHz (2 ns cycles) whose DMA reaches a global buffer of `gb_banks` × 1 B
// at 800 MHz (and a DRAM it never uses).
struct Rig {
  ArchConfig cfg = default_arch_config();
  Dram dram;
  Bus bus;
  GlobalBuffer gb;
  Dma dma;
  CimCluster cim;
  static GlobalBufferParams gb_params(int64_t banks) {
    GlobalBufferParams p;
    p.capacity_kib = 1 << 14;
    p.banks = banks;
    p.bank_width_bytes = 1;
    p.clock_mhz = 800;
    return p;
  }
  explicit Rig(int64_t gb_banks)
      : dram("dram", cfg.dram, cfg.dram.controller),
        bus("bus", cfg.bus),
        gb("gb", gb_params(gb_banks)),
        dma("dma", DmaParams{}),
        cim("cim", 500, dma) {
    dma.socket.bind(bus.targ);
    bus.init.bind(dram.socket);
    dma.onchip_socket.bind(gb.socket);
  }
};

// One resident, warm layer (no programming): `macros` macros of 256 × 256 int8 cells, M
// vectors of K = 256 inputs, N outputs, operands in the global buffer.
CimJob layer(int64_t macros, int64_t m, int64_t n, const CimBuffers& buffers) {
  CimMacroParams p = default_arch_config().cim;
  p.macro_count = macros;
  CimJob j;
  j.plan = plan_cim_layer(p, 1, m, 256, n, true);
  j.resident = j.warm = true;
  j.macro_count = macros;
  j.inputs = {{kGlobalBufferBase, m * 256}};
  j.outputs = {{kGlobalBufferBase + (64 << 20), m * n}};
  j.buffers = buffers;
  return j;
}

TEST(CimCluster, InputBufferPortBoundsARoundToItsBytesOverItsWidth) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  Rig rig(64);
  // 64 vectors × 256 B into one macro, 32 outputs each: 64 · 64 + 2 = 4098 compute cycles
  // (8 column-mux passes of 8 bits, then the adder tree). The port moves the 16 KiB loaded
  // and the 16 KiB read out: 32 KiB, 2048 cycles at 16 B/cycle (not binding), 8192 at 4.
  const CimJob wide = layer(1, 64, 32, {true, 64 << 10, 16, 64 << 10, 64});
  const CimJob narrow = layer(1, 64, 32, {true, 64 << 10, 4, 64 << 10, 64});
  ASSERT_EQ(wide.plan.compute_cycles, 4098);
  UnitResult rw, rn;
  Driver d("d", [&] {
    rw = rig.cim.run(wide);
    rn = rig.cim.run(narrow);
  });
  sc_core::sc_start();
  const sc_core::sc_time cycle(2, sc_core::SC_NS);
  // Exactly the port's extra cycles, up to the buffer clock's edge (1.25 ns) the last drain
  // lands on.
  const sc_core::sc_time extra = (rn.end - rn.start) - (rw.end - rw.start);
  EXPECT_GE(extra, cycle * double(8192 - 4098) - sc_core::sc_time(1250, sc_core::SC_PS));
  EXPECT_LE(extra, cycle * double(8192 - 4098) + sc_core::sc_time(1250, sc_core::SC_PS));
  // Traffic through the buffers: 16 KiB in and read out, 2 KiB of results in and out.
  EXPECT_EQ(rw.cim_buffer_write_bytes, 16384 + 2048);
  EXPECT_EQ(rw.cim_buffer_read_bytes, 16384 + 2048);
  EXPECT_EQ(rw.load_bytes, 16384);
  EXPECT_EQ(rw.store_bytes, 2048);
}

TEST(CimCluster, APortBoundLayerTakesThePortsWholeWork) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  Rig rig(1);  // 0.8 GB/s: draining 256 KiB takes 262,144 buffer cycles (327.68 us)
  // 8 macros, 1024 vectors, N = 256: 1024 · 64 + 2 = 65,538 compute cycles (131 us). The
  // results leave in 64 pieces of 4 KiB as they are computed.
  const CimJob j = layer(8, 1024, 256, {true, 0, 0, 1 << 20, 1 << 10});
  ASSERT_EQ(j.plan.compute_cycles, 65538);
  UnitResult r;
  Driver d("d", [&] { r = rig.cim.run(j); });
  sc_core::sc_start();
  const double us = (r.end - r.start).to_seconds() * 1e6;
  // The inputs (256 KiB) share the slow port with the results, so the span is the port's
  // whole work: 512 KiB at 0.8 GB/s = 655.36 us, far above the compute.
  EXPECT_GE(us, 655.36);
  EXPECT_LE(us, 655.36 * 1.01);
}

TEST(CimCluster, MoreOutputBufferNeverCostsTime) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  // 3.2 GB/s: inputs and results (256 KiB each) share the port with the compute (131 us),
  // so how soon the macros may hand results over decides how the port's work overlaps.
  Rig rig(4);
  std::vector<sc_core::sc_time> spans;
  Driver d("d", [&] {
    for (int64_t kib : {0, 4, 8, 16, 64, 1024}) {
      const UnitResult r = rig.cim.run(layer(8, 1024, 256, {true, 0, 0, kib << 10, 1 << 10}));
      spans.push_back(r.end - r.start);
    }
  });
  sc_core::sc_start();
  for (size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i], spans[i - 1]) << i;
  // With room for every piece, the macros never wait and the span is the port's work:
  // 512 KiB at 3.2 GB/s = 163.84 us, above the compute.
  EXPECT_GE(spans.back(), sc_core::sc_time(163.84, sc_core::SC_US));
  EXPECT_LE(spans.back(), sc_core::sc_time(163.84 * 1.01, sc_core::SC_US));
}

TEST(CimCluster, TheWeightBufferStagesTheNextRoundSoProgrammingWaitsOnlyForRowWrites) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  Rig rig(64);  // 64 B per buffer cycle (1.25 ns)
  // 8 macros, K = 256, N = 512: 16 tiles in 2 rounds, 64 KiB of weights each (from the global
  // buffer here: 1024 buffer cycles = 1.28 us), written at one row per cycle (256 cycles =
  // 0.512 us). Round 2's programming waits for its weights' transfer unless they were staged
  // during round 1's compute (64 · 64 + 2 cycles = 8.2 us): then only for the row writes.
  // Unstaged, they also queue behind round 1's last 4 KiB result piece (64 buffer cycles,
  // 80 ns) on the cluster's DMA.
  auto job = [](int64_t weight_buffer) {
    CimJob j = layer(8, 64, 512, {true, 64 << 10, 128, 64 << 10, 64, weight_buffer});
    j.resident = j.warm = false;
    CimMacroParams p = default_arch_config().cim;
    p.macro_count = 8;
    j.plan = plan_cim_layer(p, 1, 64, 256, 512, false);
    j.weights = {kGlobalBufferBase + (128 << 20), 256 * 512};
    return j;
  };
  ASSERT_EQ(job(0).plan.rounds, 2);
  ASSERT_EQ(job(0).plan.program_cycles, 2 * 256);
  UnitResult cold, staged, small;
  Driver d("d", [&] {
    cold = rig.cim.run(job(0));
    staged = rig.cim.run(job(64 << 10));
    small = rig.cim.run(job(16 << 10));
  });
  sc_core::sc_start();
  const sc_core::sc_time saved = (cold.end - cold.start) - (staged.end - staged.start);
  EXPECT_GE(saved, sc_core::sc_time(80 + 1280 - 512 - 5, sc_core::SC_NS));
  EXPECT_LE(saved, sc_core::sc_time(80 + 1280 - 512 + 5, sc_core::SC_NS));
  // A quarter of a round staged: round 2 waits for the other 48 KiB (80 + 960 ns).
  const sc_core::sc_time saved_small = (cold.end - cold.start) - (small.end - small.start);
  EXPECT_GE(saved_small, sc_core::sc_time(1280 - 960 - 5, sc_core::SC_NS));
  EXPECT_LE(saved_small, sc_core::sc_time(1280 - 960 + 5, sc_core::SC_NS));
  // The same weight bytes either way; the staged ones pass through the buffer.
  EXPECT_EQ(staged.loaded[0], cold.loaded[0]);
  EXPECT_EQ(staged.cim_buffer_write_bytes - cold.cim_buffer_write_bytes, 64 << 10);
}

TEST(CimCluster, TheLastRoundStagesTheNextLayersFirstRound) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  Rig rig(64);
  // Two layers as above (2 rounds of 64 KiB each), the second's weights elsewhere. Told what
  // runs next, the first stages the second's first round during its own last round: the
  // second's first programming then waits only for its row writes (512 ns instead of the
  // 1280 ns transfer), and the bytes move during the first layer instead.
  auto job = [](uint64_t weights_at) {
    CimJob j = layer(8, 64, 512, {true, 64 << 10, 128, 64 << 10, 64, 64 << 10});
    j.resident = j.warm = false;
    CimMacroParams p = default_arch_config().cim;
    p.macro_count = 8;
    j.plan = plan_cim_layer(p, 1, 64, 256, 512, false);
    j.weights = {weights_at, 256 * 512};
    return j;
  };
  const uint64_t a_at = kGlobalBufferBase + (128 << 20), b_at = kGlobalBufferBase + (192 << 20);
  CimJob a_told = job(a_at);
  a_told.next_weights = {b_at, 64 << 10};
  UnitResult a1, b1, a2, b2;
  Driver d("d", [&] {
    a1 = rig.cim.run(job(a_at));
    b1 = rig.cim.run(job(b_at));
    a2 = rig.cim.run(a_told);
    b2 = rig.cim.run(job(b_at));
  });
  sc_core::sc_start();
  const sc_core::sc_time saved = (b1.end - b1.start) - (b2.end - b2.start);
  EXPECT_GE(saved, sc_core::sc_time(1280 - 512 - 5, sc_core::SC_NS));
  EXPECT_LE(saved, sc_core::sc_time(1280 - 512 + 5, sc_core::SC_NS));
  EXPECT_EQ(a2.prefetched_weight_bytes, 64 << 10);
  EXPECT_EQ(a2.loaded[0], a1.loaded[0]);
  EXPECT_EQ(b2.loaded[0], b1.loaded[0] - (64 << 10));
  // Not told what runs next, a layer stages nothing beyond its own rounds.
  EXPECT_EQ(a1.prefetched_weight_bytes, 0);
}

}  // namespace
}  // namespace h4h
