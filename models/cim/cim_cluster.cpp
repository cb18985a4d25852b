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
  const int64_t rounds = plan.rounds;
  std::vector<Dma::Handle> stores;
  uint64_t w_off = 0, out_off = 0;
  for (int64_t round = 0; round < rounds; ++round) {
    if (program) {
      // Weights stream in while rows are written: the slower of the two sets the pace.
      const int64_t wb = share(job.weight_bytes, rounds, round);
      Dma::Handle w = wb > 0 ? dma_.start(job.weight_addr + w_off, wb, false) : nullptr;
      w_off += static_cast<uint64_t>(wb);
      r.load_bytes += wb;
      sc_core::wait(cycles_time(period_, share(plan.program_cycles, rounds, round)));
      if (w) dma_.wait_done(w);
    }
    // Tiles are taken group by group, row tile by row tile, column tiles innermost. A round
    // needs the input slices of the (group, row tile) pairs it holds: column tiles share
    // theirs, groups and row tiles each have their own. Inputs stream alongside the
    // bit-serial compute; waiting for them beyond the compute time is a stall. There is no
    // input buffer across rounds, so a slice needed in two rounds is read twice.
    const int64_t first_tile = round * job.macro_count;
    const int64_t last_tile = std::min(plan.tiles, first_tile + job.macro_count) - 1;
    const int64_t slices = last_tile / plan.col_tiles - first_tile / plan.col_tiles + 1;
    const int64_t all_slices = plan.tiles / plan.col_tiles;
    const int64_t ib = job.in_bytes * slices / std::max<int64_t>(all_slices, 1);
    Dma::Handle in = ib > 0 ? dma_.start(job.in_addr, ib, false) : nullptr;
    r.load_bytes += ib;
    sc_core::wait(cycles_time(period_, share(plan.compute_cycles, rounds, round)));
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    if (in) dma_.wait_done(in);
    r.stall += sc_core::sc_time_stamp() - t0;
    const int64_t ob = share(job.out_bytes, rounds, round);
    if (ob > 0) {
      stores.push_back(dma_.start(job.out_addr + out_off, ob, true));
      out_off += static_cast<uint64_t>(ob);
      r.store_bytes += ob;
    }
  }
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  for (auto& s : stores) dma_.wait_done(s);
  r.stall += sc_core::sc_time_stamp() - t0;
  r.end = sc_core::sc_time_stamp();
  return r;
}

}  // namespace h4h
