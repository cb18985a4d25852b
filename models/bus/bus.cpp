#include "models/bus/bus.h"

#include <algorithm>

#include "models/clock.h"

namespace h4h {

Bus::Bus(sc_core::sc_module_name name, const BusTimingParams& p)
    : sc_module(name), targ("targ"), init("init"), p_(p),
      period_(1e6 / p.clock_mhz, sc_core::SC_PS) {
  targ.register_b_transport(this, &Bus::b_transport);
}

void Bus::acquire(int id) {
  if (!busy_ && waiters_.empty()) {
    busy_ = true;
    last_granted_ = id;
    if (record_grants) stats_.grant_order.push_back(id);
    return;
  }
  sc_core::sc_event granted;
  waiters_.push_back({id, &granted});
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  sc_core::wait(granted);
  stats_.wait_time += sc_core::sc_time_stamp() - t0;
}

void Bus::release() {
  if (waiters_.empty()) {
    busy_ = false;
    return;
  }
  // Round robin: the first waiter (in arrival order) whose id comes next after the last
  // grant, cyclically; fixed priority: the lowest id. Ties keep arrival order.
  auto key = [&](int id) {
    if (!p_.round_robin) return id;
    return id > last_granted_ ? id - last_granted_ : id - last_granted_ + (1 << 20);
  };
  auto best = std::min_element(waiters_.begin(), waiters_.end(),
                               [&](const Waiter& a, const Waiter& b) { return key(a.id) < key(b.id); });
  Waiter w = *best;
  waiters_.erase(best);
  last_granted_ = w.id;
  if (record_grants) stats_.grant_order.push_back(w.id);
  w.granted->notify(sc_core::SC_ZERO_TIME);  // busy_ stays true: ownership passes on
}

void Bus::b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  sc_core::wait(delay);
  delay = sc_core::SC_ZERO_TIME;
  acquire(id);
  sc_core::sc_time memory = sc_core::SC_ZERO_TIME;
  init->b_transport(trans, memory);  // the memory's completion, relative to now
  const int64_t beats = (static_cast<int64_t>(trans.get_data_length()) + p_.width_bytes - 1) /
                        p_.width_bytes;
  const int64_t hold_cycles = p_.latency_cycles + beats;
  const sc_core::sc_time hold = cycles_time(period_, hold_cycles);
  ++stats_.transactions;
  stats_.bytes += trans.get_data_length();
  stats_.busy_cycles += hold_cycles;
  const sc_core::sc_time start = sc_core::sc_time_stamp();
  sc_core::wait(hold);
  if (record_transactions)
    txns_.push_back({start, sc_core::sc_time_stamp(), id, static_cast<int64_t>(trans.get_data_length())});
  release();
  if (memory > hold) sc_core::wait(memory - hold);
}

}  // namespace h4h
