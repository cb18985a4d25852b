#include "models/npu/npu_tile.h"

#include <algorithm>
#include <vector>

#include "models/clock.h"
#include "models/npu/sram_ports.h"

namespace h4h {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Splits `total` into `parts` near-equal integers (the first ones one larger).
int64_t share(int64_t total, int64_t parts, int64_t i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

// share() in whole `align`-byte blocks, the leftover bytes in the last part: tiles that
// start on burst boundaries, as DMA descriptors do (align 1: share()).
int64_t share_aligned(int64_t total, int64_t parts, int64_t i, int64_t align) {
  if (align <= 1) return share(total, parts, i);
  return share(total / align, parts, i) * align + (i == parts - 1 ? total % align : 0);
}

}  // namespace

NpuTile::NpuTile(sc_core::sc_module_name name, const NpuTileParams& p, Dma& array_dma,
                 Dma& vector_dma)
    : sc_module(name), p_(p), array_dma_(array_dma), vector_dma_(vector_dma),
      period_(1e6 / p.clock_mhz, sc_core::SC_PS) {}

sc_core::sc_time NpuTile::pipeline(Dma& dma, int64_t tiles, const std::vector<MemStream>& loads,
                                   int64_t compute_cycles, const std::vector<MemStream>& stores,
                                   int64_t align, int64_t epilogue_cycles) {
  sc_core::sc_time stall = sc_core::SC_ZERO_TIME;
  std::vector<Dma::Handle> pending_stores;
  std::vector<uint64_t> load_off(loads.size(), 0), store_off(stores.size(), 0);
  // Tile i's share of every load stream, in stream order, into `hs` (reused: a job has
  // thousands of tiles).
  auto load = [&](int64_t i, std::vector<Dma::Handle>& hs) {
    hs.clear();
    for (size_t s = 0; s < loads.size(); ++s) {
      const int64_t b = share_aligned(loads[s].bytes, tiles, i, align);
      if (b == 0) continue;
      wait_for_producer(loads[s], static_cast<int64_t>(load_off[s]), b);
      hs.push_back(dma.start(loads[s].addr + load_off[s], b, false));
      load_off[s] += static_cast<uint64_t>(b);
    }
  };
  // Whether every gated stream's share of tile i is already stored by its producer.
  auto available = [&](int64_t i) {
    for (size_t s = 0; s < loads.size(); ++s) {
      if (!loads[s].gate) continue;
      const int64_t b = share_aligned(loads[s].bytes, tiles, i, align);
      const int64_t need = std::min(static_cast<int64_t>(load_off[s]) + b, loads[s].gate_bytes);
      if (loads[s].gate->bytes() < need) return false;
    }
    return true;
  };
  auto store = [&](int64_t i) {
    // Finished stores need no waiting: drop them, so the list stays short.
    pending_stores.erase(std::remove_if(pending_stores.begin(), pending_stores.end(),
                                        [](const Dma::Handle& h) { return h->pending_chunks == 0; }),
                         pending_stores.end());
    for (size_t s = 0; s < stores.size(); ++s) {
      const int64_t sb = share_aligned(stores[s].bytes, tiles, i, align);
      if (sb == 0) continue;
      pending_stores.push_back(dma.start(stores[s].addr + store_off[s], sb, true));
      store_off[s] += static_cast<uint64_t>(sb);
      if (stores[s].produced) stores[s].produced->advance(sb);
    }
  };
  const bool epilogue = epilogue_cycles > 0;
  std::vector<Dma::Handle> next, current;
  load(0, next);
  for (int64_t i = 0; i < tiles; ++i) {
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    for (auto& h : next) dma.wait_done(h);
    stall += sc_core::sc_time_stamp() - t0;
    std::swap(current, next);
    next.clear();
    // Prefetch tile i+1 during tile i, unless its producer (another unit, pipelined) has not
    // stored it yet: then it is fetched after tile i computes.
    const bool prefetch = i + 1 < tiles && available(i + 1);
    if (prefetch) load(i + 1, next);
    // The array computes tile i while the vector unit finishes tile i-1's epilogue.
    const int64_t array = share(compute_cycles, tiles, i);
    const int64_t vector = epilogue && i > 0 ? share(epilogue_cycles, tiles, i - 1) : 0;
    sc_core::wait(cycles_time(period_, std::max(array, vector)));
    if (!epilogue) store(i);
    else if (i > 0) store(i - 1);
    if (i + 1 < tiles && !prefetch) load(i + 1, next);
  }
  if (epilogue) {  // the last tile's epilogue, then its store
    sc_core::wait(cycles_time(period_, share(epilogue_cycles, tiles, tiles - 1)));
    store(tiles - 1);
  }
  const sc_core::sc_time t0 = sc_core::sc_time_stamp();
  for (auto& h : pending_stores) dma.wait_done(h);
  stall += sc_core::sc_time_stamp() - t0;  // draining the last outputs
  return stall;
}

int64_t tile_count(int64_t sram_tiles, const std::vector<MemStream>& loads,
                   const std::vector<MemStream>& stores, int64_t min_tile_bytes) {
  if (min_tile_bytes <= 0) return sram_tiles;
  int64_t fine = 1;
  for (const auto* list : {&loads, &stores})
    for (const MemStream& s : *list) fine = std::max(fine, s.bytes / min_tile_bytes);
  return std::max(sram_tiles, fine);
}

GemmTraffic gemm_traffic(const NpuTileParams& p, int64_t ifmap_bytes, int64_t filter_bytes) {
  GemmTraffic t;
  t.ifmap_bytes = ifmap_bytes;
  t.filter_bytes = filter_bytes;
  const int64_t half_ifmap = std::max<int64_t>(p.ifmap_sram_bytes() / 2, 1);
  const int64_t half_filter = std::max<int64_t>(p.filter_sram_bytes() / 2, 1);
  if (filter_bytes > half_filter && ifmap_bytes > half_ifmap)
    t.ifmap_passes = ceil_div(filter_bytes, half_filter);
  return t;
}

UnitResult NpuTile::run_gemm(const GemmJob& job) {
  UnitResult r;
  r.start = sc_core::sc_time_stamp();
  const FoldPlan& plan = job.plan;
  r.compute_cycles = gemm_array_cycles(p_, plan, job.groups, job.bits);
  r.peak_macs_per_cycle = static_cast<double>(p_.array.rows * p_.array.cols);
  r.mapping_efficiency = plan.mapping_efficiency;
  r.array_compute_utilization = plan.compute_utilization;
  int64_t load = 0;
  for (const MemStream& s : job.loads) load += s.bytes;
  const int64_t half_ifmap = std::max<int64_t>(p_.ifmap_sram_bytes() / 2, 1);
  const int64_t half_filter = std::max<int64_t>(p_.filter_sram_bytes() / 2, 1);
  const int64_t tile_bytes = half_ifmap + half_filter;
  const int64_t tiles = tile_count(
      std::max<int64_t>({1, ceil_div(load, tile_bytes),
                         ceil_div(job.ofmap_bytes, std::max<int64_t>(p_.ofmap_sram_bytes() / 2, 1))}),
      job.loads, job.stores, job.min_tile_bytes);
  r.stall = pipeline(array_dma_, tiles, job.loads, r.compute_cycles, job.stores,
                     job.min_tile_bytes > 0 ? kTileAlignBytes : 1, job.epilogue_cycles);
  r.vector_lane_ops = job.epilogue_lane_ops;
  r.epilogue_cycles = job.epilogue_cycles;
  for (const MemStream& s : job.loads) r.loaded.push_back(s.bytes);
  for (const MemStream& s : job.stores) r.stored.push_back(s.bytes);
  r.load_bytes = load;
  for (const MemStream& s : job.stores) r.store_bytes += s.bytes;
  // SRAM traffic: every element fed into the array edge is one SRAM read (sram_ports.h);
  // loads and results are SRAM writes.
  const SramTraffic st = gemm_sram_traffic(p_.array, plan, job.groups, job.bits);
  r.sram_read_bytes = st.ifmap_bytes + st.filter_bytes;
  r.sram_write_bytes = load + r.store_bytes;
  r.end = sc_core::sc_time_stamp();
  return r;
}

UnitResult NpuTile::run_vector(const VectorJob& job) {
  UnitResult r;
  r.start = sc_core::sc_time_stamp();
  r.compute_cycles = vector_cycles(p_.vector, job.mix, job.elements) + vector_cycles(p_.vector, job.row_mix, job.rows);
  int64_t in_bytes = 0, out_bytes = 0;
  for (const MemStream& s : job.loads) in_bytes += s.bytes;
  for (const MemStream& s : job.stores) out_bytes += s.bytes;
  const int64_t buffer = std::max<int64_t>(p_.ofmap_sram_bytes() / 2, 1);
  const int64_t tiles = tile_count(
      std::max<int64_t>({1, ceil_div(in_bytes, buffer), ceil_div(out_bytes, buffer)}),
      job.loads, job.stores, job.min_tile_bytes);
  r.stall = pipeline(vector_dma_, tiles, job.loads, r.compute_cycles, job.stores,
                     job.min_tile_bytes > 0 ? kTileAlignBytes : 1);
  for (const MemStream& s : job.loads) r.loaded.push_back(s.bytes);
  for (const MemStream& s : job.stores) r.stored.push_back(s.bytes);
  r.load_bytes = in_bytes;
  r.store_bytes = out_bytes;
  r.vector_lane_ops = job.elements * job.mix.lane_ops() + job.rows * job.row_mix.lane_ops();
  r.sram_read_bytes = in_bytes;
  r.sram_write_bytes = in_bytes + out_bytes;
  r.end = sc_core::sc_time_stamp();
  return r;
}

}  // namespace h4h
