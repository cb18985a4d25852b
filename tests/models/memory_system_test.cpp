// The SystemC memory system: DMA → Bus (TLM-2.0, arbitrated) → DRAM. SystemC elaborates
// once per process, so each test here runs in its own process (ctest runs every test
// alone); run directly, all but the first are skipped.
#include <gtest/gtest.h>

#include <functional>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/bus/bus.h"
#include "models/dma/dma.h"
#include "models/dram/dram.h"
#include "models/sram/global_buffer.h"
#include "sim/config/arch_config.h"
#include "tests/systemc_test_util.h"

namespace h4h {
namespace {

using test::Driver;

double seconds(const sc_core::sc_time& t) { return t.to_seconds(); }

struct Initiator : sc_core::sc_module {
  SC_HAS_PROCESS(Initiator);
  tlm_utils::simple_initiator_socket<Initiator> socket;
  explicit Initiator(sc_core::sc_module_name n) : sc_module(n), socket("socket") { SC_THREAD(run); }
  // Reads 32 B at `addr` at the current time; returns the annotated completion delay.
  sc_core::sc_time read32(uint64_t addr) {
    unsigned char d[32];
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_data_ptr(d);
    t.set_data_length(32);
    t.set_address(addr);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(t, delay);
    return delay;
  }
  void run() { body(*this); }
  std::function<void(Initiator&)> body;
};

TEST(MemorySystem, DramShellAnnotatesClosedRowThenRowHitLatency) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const DramTimingParams p = default_arch_config().dram;  // LPDDR4-4266
  Dram dram("dram", p);
  Initiator ini("ini");
  ini.socket.bind(dram.socket);
  sc_core::sc_time first, second;
  ini.body = [&](Initiator& self) {
    first = self.read32(0);
    sc_core::wait(dram.tck() * 1000.0);  // long after, on a tCK edge
    second = self.read32(64);            // same row: still open
  };
  sc_core::sc_start();
  // The controller front end (1 tCK) before the scheduler sees the request.
  EXPECT_EQ(first, dram.tck() * double(1 + 39 + 36 + 8));  // + tRCD + tCL + burst
  EXPECT_EQ(second, dram.tck() * double(1 + 36 + 8));      // + tCL + burst
}

TEST(MemorySystem, DmaStreamThroughBusReachesDramPeak) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const DramTimingParams dp = default_arch_config().dram;  // LPDDR4-4266 x2: 17.06 GB/s
  const BusTimingParams bp = default_arch_config().bus;     // 32 B at 800 MHz: 25.6 GB/s
  Dram dram("dram", dp);
  Bus bus("bus", bp);
  Dma dma("dma", DmaParams{});
  dma.socket.bind(bus.targ);
  bus.init.bind(dram.socket);
  const int64_t bytes = 4 << 20;
  sc_core::sc_time done;
  Driver drv("drv", [&] {
    dma.transfer(0, bytes, false);
    done = sc_core::sc_time_stamp();
  });
  sc_core::sc_start();
  const double gbps = bytes / seconds(done) / 1e9;
  const double dram_peak = dp.peak_bytes_per_cycle() / (dp.tck_ps * 1e-12) / 1e9;
  EXPECT_GE(gbps, 0.85 * dram_peak) << gbps << " GB/s of " << dram_peak;
  EXPECT_LE(gbps, dram_peak);
  EXPECT_EQ(dma.stats().bytes_read, bytes);
  EXPECT_EQ(dram.stats().bytes_read, bytes);
}

TEST(MemorySystem, TwoDmasContendForTheBusRoundRobin) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  DramTimingParams dp = default_arch_config().dram;
  dp.channels = 16;      // a DRAM far faster than the bus: the bus is the bottleneck
  const BusTimingParams bp = default_arch_config().bus;
  Dram dram("dram", dp);
  Bus bus("bus", bp);
  bus.record_grants = true;
  Dma a("npu_dma", DmaParams{}), b("cim_dma", DmaParams{});
  a.socket.bind(bus.targ);
  b.socket.bind(bus.targ);
  bus.init.bind(dram.socket);
  const int64_t bytes = 1 << 20;
  sc_core::sc_time done_a, done_b;
  Driver da("da", [&] { a.transfer(0, bytes, false); done_a = sc_core::sc_time_stamp(); });
  Driver db("db", [&] { b.transfer(64 << 20, bytes, false); done_b = sc_core::sc_time_stamp(); });
  sc_core::sc_start();
  // Alone, one stream holds the bus 256 chunks × (4 + 4096/32) cycles.
  const sc_core::sc_time alone = bus.period() * double(256 * (4 + 128));
  EXPECT_GE(std::max(done_a, done_b) / alone, 1.9);
  EXPECT_LE(std::max(done_a, done_b) / alone, 2.1);
  // Round robin: while both wait, grants alternate.
  const auto& g = bus.stats().grant_order;
  ASSERT_GE(g.size(), 100u);
  int switches = 0;
  for (size_t i = 10; i < 100; ++i) switches += g[i] != g[i - 1];
  EXPECT_GE(switches, 85);
}

