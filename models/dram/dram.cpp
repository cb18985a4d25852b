#include "models/dram/dram.h"

#include <cmath>

namespace h4h {

Dram::Dram(sc_core::sc_module_name name, const DramTimingParams& p,
           const DramControllerParams& controller)
    : sc_module(name),
      socket("socket"),
      ctrl_(p, controller),
      cycle_(controller.model == DramControllerModel::kCycle
                 ? std::make_unique<DramCycleController>(p, controller)
                 : nullptr),
      tck_(static_cast<double>(p.tck_ps), sc_core::SC_PS) {
  socket.register_b_transport(this, &Dram::b_transport);
}

void Dram::reset(sc_core::sc_time origin) {
  ctrl_.reset();
  if (cycle_) cycle_->reset();
  origin_ = origin;
}

void Dram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const sc_core::sc_time start = sc_core::sc_time_stamp() + delay - origin_;
  // Commands issue on tCK edges.
  const int64_t now_cycle = static_cast<int64_t>(std::ceil(start / tck_ - 1e-9));
  const DramAccess a = cycle_ ? cycle_->access(trans.get_address(), trans.get_data_length(),
                                               trans.is_write(), now_cycle)
                              : ctrl_.access(trans.get_address(), trans.get_data_length(),
                                             trans.is_write(), now_cycle);
  delay = origin_ + tck_ * static_cast<double>(a.done_cycle) - sc_core::sc_time_stamp();
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace h4h
