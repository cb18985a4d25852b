#pragma once
// CimCluster: the CIM macros and their own DMA engine on the shared bus. A layer runs in
// rounds (models/cim/cim_macro.h): each round first programs its tiles' weights (loaded
// from memory, written at weight-write bandwidth; the two overlap), then streams the input
// vectors, double buffered against the input loads, and drains the outputs. A resident
// layer on a warm run skips programming.
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/cim/cim_macro.h"
#include "models/dma/dma.h"
#include "models/unit_result.h"

namespace h4h {

// A layer as the mapper planned it: `plan` for this run (cold, or warm without programming
// when `resident && warm`); the shell executes it round by round.
struct CimJob {
  CimLayerPlan plan;
  int64_t in_bytes = 0, weight_bytes = 0, out_bytes = 0;
  uint64_t in_addr = 0, weight_addr = 0, out_addr = 0;
  bool resident = false;  // pinned in macros
  bool warm = false;      // and already programmed by an earlier run
  int64_t macro_count = 1;  // the macros this layer may use (its plan's, per round)
};

class CimCluster : public sc_core::sc_module {
 public:
  CimCluster(sc_core::sc_module_name name, double clock_mhz, Dma& dma);
  UnitResult run(const CimJob& job);
  sc_core::sc_time period() const { return period_; }

 private:
  Dma& dma_;
  sc_core::sc_time period_;
};

}  // namespace h4h
