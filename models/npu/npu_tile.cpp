#include "models/npu/npu_tile.h"

#include <algorithm>
#include <vector>

#include "models/clock.h"

namespace h4h {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Splits `total` into `parts` near-equal integers (the first ones one larger).
int64_t share(int64_t total, int64_t parts, int64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

}  // namespace

NpuTile::NpuTile(sc_core::sc_module_name name, const NpuTileParams& p, Dma& array_dma,
                 Dma& vector_dma)
    : sc_module(name), p_(p), array_dma_(array_dma), vector_dma_(vector_dma),
      period_(1e6 / p.clock_mhz, sc_core::SC_PS) {}

sc_core::sc_time NpuTile::pipeline(Dma& dma, int64_t tiles, int64_t load_bytes,
                                   uint64_t load_addr, int64_t compute_cycles,
                                   int64_t store_bytes, uint64_t store_addr) {
  sc_core::sc_time stall = sc_core::SC_ZERO_TIME;
  std::vector<Dma::Handle> stores;
  uint64_t load_off = 0, store_off = 0;
  auto load = [&](int64_t i) -> Dma::Handle {
    const int64_t b = share(load_bytes, tiles, i);
    if (b == 0) return nullptr;
    auto h = dma.start(load_addr + load_off, b, false);
    load_off += static_cast<uint64_t>(b);
    return h;
  };
  Dma::Handle next = load(0);
  for (int64_t i = 0; i < tiles; ++i) {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    if (next) dma.wait_done(next);
    stall += sc_core::sc_time_stamp() - t0;
    next = i + 1 < tiles ? load(i + 1) : nullptr;
    sc_core::wait(cycles_time(period_, share(compute_cycles, tiles, i)));
    const int64_t sb = share(store_bytes, tiles, i);
    if (sb > 0) {
      stores.push_back(dma.start(store_addr + store_off, sb, true));
      store_off += static_cast<uint64_t>(sb);
    }
  }
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  for (auto& s : stores) dma.wait_done(s);
  stall += sc_core::sc_time_stamp() - t0;  // draining the last outputs
  return stall;
}

UnitResult NpuTile::run_gemm(const GemmJob& job) {
  UnitResult r;
  r.start = sc_core::sc_time_stamp();
  const FoldPlan& plan = job.plan;
  r.compute_cycles = job.groups * plan.compute_cycles;
  // Operand traffic from memory (see the header).
  const int64_t half_ifmap = std::max<int64_t>(p_.ifmap_sram_bytes() / 2, 1);
  const int64_t half_filter = std::max<int64_t>(p_.filter_sram_bytes() / 2, 1);
  int64_t load = job.ifmap_bytes + job.filter_bytes;
  if (job.filter_bytes > half_filter && job.ifmap_bytes > half_ifmap)
    load = job.filter_bytes + job.ifmap_bytes * ceil_div(job.filter_bytes, half_filter);
  const int64_t tile_bytes = half_ifmap + half_filter;
  const int64_t tiles = std::max<int64_t>({1, ceil_div(load, tile_bytes),
                                           ceil_div(job.ofmap_bytes, std::max<int64_t>(p_.ofmap_sram_bytes() / 2, 1))});
  r.stall = pipeline(array_dma_, tiles, load, job.ifmap_addr, r.compute_cycles, job.ofmap_bytes,
                     job.ofmap_addr);
  r.load_bytes = load;
  r.store_bytes = job.ofmap_bytes;
  // SRAM traffic: every element fed into the array edge is one SRAM read; loads and
  // results are SRAM writes. OS streams T ifmap rows and T filter columns per fold; WS/IS
  // preload R·C stationary values, then stream T·R.
  const int64_t R = p_.array.rows, C = p_.array.cols;
  const int64_t per_fold = p_.array.dataflow == SystolicDataflow::os ? plan.temporal * (R + C)
                                                                      : R * C + plan.temporal * R;
  r.sram_read_bytes = job.groups * plan.folds * per_fold * job.elem_bytes;
  r.sram_write_bytes = load + job.ofmap_bytes;
  r.end = sc_core::sc_time_stamp();
  return r;
}

UnitResult NpuTile::run_vector(const VectorJob& job) {
  UnitResult r;
  r.start = sc_core::sc_time_stamp();
  r.compute_cycles = vector_cycles(p_.vector, job.mix, job.elements);
  const int64_t buffer = std::max<int64_t>(p_.ofmap_sram_bytes() / 2, 1);
  const int64_t tiles = std::max<int64_t>({1, ceil_div(job.in_bytes, buffer), ceil_div(job.out_bytes, buffer)});
  r.stall = pipeline(vector_dma_, tiles, job.in_bytes, job.in_addr, r.compute_cycles,
                     job.out_bytes, job.out_addr);
  r.load_bytes = job.in_bytes;
  r.store_bytes = job.out_bytes;
  r.vector_lane_ops = job.elements * job.mix.lane_ops();
  r.sram_read_bytes = job.in_bytes;
  r.sram_write_bytes = job.in_bytes + job.out_bytes;
  r.end = sc_core::sc_time_stamp();
  return r;
}

}  // namespace h4h
