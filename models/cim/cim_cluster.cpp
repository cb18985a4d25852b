#include "models/cim/cim_cluster.h"

#include <algorithm>

#include "models/clock.h"

namespace h4h {
namespace {

int64_t share(int64_t total, int64_t parts, int64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Weight transfers and staged weights are cut at this alignment (a DRAM burst divides it).
constexpr int64_t kStageAlignBytes = 64;

// A weight transfer whose start is not 64-byte aligned (a round's share of a layer's weights
// rarely is) goes as two: up to the boundary, then the rest, so the DMA's chunks of the rest
// stay burst-aligned instead of each straddling a burst. `background`: a prefetch, in the
// DMA's background queue, so it never holds up the round's own transfers.
void start_weights(Dma& dma, uint64_t addr, int64_t bytes, std::vector<Dma::Handle>& hs,
                   bool background) {
  const int64_t head = std::min<int64_t>(
      bytes, (kStageAlignBytes - static_cast<int64_t>(addr % kStageAlignBytes)) % kStageAlignBytes);
  if (head > 0) hs.push_back(dma.start(addr, head, false, background));
  if (bytes > head)
    hs.push_back(dma.start(addr + static_cast<uint64_t>(head), bytes - head, false, background));
}

}  // namespace

int64_t cim_port_cycles(int64_t bytes, int64_t bytes_per_cycle) {
  return bytes_per_cycle > 0 ? ceil_div(bytes, bytes_per_cycle) : 0;
}

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
  r.peak_macs_per_cycle = plan.peak_macs_per_cycle;
  r.cim_cell_utilization = plan.cell_utilization;
  r.loaded.assign(1 + job.inputs.size() + job.epilogue_loads.size(), 0);
  r.vector_lane_ops = job.epilogue_lane_ops;
  r.epilogue_cycles = job.epilogue_cycles;
  r.stored.assign(job.outputs.size(), 0);
  const int64_t rounds = plan.rounds;
  int64_t in_total = 0;
  for (const MemStream& m : job.inputs) in_total += m.bytes;
  const int64_t slice_bytes = in_total / std::max<int64_t>(plan.tiles / plan.col_tiles, 1);
  const CimBuffers& buf = job.buffers;
  const bool buffered = buf.input_bytes > 0 && slice_bytes <= buf.input_bytes;
  int64_t loaded_slice = -1;  // the last slice the input buffer holds
  bool pipelined = false;
  for (const MemStream& m : job.inputs) pipelined = pipelined || m.gate;
  for (const MemStream& m : job.outputs) pipelined = pipelined || m.produced;
  // Stores in flight, oldest first, with their bytes: they hold output buffer space.
  struct Pending {
    Dma::Handle h;
    int64_t bytes;
  };
  std::vector<Pending> stores;
  size_t oldest = 0;  // stores[oldest..] may still be draining
  int64_t draining_bytes = 0;
  uint64_t w_off = 0;
  std::vector<uint64_t> out_off(job.outputs.size(), 0);
  // The next round's weights being staged in the weight buffer: bytes, their transfers. Round
  // 0's may have been staged by the previous job, if it ran this layer's weights next.
  int64_t staged = 0;
  std::vector<Dma::Handle> staged_h;
  int64_t carried_in = 0;
  if (program && buf.modelled && carried_.bytes > 0 && carried_.addr == job.weights.addr) {
    staged = carried_in = std::min(carried_.bytes, share(job.weights.bytes, rounds, 0));
    staged_h = std::move(carried_.transfers);
  }
  carried_ = Carried{};
  for (int64_t round = 0; round < rounds; ++round) {
    if (program) {
      // Weights stream in while rows are written: the slower of the two sets the pace. The
      // part staged during the previous round comes from the weight buffer.
      const int64_t wb = share(job.weights.bytes, rounds, round);
      const int64_t direct = wb - staged;
      std::vector<Dma::Handle> w;
      if (direct > 0 && buf.modelled)
        start_weights(dma_, job.weights.addr + w_off + staged, direct, w, false);
      else if (direct > 0)
        w.push_back(dma_.start(job.weights.addr + w_off, direct, false));
      w_off += static_cast<uint64_t>(wb);
      r.loaded[0] += round == 0 ? wb - carried_in : wb;
      sc_core::wait(cycles_time(period_, share(plan.program_cycles, rounds, round)));
      for (auto& h : w) dma_.wait_done(h);
      for (auto& h : staged_h) dma_.wait_done(h);
      staged_h.clear();
    }
    // Stage the next round's first weights while this one computes (when it programs), or in
    // the last round the next layer's, in the DMA's background queue so the round's own
    // transfers never wait for them. Staged bytes end on a 64-byte boundary (unless they take
    // the whole round), so the split adds no partly used DRAM burst.
    const bool last = round + 1 == rounds;
    const uint64_t stage_addr = last ? job.next_weights.addr : job.weights.addr + w_off;
    const int64_t next_wb = !buf.modelled ? 0
                            : last        ? job.next_weights.bytes
                            : program     ? share(job.weights.bytes, rounds, round + 1)
                                          : 0;
    int64_t staging = std::min(buf.weight_bytes, next_wb);
    if (staging < next_wb) {
      const int64_t end = static_cast<int64_t>(stage_addr) + staging;
      staging = std::max<int64_t>(0, staging - end % kStageAlignBytes);
    }
    if (last && staging > 0) {
      carried_.addr = job.next_weights.addr;
      carried_.bytes = staging;
      r.prefetched_weight_bytes = staging;
    }
    r.cim_buffer_write_bytes += staging;
    r.cim_buffer_read_bytes += staging;
    if (staging > 0) start_weights(dma_, stage_addr, staging, staged_h, true);
    staged = staging;
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
    // Every input vector's slice is read out of the input buffer once per round, for all
    // the macros holding its column tiles.
    const bool in_buffer = buf.modelled && buf.input_bytes > 0;
    const int64_t round_reads =
        in_buffer ? in_total * (last_slice - first_slice + 1) / all_slices : 0;
    // A round streams its inputs and drains its outputs in bands (one unless a neighbour on
    // another unit pipelines with this layer): band j needs the first (j+1)/bands of each
    // gated input stored by its producer, and stores its share of the outputs.
    const int64_t bands = pipelined ? kPipelineBands : 1;
    for (int64_t band = 0; band < bands; ++band) {
      std::vector<Dma::Handle> in;
      int64_t band_in = 0;
      for (size_t s = 0; s < job.inputs.size(); ++s) {
        const int64_t ib = share(job.inputs[s].bytes * slices / all_slices, bands, band);
        if (job.inputs[s].gate)
          job.inputs[s].gate->wait_for(job.inputs[s].gate_bytes * (band + 1) / bands);
        if (ib > 0) in.push_back(dma_.start(job.inputs[s].addr, ib, false));
        r.loaded[1 + s] += ib;
        band_in += ib;
      }
      // An epilogue's other operands, in proportion to the outputs this band makes.
      for (size_t s = 0; s < job.epilogue_loads.size(); ++s) {
        int64_t& done = r.loaded[1 + job.inputs.size() + s];
        const int64_t eb = share(share(job.epilogue_loads[s].bytes, rounds, round), bands, band);
        if (eb > 0)
          in.push_back(
              dma_.start(job.epilogue_loads[s].addr + static_cast<uint64_t>(done), eb, false));
        done += eb;
      }
      const int64_t band_epilogue = share(share(job.epilogue_cycles, rounds, round), bands, band);
      std::vector<int64_t> band_out(job.outputs.size(), 0);
      int64_t band_out_bytes = 0;
      for (size_t s = 0; s < job.outputs.size(); ++s) {
        band_out[s] = share(share(job.outputs[s].bytes, rounds, round), bands, band);
        band_out_bytes += band_out[s];
      }
      // The macros compute; the buffers' ports must keep up: the input buffer takes the
      // band's loads and gives the band's reads, the output buffer takes the results from
      // the macros and gives them to the DMA.
      const int64_t band_reads = share(round_reads, bands, band);
      const int64_t in_writes = in_buffer ? band_in : 0;
      const int64_t out_bytes = buf.modelled ? band_out_bytes : 0;
      r.cim_buffer_read_bytes += band_reads + out_bytes;
      r.cim_buffer_write_bytes += in_writes + out_bytes;
      const int64_t cycles =
          std::max({share(share(plan.compute_cycles, rounds, round), bands, band),
                    cim_port_cycles(band_reads + in_writes, buf.input_bytes_per_cycle),
                    cim_port_cycles(2 * out_bytes, buf.output_bytes_per_cycle)});
      // The band's results leave in pieces as they are computed (one piece, at the end of
      // the band, in the ablation); the inputs must all be in before the last piece.
      const int64_t pieces =
          buf.modelled ? std::max<int64_t>(1, ceil_div(band_out_bytes, kCimDrainBytes)) : 1;
      for (int64_t piece = 0; piece < pieces; ++piece) {
        // The vector unit runs the piece's epilogue as the macros compute it.
        sc_core::wait(
            std::max(cycles_time(period_, share(cycles, pieces, piece)),
                     cycles_time(job.epilogue_period, share(band_epilogue, pieces, piece))));
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        if (piece == pieces - 1)
          for (auto& h : in) dma_.wait_done(h);
        int64_t piece_bytes = 0;
        for (size_t s = 0; s < job.outputs.size(); ++s)
          piece_bytes += share(band_out[s], pieces, piece);
        // Room in the output buffer: wait for the oldest drains until this piece fits.
        while (buf.modelled && oldest < stores.size() &&
               draining_bytes + piece_bytes > buf.output_bytes) {
          dma_.wait_done(stores[oldest].h);
          draining_bytes -= stores[oldest++].bytes;
        }
        r.stall += sc_core::sc_time_stamp() - t0;
        for (size_t s = 0; s < job.outputs.size(); ++s) {
          const int64_t ob = share(band_out[s], pieces, piece);
          if (ob == 0) continue;
          stores.push_back({dma_.start(job.outputs[s].addr + out_off[s], ob, true), ob});
          draining_bytes += ob;
          out_off[s] += static_cast<uint64_t>(ob);
          r.stored[s] += ob;
          if (job.outputs[s].produced) job.outputs[s].produced->advance(ob);
        }
      }
      // Drains that finished free their space without waiting.
      while (oldest < stores.size() && stores[oldest].h->pending_chunks == 0)
        draining_bytes -= stores[oldest++].bytes;
    }
  }
  for (int64_t b : r.loaded) r.load_bytes += b;
  for (int64_t b : r.stored) r.store_bytes += b;
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  for (size_t i = oldest; i < stores.size(); ++i) dma_.wait_done(stores[i].h);
  // What was staged for the next layer may still be landing: the next job waits for it.
  if (carried_.bytes > 0) carried_.transfers = std::move(staged_h);
  r.stall += sc_core::sc_time_stamp() - t0;
  r.end = sc_core::sc_time_stamp();
  return r;
}

}  // namespace h4h
