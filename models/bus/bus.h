#pragma once
// Bus: the shared on-chip interconnect every DMA goes through, so NPU and CIM traffic
// contend. A TLM-2.0 component: initiators bind to `targ` (one id per binding), the memory
// to `init`. One chunk holds the bus for latency + ⌈bytes / width⌉ cycles; waiting
// initiators are granted round-robin by id (or by fixed priority, lowest id first). The
// memory access of a chunk overlaps its bus transfer; the chunk completes when both have.
#include <cstdint>
#include <deque>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/bus/bus_params.h"

namespace h4h {


struct BusStats {
  int64_t transactions = 0;
  int64_t bytes = 0;
  int64_t busy_cycles = 0;   // cycles the bus was held
  sc_core::sc_time wait_time = sc_core::SC_ZERO_TIME;  // total time initiators waited for a grant
  std::vector<int> grant_order;  // initiator ids in grant order (kept when `record_grants`)
};

class Bus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Bus> targ;
  tlm_utils::simple_initiator_socket<Bus> init;

  Bus(sc_core::sc_module_name name, const BusTimingParams& p);
  const BusStats& stats() const { return stats_; }
  void reset_stats() {
    stats_ = BusStats{};
    txns_.clear();
  }
  // When set, every granted transaction is kept (start, end, initiator) for the trace.
  bool record_transactions = false;
  struct Txn {
    sc_core::sc_time start, end;
    int initiator;
    int64_t bytes;
  };
  const std::vector<Txn>& transactions() const { return txns_; }
  sc_core::sc_time period() const { return period_; }
  bool record_grants = false;

 private:
  struct Waiter {
    int id;
    sc_core::sc_event* granted;
  };
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void acquire(int id);
  void release();

  BusTimingParams p_;
  sc_core::sc_time period_;
  bool busy_ = false;
  int last_granted_ = -1;
  std::deque<Waiter> waiters_;
  BusStats stats_;
  std::vector<Txn> txns_;
};

}  // namespace h4h
