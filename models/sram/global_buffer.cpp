#include "models/sram/global_buffer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/clock.h"

namespace h4h {

GlobalBufferTiming::GlobalBufferTiming(const GlobalBufferParams& p)
    : bytes_per_cycle_(p.bytes_per_cycle()) {
  if (bytes_per_cycle_ <= 0)
    throw std::logic_error("GlobalBufferTiming: banks x bank_width_bytes must be positive");
}

int64_t GlobalBufferTiming::access(int64_t now_cycle, int64_t bytes, bool write) {
  const int64_t cycles = std::max<int64_t>(1, (bytes + bytes_per_cycle_ - 1) / bytes_per_cycle_);
  const int64_t start = std::max(now_cycle, free_at_);
  free_at_ = start + cycles;
  ++stats_.accesses;
  stats_.busy_cycles += cycles;
  (write ? stats_.bytes_written : stats_.bytes_read) += bytes;
  return free_at_;
}

GlobalBuffer::GlobalBuffer(sc_core::sc_module_name name, const GlobalBufferParams& p)
    : sc_module(name), socket("socket"), p_(p), core_(p), period_(1e6 / p.clock_mhz, sc_core::SC_PS) {
  socket.register_b_transport(this, &GlobalBuffer::b_transport);
}

void GlobalBuffer::reset(const sc_core::sc_time& origin) {
  core_.reset();
  origin_ = origin;
}

void GlobalBuffer::b_transport(int /*initiator*/, tlm::tlm_generic_payload& trans,
                               sc_core::sc_time& delay) {
  // The request arrives at now + delay; cycles count from this run's origin, rounded up to
  // the next edge.
  const sc_core::sc_time arrive = sc_core::sc_time_stamp() + delay - origin_;
  const int64_t now_cycle = static_cast<int64_t>(std::ceil(arrive / period_ - 1e-9));
  const int64_t done = core_.access(now_cycle, trans.get_data_length(), trans.is_write());
  delay = origin_ + cycles_time(period_, done) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace h4h
