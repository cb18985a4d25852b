#include "models/dma/dma.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <sysc/kernel/sc_dynamic_processes.h>

namespace h4h {

Dma::Dma(sc_core::sc_module_name name, const DmaParams& p)
    : sc_module(name), socket("socket"), onchip_socket("onchip_socket"), p_(p) {
  for (int64_t w = 0; w < p_.outstanding; ++w) {
    payloads_.push_back(std::make_unique<tlm::tlm_generic_payload>());
    workers_.push_back(sc_core::sc_spawn(sc_bind(&Dma::worker, this, payloads_.back().get()),
                                         sc_core::sc_gen_unique_name("worker")));
  }
}

void Dma::abandon_transfers() {
  queue_.clear();
  background_.clear();
  background_in_flight_ = 0;
  // reset(), not kill(): a killed thread ends through a coroutine switch that SystemC 2.3.4
  // does not announce to AddressSanitizer, which then mistakes the main stack for the dead
  // coroutine's and reports stale redzones there; a reset thread unwinds and simply restarts.
  for (auto& w : workers_)
    if (w.valid() && !w.terminated()) w.reset();
  in_flight_ = 0;
}

Dma::Handle Dma::start(uint64_t addr, int64_t bytes, bool write, bool background) {
  auto h = std::make_shared<Transfer>();
  ++stats_.transfers;
  if (bytes <= 0) return h;
  // Bytes count when issued: a prefetch a unit starts belongs to the kernel that started it,
  // even when it lands during the next one.
  if (addr >= kGlobalBufferBase)
    (write ? stats_.onchip_bytes_written : stats_.onchip_bytes_read) += bytes;
  else
    (write ? stats_.bytes_written : stats_.bytes_read) += bytes;
  // One queue entry per transfer, cut into chunks as workers take them: queueing every chunk
  // up front cost memory in proportion to bytes / chunk (gigabytes for a large tensor in
  // small DRAM rows).
  h->pending_chunks = (bytes + p_.chunk_bytes - 1) / p_.chunk_bytes;
  h->background = background;
  (background ? background_ : queue_).push_back({addr, bytes, write, h});
  work_.notify(sc_core::SC_ZERO_TIME);
  return h;
}

void Dma::wait_done(const Handle& h) {
  if (h->background && h->pending_chunks > 0) {
    h->background = false;
    const auto it = std::find_if(background_.begin(), background_.end(),
                                 [&](const Chunk& c) { return c.owner == h; });
    if (it != background_.end()) {
      queue_.push_back(*it);
      background_.erase(it);
      work_.notify(sc_core::SC_ZERO_TIME);
    }
  }
  while (h->pending_chunks > 0) sc_core::wait(h->done);
}

void Dma::worker(tlm::tlm_generic_payload* payload) {
  // Timing only: the payload carries addresses and lengths, never data.
  static unsigned char scratch[1];
  tlm::tlm_generic_payload& trans = *payload;
  for (;;) {
    // A background chunk may take a worker only while another one stays free.
    const int background_limit = static_cast<int>(p_.outstanding);
    while (queue_.empty() && (background_.empty() || background_in_flight_ >= background_limit))
      sc_core::wait(work_);
    // The next chunk of the oldest transfer, in address order, as when chunks were queued;
    // demand transfers first.
    const bool background = queue_.empty();
    std::deque<Chunk>& q = background ? background_ : queue_;
    Chunk& rest = q.front();
    Chunk c{rest.addr, std::min(p_.chunk_bytes, rest.bytes), rest.write, rest.owner};
    rest.addr += static_cast<uint64_t>(c.bytes);
    rest.bytes -= c.bytes;
    if (rest.bytes == 0) q.pop_front();
    if (background) ++background_in_flight_;
    if (in_flight_++ == 0) busy_since_ = sc_core::sc_time_stamp();
    trans.set_command(c.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans.set_address(c.addr);
    trans.set_data_ptr(scratch);
    trans.set_data_length(static_cast<unsigned int>(c.bytes));
    trans.set_streaming_width(static_cast<unsigned int>(c.bytes));
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    const bool onchip = c.addr >= kGlobalBufferBase;
    if (onchip) {
      // A chip without a global buffer never hands out its addresses: a layout bug.
      if (onchip_socket.size() == 0)
        throw std::logic_error(std::string(name()) + ": on-chip address without a global buffer");
      onchip_socket->b_transport(trans, delay);
    } else {
      socket->b_transport(trans, delay);
    }
    sc_core::wait(delay);
    ++stats_.chunks;
    if (--in_flight_ == 0) stats_.busy_time += sc_core::sc_time_stamp() - busy_since_;
    if (--c.owner->pending_chunks == 0) c.owner->done.notify(sc_core::SC_ZERO_TIME);
    if (background) {
      --background_in_flight_;
      work_.notify(sc_core::SC_ZERO_TIME);  // another background chunk may go now
    }
  }
}

}  // namespace h4h