// A target that marks every payload it sees with an extension counting its own destruction:
// a payload's extensions are freed when the payload is.
struct TaggingTarget : sc_core::sc_module {
  struct Tag : tlm::tlm_extension<Tag> {
    explicit Tag(int* freed) : freed(freed) {}
    ~Tag() override { ++*freed; }
    tlm::tlm_extension_base* clone() const override { return new Tag(freed); }
    void copy_from(const tlm::tlm_extension_base&) override {}
    int* freed;
  };
  tlm_utils::simple_target_socket<TaggingTarget> socket;
  int tagged = 0;
  int freed = 0;
  explicit TaggingTarget(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &TaggingTarget::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_core::sc_time& delay) {
    if (t.get_extension<Tag>() == nullptr) {
      t.set_extension(new Tag(&freed));
      ++tagged;
    }
    delay += sc_core::sc_time(10, sc_core::SC_NS);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// When a simulation ends, every DMA worker is parked in wait() and SystemC never unwinds it,
// so a payload living on a worker's stack was never destroyed: its extension array leaked on
// every run (valgrind and LeakSanitizer on `h4hsim run`). The payloads belong to the engine.
TEST(MemorySystem, DmaPayloadsAreFreedWithTheEngineNotLeftOnParkedWorkers) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  TaggingTarget target("target");
  {
    DmaParams p;
    p.outstanding = 4;
    Dma dma("dma", p);
    dma.socket.bind(target.socket);
    Driver drv("drv", [&] { dma.transfer(0, 64 << 10, true); });
    sc_core::sc_start();
    EXPECT_EQ(dma.stats().bytes_written, 64 << 10);
    EXPECT_EQ(target.tagged, 4);  // each worker's payload carried chunks
  }
  EXPECT_EQ(target.freed, target.tagged);
}

// Activations on chip never touch the DRAM bus: the DMA sends global-buffer addresses to the
// buffer's port (64 B/cycle here), DRAM addresses through the bus.
TEST(MemorySystem, OnChipAddressesGoToTheGlobalBufferNotTheBus) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const ArchConfig cfg = default_arch_config();
  Dram dram("dram", cfg.dram);
  Bus bus("bus", cfg.bus);
  GlobalBufferParams gp;
  gp.capacity_kib = 1024;
  gp.banks = 16;
  gp.bank_width_bytes = 4;
  gp.clock_mhz = 1000;  // 1 ns cycles
  GlobalBuffer gb("gb", gp);
  Dma dma("dma", DmaParams{});
  dma.socket.bind(bus.targ);
  dma.onchip_socket.bind(gb.socket);
  bus.init.bind(dram.socket);
  sc_core::sc_time onchip_done, dram_done;
  Driver drv("drv", [&] {
    dma.transfer(kGlobalBufferBase, 64 << 10, false);
    onchip_done = sc_core::sc_time_stamp();
    dma.transfer(0, 4096, true);
    dram_done = sc_core::sc_time_stamp();
  });
  sc_core::sc_start();
  // 64 KiB at 64 B/cycle: 1024 cycles of 1 ns, the port never idle (two chunks in flight).
  EXPECT_EQ(onchip_done, sc_core::sc_time(1024, sc_core::SC_NS));
  EXPECT_EQ(dma.stats().onchip_bytes_read, 64 << 10);
  EXPECT_EQ(dma.stats().bytes_read, 0);
  EXPECT_EQ(dma.stats().bytes_written, 4096);
  EXPECT_EQ(bus.stats().bytes, 4096);
  EXPECT_EQ(dram.stats().bytes_read + dram.stats().bytes_written, 4096);
  EXPECT_EQ(gb.stats().bytes_read, 64 << 10);
  EXPECT_GT(dram_done, onchip_done);
}

}  // namespace
}  // namespace h4h
