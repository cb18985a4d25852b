#pragma once
// Dma: one engine per unit. Splits a transfer into chunks (row-sized, a few KiB) and keeps
// up to `outstanding` of them in flight, as real DMA engines queue requests; a chunk is one
// TLM transaction. Addresses below kGlobalBufferBase go through the bus to DRAM (`socket`),
// those above to the on-chip global buffer (`onchip_socket`), which is not on the DRAM bus.
// Background transfers (prefetches) wait in a queue of their own that the workers serve only
// when no demand transfer is queued, and never with every worker: one stays free for the
// unit's own operands, which then wait for no prefetch at the engine (they still share the
// bus and the memory with it). A unit that waits for a background transfer needs it now:
// what is left of it joins the demand queue. Called from the owning unit's thread:
// `start` returns at once, `wait_done` blocks until that transfer is complete, `transfer`
// does both.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/sram/global_buffer.h"

namespace h4h {

// How much of one tensor its producer has stored so far, for a consumer on another unit
// that starts before the producer ends (row-band pipelining): the producer's unit advances
// it as it issues stores; the consumer's unit waits before reading bytes not there yet.
class StreamProgress {
 public:
  void reset() { bytes_ = 0; }
  void advance(int64_t bytes) {
    bytes_ += bytes;
    ev_.notify(sc_core::SC_ZERO_TIME);
  }
  void wait_for(int64_t bytes) {
    while (bytes_ < bytes) sc_core::wait(ev_);
  }
  int64_t bytes() const { return bytes_; }

 private:
  int64_t bytes_ = 0;
  sc_core::sc_event ev_;
};

// A contiguous range a unit moves: `bytes` from (or to) `addr`, DRAM or global buffer.
// A store stream may report its progress (`produced`); a load stream may have to wait for
// its tensor's producer (`gate`, over the tensor's `gate_bytes`; a stream that reads the
// tensor several times waits for it once).
struct MemStream {
  uint64_t addr = 0;
  int64_t bytes = 0;
  StreamProgress* produced = nullptr;
  StreamProgress* gate = nullptr;
  int64_t gate_bytes = 0;
};

// Before reading [offset, offset + bytes) of `s`: waits until its producer stored them.
inline void wait_for_producer(const MemStream& s, int64_t offset, int64_t bytes) {
  if (s.gate) s.gate->wait_for(std::min(offset + bytes, s.gate_bytes));
}

struct DmaParams {
  int64_t chunk_bytes = 4096;
  int64_t outstanding = 2;
};

struct DmaStats {
  int64_t transfers = 0;
  int64_t chunks = 0;
  // Bytes of the transfers started (counted when issued, not when they land).
  int64_t bytes_read = 0;     // from DRAM (through the bus)
  int64_t bytes_written = 0;  // to DRAM
  int64_t onchip_bytes_read = 0;     // from the global buffer
  int64_t onchip_bytes_written = 0;  // to the global buffer
  sc_core::sc_time busy_time = sc_core::SC_ZERO_TIME;  // time with at least one chunk in flight
};

class Dma : public sc_core::sc_module {
 public:
  struct Transfer {
    int64_t pending_chunks = 0;
    bool background = false;
    sc_core::sc_event done;
  };
  using Handle = std::shared_ptr<Transfer>;

  tlm_utils::simple_initiator_socket<Dma> socket;                 // bus → DRAM
  tlm_utils::simple_initiator_socket_optional<Dma> onchip_socket;  // global buffer, if any

  Dma(sc_core::sc_module_name name, const DmaParams& p);
  Handle start(uint64_t addr, int64_t bytes, bool write, bool background = false);
  void wait_done(const Handle& h);
  void transfer(uint64_t addr, int64_t bytes, bool write) { wait_done(start(addr, bytes, write)); }
  const DmaStats& stats() const { return stats_; }
  void reset_stats() { stats_ = DmaStats{}; }
  // Drops the queued chunks and resets the workers: their stacks are unwound (the chunks in
  // flight are released) and they start over, idle. Only from a running SystemC process; the
  // engine does this when it abandons a run. A transfer cut off here never completes.
  void abandon_transfers();

 private:
  struct Chunk {  // in the queue: what is left of a transfer; in a worker: one chunk of it
    uint64_t addr;
    int64_t bytes;
    bool write;
    Handle owner;
  };
  void worker(tlm::tlm_generic_payload* payload);

  DmaParams p_;
  // One payload per worker, owned here rather than on the worker's stack: SystemC never
  // unwinds a thread that is still waiting when the simulation ends, so a payload local to
  // worker() was never destroyed and its extension array leaked (LeakSanitizer, valgrind).
  std::vector<std::unique_ptr<tlm::tlm_generic_payload>> payloads_;
  std::vector<sc_core::sc_process_handle> workers_;
  std::deque<Chunk> queue_, background_;
  sc_core::sc_event work_;
  int in_flight_ = 0;
  int background_in_flight_ = 0;
  sc_core::sc_time busy_since_;
  DmaStats stats_;
};

}  // namespace h4h
