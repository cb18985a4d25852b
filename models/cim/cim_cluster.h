#pragma once
// CimCluster: the CIM macros and their own DMA engine on the shared bus. A layer runs in
// rounds (models/cim/cim_macro.h): each round first programs its tiles' weights (loaded
// from memory, written at weight-write bandwidth; the two overlap), then streams the input
// vectors, double buffered against the input loads, and drains the outputs. A resident
// layer on a warm run skips programming. Input slices that fit the cluster's input buffer
// are loaded once per layer; the output buffer drains a round's outputs while the macros go
// on; both buffers' banked ports can bound a round's time.
//
// Not modelled: partial sums of outputs whose row tiles fall in different rounds are
// assumed to stay in the macros' accumulators (no spill traffic).
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/cim/cim_macro.h"
#include "models/dma/dma.h"
#include "models/unit_result.h"

namespace h4h {

// The cluster's buffers as a job sees them. `modelled` false is the model before the
// on-chip hierarchy (the ablation): no input buffer, outputs stored at the end of a band
// with no bound on those in flight, no ports, no buffer energy. Modelled: an input buffer
// of 0 bytes is absent (inputs stream straight into the macros: no port, no energy); the
// output buffer drains the results in pieces of kCimDrainBytes while the macros go on, and
// the macros wait when the pieces still draining would not leave room for the next (with
// 0 bytes, one piece drains at a time, from the macros' output registers).
// The weight buffer stages the next round's weights (up to its capacity) from memory while
// the current round computes, so programming that round waits only for the rest.
struct CimBuffers {
  bool modelled = false;
  int64_t input_bytes = 0, input_bytes_per_cycle = 0;
  int64_t output_bytes = 0, output_bytes_per_cycle = 0;
  int64_t weight_bytes = 0;
};

// The output drain's granule: one DMA chunk.
inline constexpr int64_t kCimDrainBytes = 4096;

// Cycles a banked port of `bytes_per_cycle` needs to move `bytes` (0 when there is no port).
int64_t cim_port_cycles(int64_t bytes, int64_t bytes_per_cycle);

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
  // A fused epilogue (sim/engine/fusion) on the vector unit: its cycles over the whole output
  // at `epilogue_period`, its lane-ops, and the operands it reads besides the GEMM's output
  // (loaded with the outputs they go with). Each output piece is stored once its epilogue,
  // overlapping the macros, is done.
  std::vector<MemStream> epilogue_loads;
  int64_t epilogue_cycles = 0, epilogue_lane_ops = 0;
  sc_core::sc_time epilogue_period = sc_core::SC_ZERO_TIME;
  // The layer the cluster runs next, if it will program: during this layer's last round its
  // first round's weights are staged in the weight buffer, as far as it holds them. Bytes:
  // that round's share of the next layer's weights.
  MemStream next_weights;
  // Input slices (one row tile's inputs) the input buffer can hold: when a slice fits, a
  // round reads only the slices no earlier round loaded (consecutive rounds share the
  // boundary slice); when it does not, every round reads all the slices it needs.
  CimBuffers buffers;
};

// Bands a round streams in when it pipelines with a producer or consumer on another unit.
inline constexpr int64_t kPipelineBands = 8;

// UnitResult::loaded is {weights, inputs..., epilogue_loads...}; loaded[0] counts the job's
// own weight bytes it moved (less what an earlier job
// staged for it); what it staged for the next job is UnitResult::prefetched_weight_bytes.
class CimCluster : public sc_core::sc_module {
 public:
  CimCluster(sc_core::sc_module_name name, double clock_mhz, Dma& dma);
  UnitResult run(const CimJob& job);
  sc_core::sc_time period() const { return period_; }
  // A new workload: the weight buffer holds nothing for it.
  void reset() { carried_ = Carried{}; }

 private:
  // What the weight buffer holds for the next layer: where those weights start, how many
  // bytes, the transfers still landing.
  struct Carried {
    uint64_t addr = 0;
    int64_t bytes = 0;
    std::vector<Dma::Handle> transfers;
  };
  Dma& dma_;
  sc_core::sc_time period_;
  Carried carried_;
};

}  // namespace h4h
