// The CIM cluster shell's buffers (models/cim/cim_cluster.h): the input buffer's port bounds
// a round, the output buffer drains results while the macros go on, both charge their
// traffic. Operands live in a global buffer whose timing is exact (ceil(bytes / (banks ×
// width)) cycles), so spans are hand-computable. SystemC elaborates once per process: each
// test runs alone (ctest runs every test in its own process).
#include <gtest/gtest.h>

#include <functional>

#include "models/bus/bus.h"
#include "models/cim/cim_cluster.h"
#include "models/dma/dma.h"
#include "models/dram/dram.h"
#include "models/sram/global_buffer.h"
#include "sim/config/arch_config.h"

namespace h4h {
namespace {

#define H4H_REQUIRE_FRESH_SYSTEMC()                                               \
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)                        \
  GTEST_SKIP() << "SystemC elaborates once per process: run this test alone (ctest does)"

struct Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name n, std::function<void()> body) : sc_module(n), body_(std::move(body)) {
    SC_THREAD(run);
  }
  void run() { body_(); }
  std::function<void()> body_;
};

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
      : dram("dram", cfg.dram), bus("bus", cfg.bus), gb("gb", gb_params(gb_banks)),
        dma("dma", DmaParams{}), cim("cim", 500, dma) {
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

}  // namespace
}  // namespace h4h
