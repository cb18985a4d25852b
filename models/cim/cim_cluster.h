#pragma once
// CimCluster: the CIM macros and their own DMA engine on the shared bus. A layer runs in
// rounds (models/cim/cim_macro.h): each round first programs its tiles' weights (loaded
// from memory, written at weight-write bandwidth; the two overlap), then streams the input
// vectors, double buffered against the input loads, and drains the outputs. A resident
// layer on a warm run skips programming. Input slices that fit the cluster's input buffer
// are loaded once per layer.
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/cim/cim_macro.h"
#include "models/dma/dma.h"
#include "models/unit_result.h"

namespace h4h {

// A layer as the mapper planned it: `plan` for this run (cold, or warm without programming
// when `resident && warm`); the shell executes it round by round.
// Streams: `weights` (loaded when programming), `inputs` (each input slice a round needs
// comes from every input stream in proportion), `outputs` (drained round by round);
// UnitResult::loaded is {weights, inputs...}, stored is {outputs...}.
struct CimJob {
  CimLayerPlan plan;
  MemStream weights;
  std::vector<MemStream> inputs, outputs;
  bool resident = false;  // pinned in macros
  bool warm = false;      // and already programmed by an earlier run
  int64_t macro_count = 1;  // the macros this layer may use (its plan's, per round)
  // Input slices (one row tile's inputs) it can hold: when a slice fits, a round reads only
  // the slices no earlier round loaded (consecutive rounds share the boundary slice); when
  // it does not, every round reads all the slices it needs.
  int64_t input_buffer_bytes = 0;
};

// Bands a round streams in when it pipelines with a producer or consumer on another unit.
inline constexpr int64_t kPipelineBands = 8;

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
