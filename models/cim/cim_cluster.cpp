#include "models/cim/cim_cluster.h"

#include <algorithm>

#include "models/clock.h"

namespace h4h {
namespace {

int64_t share(int64_t total, int64_t parts, int64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

}  // namespace

CimCluster::CimCluster(sc_core::sc_module_name name, double clock_mhz, Dma& dma)
    : sc_module(name), dma_(dma), period_(1e6 / clock_mhz, sc_core::SC_PS) {}

UnitResult CimCluster::run(const CimJob& job) {
  UnitResult r;
  r.start = sc_core::sc_time_stamp();
  const bool program = !(job.resident && job.warm);
  const CimLayerPlan& plan = job.plan;
  r.cim_macs = plan.macs;
  r.adc_conversions = plan.adc_conversions;
  r.weight_write_bits = plan.weight_write_bits;
  r.program_cycles = plan.program_cycles;
  r.compute_cycles = plan.compute_cycles;
  r.loaded.assign(1 + job.inputs.size(), 0);
  r.stored.assign(job.outputs.size(), 0);
  const int64_t rounds = plan.rounds;
  int64_t in_total = 0;
  for (const MemStream& m : job.inputs) in_total += m.bytes;
  const int64_t slice_bytes = in_total / std::max<int64_t>(plan.tiles / plan.col_tiles, 1);
  const bool buffered = job.input_buffer_bytes > 0 && slice_bytes <= job.input_buffer_bytes;
  int64_t loaded_slice = -1;  // the last slice the input buffer holds
  bool pipelined = false;
  for (const MemStream& m : job.inputs) pipelined = pipelined || m.gate;
  for (const MemStream& m : job.outputs) pipelined = pipelined || m.produced;
  const int64_t bands = pipelined ? kPipelineBands : 1;
  std::vector<Dma::Handle> stores;
  uint64_t w_off = 0;
  std::vector<uint64_t> out_off(job.outputs.size(), 0);
  for (int64_t round = 0; round < rounds; ++round) {
    if (program) {
      // Weights stream in while rows are written: the slower of the two sets the pace.
      const int64_t wb = share(job.weights.bytes, rounds, round);
      Dma::Handle w = wb > 0 ? dma_.start(job.weights.addr + w_off, wb, false) : nullptr;
      w_off += static_cast<uint64_t>(wb);
      r.loaded[0] += wb;
      sc_core::wait(cycles_time(period_, share(plan.program_cycles, rounds, round)));
      if (w) dma_.wait_done(w);
    }
    // Tiles are taken group by group, row tile by row tile, column tiles innermost. A round
    // needs the input slices of the (group, row tile) pairs it holds: column tiles share
    // theirs, groups and row tiles each have their own. Inputs stream alongside the
    // bit-serial compute; waiting for them beyond the compute time is a stall. A slice
    // needed in two rounds is read twice unless it fits the input buffer.
    const int64_t first_tile = round * job.macro_count;
    const int64_t last_tile = std::min(plan.tiles, first_tile + job.macro_count) - 1;
    const int64_t first_slice = first_tile / plan.col_tiles, last_slice = last_tile / plan.col_tiles;
    const int64_t all_slices = std::max<int64_t>(plan.tiles / plan.col_tiles, 1);
    const int64_t slices = last_slice - (buffered ? std::max(first_slice - 1, loaded_slice) : first_slice - 1);
    loaded_slice = std::max(loaded_slice, last_slice);
    // A round streams its inputs and drains its outputs in `bands` (one unless a neighbour on
    // another unit pipelines with this layer): band j needs the first (j+1)/bands of each
    // gated input stored by its producer, and stores its share of the outputs when done.
    for (int64_t band = 0; band < bands; ++band) {
      std::vector<Dma::Handle> in;
      for (size_t s = 0; s < job.inputs.size(); ++s) {
        const int64_t ib = share(job.inputs[s].bytes * slices / all_slices, bands, band);
        if (job.inputs[s].gate)
          job.inputs[s].gate->wait_for(job.inputs[s].gate_bytes * (band + 1) / bands);
        if (ib > 0) in.push_back(dma_.start(job.inputs[s].addr, ib, false));
        r.loaded[1 + s] += ib;
      }
      sc_core::wait(cycles_time(period_, share(share(plan.compute_cycles, rounds, round), bands, band)));
      const sc_core::sc_time t0 = sc_core::sc_time_stamp();
      for (auto& h : in) dma_.wait_done(h);
      r.stall += sc_core::sc_time_stamp() - t0;
      for (size_t s = 0; s < job.outputs.size(); ++s) {
        const int64_t ob = share(share(job.outputs[s].bytes, rounds, round), bands, band);
        if (ob == 0) continue;
        stores.push_back(dma_.start(job.outputs[s].addr + out_off[s], ob, true));
        out_off[s] += static_cast<uint64_t>(ob);
        r.stored[s] += ob;
        if (job.outputs[s].produced) job.outputs[s].produced->advance(ob);
      }
    }
  }
  for (int64_t b : r.loaded) r.load_bytes += b;
  for (int64_t b : r.stored) r.store_bytes += b;
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  for (auto& h : stores) dma_.wait_done(h);
  r.stall += sc_core::sc_time_stamp() - t0;
  r.end = sc_core::sc_time_stamp();
  return r;
}

}  // namespace h4h
