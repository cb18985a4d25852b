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

struct CimJob {
  int64_t groups = 1, m = 0, k = 0, n = 0;
  int64_t in_bytes = 0, weight_bytes = 0, out_bytes = 0;
  uint64_t in_addr = 0, weight_addr = 0, out_addr = 0;
  bool resident = false;  // pinned in macros
  bool warm = false;      // and already programmed by an earlier run
  CimMacroParams macros;  // macro_count = the macros this layer may use
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
