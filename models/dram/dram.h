#pragma once
// Dram: the SystemC shell of the DRAM controller — DramController (request queue, write buffer
// over DramTimingCore, row segments timed in closed form) or, with dram.controller.model:
// cycle, DramCycleController (every tCK). A TLM-2.0 target; each transaction is a chunk (a
// few KiB); the returned delay is the chunk's completion relative to now (a write's: when the
// controller's write buffer has taken it). No process of its own: it is timed on the
// caller's thread, so a request is scheduled against those already queued, not later ones.
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <memory>

#include "models/dram/dram_controller.h"
#include "models/dram/dram_cycle_controller.h"

namespace h4h {

class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const DramTimingParams& p,
       const DramControllerParams& controller = {});
  // Counts since the last reset, and (when recording) each row segment's data-bus occupancy.
  const DramStats& stats() const { return cycle_ ? cycle_->stats() : ctrl_.core().stats(); }
  const std::vector<DramTimingCore::Segment>& segments() const {
    return cycle_ ? cycle_->segments() : ctrl_.core().segments();
  }
  void record_segments(bool on) {
    (cycle_ ? cycle_->record_segments : ctrl_.core().record_segments) = on;
  }
  sc_core::sc_time origin() const { return origin_; }
  // Starts a new run: quiet memory, zeroed statistics, times counted from `origin`.
  void reset(sc_core::sc_time origin);
  sc_core::sc_time tck() const { return tck_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  DramController ctrl_;
  std::unique_ptr<DramCycleController> cycle_;  // set: it serves the traffic, not ctrl_
  sc_core::sc_time tck_;
  sc_core::sc_time origin_ = sc_core::SC_ZERO_TIME;
};

}  // namespace h4h
