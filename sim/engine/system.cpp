#include "sim/engine/system.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <systemc>

#include "frontend/user_error.h"
#include "models/bus/bus.h"
#include "models/clock.h"
#include "models/cim/cim_cluster.h"
#include "models/dma/dma.h"
#include "models/dram/dram.h"
#include "models/npu/npu_tile.h"
#include "models/npu/pe_precision.h"
#include "models/sram/global_buffer.h"
#include "sim/engine/dram_layout.h"
#include "sim/engine/fusion.h"
#include "sim/engine/ready_set.h"
#include "sim/memory/tensor_plan.h"

namespace h4h {
namespace {

enum Lane { kArray = 0, kVector, kCim, kCopy, kView, kLanes };
const char* kInitiators[] = {"npu_dma", "vector_dma", "cim_dma", "copy_dma"};
const char* kLaneNames[] = {"NPU array", "vector unit", "CIM", "copy DMA", "views"};

Lane lane_of(Unit u) {
  switch (u) {
    case Unit::npu: return kArray;
    case Unit::vector: return kVector;
    case Unit::cim: return kCim;
    case Unit::dma: return kCopy;
    case Unit::none: return kView;
  }
  return kView;
}

// DMA chunks are one DRAM row per channel: a chunk opens each row once.
DmaParams dma_params(const ArchConfig& c) {
  DmaParams p;
  p.chunk_bytes = c.dram.row_bytes * c.dram.channels;
  p.outstanding = 2;
  return p;
}

double ns(const sc_core::sc_time& t) { return t.to_seconds() * 1e9; }

constexpr int64_t kMinTileStreamBytes = 4096;

// The global buffer runs on the NPU clock.
GlobalBufferParams global_buffer_params(const ArchConfig& c) {
  GlobalBufferParams p = c.memory.global_buffer;
  p.clock_mhz = c.npu.clock_mhz;
  return p;
}

// What a stream of a job carries: parts of tensors (tensor index) or weights (-1). A stream
// has one part, except in the every-tensor-through-DRAM ablation, where a unit reads its
// operands as one packed stream, as the model did before the on-chip hierarchy.
struct Part {
  int tensor;
  int64_t bytes;
};
using StreamParts = std::vector<Part>;



// Rows a normalization normalizes: its output over the last axis (LayerNorm's default,
// and what torchvision's exports use); 0 when the frontend could not infer the shape.
int64_t normalized_rows(const Kernel& k) {
  if (k.output_shape.empty() || k.output_shape.back() <= 0) return 0;
  return k.output_elems / k.output_shape.back();
}

// Energies the engine knows per inference only, attributed to its kernels so that their
// records sum exactly to the inference's total: DRAM row activations by each kernel's share
// of the DRAM bytes (into energy_pj: it is dynamic), static power by each kernel's time on
// its unit (into energy.leakage). Fused epilogues ran inside their GEMM's span: none.
void attribute_to_kernels(RunStats& st, double activate_pj) {
  // Two passes over the records (not one per inference): the per-inference totals, then
  // each kernel's shares.
  std::vector<double> dram_bytes(st.inferences.size(), 0.0), span_ns(st.inferences.size(), 0.0);
  for (const KernelRecord& k : st.records) {
    if (k.fused_into >= 0) continue;
    dram_bytes[k.inference] += static_cast<double>(k.traffic.dram());
    span_ns[k.inference] += k.end_ns - k.start_ns;
  }
  for (KernelRecord& k : st.records) {
    if (k.fused_into >= 0) continue;
    const InferenceStats& inf = st.inferences[k.inference];
    const double bytes = dram_bytes[k.inference], span = span_ns[k.inference];
    const double time_share = span > 0 ? (k.end_ns - k.start_ns) / span : 0.0;
    // With no DRAM bytes at all (nothing to activate for), activations follow time.
    const double share = bytes > 0 ? static_cast<double>(k.traffic.dram()) / bytes : time_share;
    const double act = static_cast<double>(inf.dram_activates) * activate_pj * share;
    k.energy.dram += act;
    k.energy_pj += act;
    k.energy.leakage = inf.energy.leakage * time_share;
  }
}

}  // namespace

struct System::Impl : sc_core::sc_module {
  ArchConfig cfg;
  Dram dram;
  Bus bus;
  GlobalBuffer gb;
  Dma array_dma, vector_dma, cim_dma, copy_dma;
  NpuTile npu;
  CimCluster cim;

  // The run in progress.
  const Workload* w = nullptr;
  const Mapping* m = nullptr;
  RunOptions opts;
  sc_core::sc_time origin;
  std::vector<std::vector<int>> lane_kernels;           // per lane, in network order
  std::vector<int> next_on_lane;                        // per kernel: the next on its lane, or -1
  ReadySet ready;
  std::vector<std::vector<std::unique_ptr<sc_core::sc_event>>> done_ev;
  std::vector<std::unique_ptr<sc_core::sc_event>> inference_done_ev;
  std::vector<sc_core::sc_time> inference_end;
  std::vector<DramStats> dram_at_end;
  std::vector<BusStats> bus_at_end;
  DramLayout layout;
  TensorPlan plan;                                      // where each tensor lives
  FusionPlan fusion;                                    // epilogues run with their GEMM
  // Row-band pipelining across units: per tensor, its producer's progress when a consumer on
  // another unit may start early (null otherwise); per kernel, the producers it overlaps.
  std::vector<std::unique_ptr<StreamProgress>> progress;
  std::vector<std::vector<int>> overlap;
  std::vector<std::vector<std::unique_ptr<sc_core::sc_event>>> started_ev;  // [r][kernel]
  bool packed = false;                                  // the ablation: one packed stream per operand set
  std::vector<char> reads_network_input, holds_network_output;  // per tensor, from its storage
  std::vector<KernelRecord> records;
  std::vector<int> waiting_on;                          // per lane: kernel it waits for, -1
  std::vector<char> run_pending;                        // per lane: a run is waiting to start
  sc_core::sc_event start_ev;
  std::vector<sc_core::sc_process_handle> lanes;
  bool abandoned = false;
  sc_core::sc_event abandoned_ev;  // never notified
  double npu_sram_energy_scale = 1, global_buffer_energy_scale = 1, cim_buffer_energy_scale = 1;

  explicit Impl(sc_core::sc_module_name name, const ArchConfig& c)
      : sc_module(name), cfg(c), dram("dram", c.dram, c.dram.controller), bus("bus", c.bus),
        gb("global_buffer", global_buffer_params(c)), array_dma("npu_dma", dma_params(c)), vector_dma("vector_dma", dma_params(c)),
        cim_dma("cim_dma", dma_params(c)), copy_dma("copy_dma", dma_params(c)),
        npu("npu", c.npu, array_dma, vector_dma), cim("cim", c.cim.clock_mhz, cim_dma) {
    // Bus initiator ids follow binding order (kInitiators).
    array_dma.socket.bind(bus.targ);
    vector_dma.socket.bind(bus.targ);
    cim_dma.socket.bind(bus.targ);
    copy_dma.socket.bind(bus.targ);
    bus.init.bind(dram.socket);
    for (Dma* d : {&array_dma, &vector_dma, &cim_dma, &copy_dma}) d->onchip_socket.bind(gb.socket);
    waiting_on.assign(kLanes, -1);
    run_pending.assign(kLanes, 0);
    const SramEnergyScales es = sram_energy_scales(c);
    npu_sram_energy_scale = es.npu_sram;
    global_buffer_energy_scale = es.global_buffer;
    cim_buffer_energy_scale = es.cim_buffer;
    for (int lane = 0; lane < kLanes; ++lane)
      lanes.push_back(sc_core::sc_spawn(sc_bind(&Impl::lane_thread, this, lane),
                                        sc_core::sc_gen_unique_name("lane")));
  }

  // A run the watchdog ends leaves threads parked mid-kernel, and SystemC never destroys
  // what their stacks own (DMA transfer handles, chunks in flight): a leak on every such error
  // (LeakSanitizer). Resetting them from a running process unwinds their stacks (see
  // Dma::abandon_transfers for why not kill()). The bus and units may be left mid-transaction,
  // so this System runs nothing afterwards.
  void abandon_run() {
    abandoned = true;
    sc_core::sc_spawn(
        [this] {
          for (auto& h : lanes)
            if (h.valid() && !h.terminated()) h.reset();
          for (Dma* d : {&array_dma, &vector_dma, &cim_dma, &copy_dma}) d->abandon_transfers();
          // Parked, never ended: a thread that ends leaves through the unannounced switch.
          for (;;) sc_core::wait(abandoned_ev);
        },
        sc_core::sc_gen_unique_name("abandon"));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }

  // Parks the lane until the ready set lets (r, i) start.
  void wait_ready(int r, int i, int lane) {
    for (Blocker b = ready.blocker(r, i); b.kind != Blocker::Kind::none; b = ready.blocker(r, i)) {
      if (b.kind == Blocker::Kind::inference) {
        sc_core::wait(*inference_done_ev[b.inference]);
      } else if (b.kind == Blocker::Kind::kernel_start) {
        waiting_on[lane] = b.kernel;
        sc_core::wait(*started_ev[b.inference][b.kernel]);
        waiting_on[lane] = -1;
      } else {
        waiting_on[lane] = b.kernel;
        sc_core::wait(*done_ev[b.inference][b.kernel]);
        waiting_on[lane] = -1;
      }
    }
  }

  uint64_t tensor_addr(int t) const {
    const TensorPlacement& p = plan.tensors[t];
    return p.home == TensorHome::global_buffer ? kGlobalBufferBase + static_cast<uint64_t>(p.offset_bytes)
                                               : layout.tensor_addr[p.storage];
  }
  int64_t tensor_bytes(int t) const { return w->tensor_bytes(t); }

  // `bytes` of tensor `t` (or weights, t < 0) moved: where they count.
  void count(int t, int64_t bytes, bool write, TrafficBreakdown& tr) const {
    if (bytes == 0) return;
    if (t < 0) tr.weights += bytes;
    else if (!packed && plan.on_chip(t)) (write ? tr.onchip_write : tr.onchip_read) += bytes;
    else if (!write && reads_network_input[t]) tr.activations_in += bytes;
    else if (write && holds_network_output[t]) tr.activations_out += bytes;
    else tr.spills += bytes;
  }
  // A stream moved `moved` bytes: its parts as planned, or in proportion when the unit
  // moved more (re-reads) or less (weights already resident).
  void attribute(const StreamParts& parts, int64_t moved, bool write, TrafficBreakdown& tr) const {
    int64_t planned = 0;
    for (const Part& p : parts) planned += p.bytes;
    int64_t left = moved;
    for (size_t i = 0; i < parts.size(); ++i) {
      const int64_t b = i + 1 == parts.size() ? left
                        : planned == moved    ? parts[i].bytes
                                              : static_cast<int64_t>(static_cast<long double>(moved) *
                                                                     parts[i].bytes / std::max<int64_t>(planned, 1));
      count(parts[i].tensor, b, write, tr);
      left -= b;
    }
  }
  void attribute_all(const std::vector<StreamParts>& loads, const std::vector<StreamParts>& stores,
                     const UnitResult& res, TrafficBreakdown& tr) const {
    for (size_t s = 0; s < loads.size() && s < res.loaded.size(); ++s) attribute(loads[s], res.loaded[s], false, tr);
    for (size_t s = 0; s < stores.size() && s < res.stored.size(); ++s) attribute(stores[s], res.stored[s], true, tr);
  }

  // Where a unit takes a kernel's weights: in its operand streams, first or last, or apart
  // (the CIM programs them into the macros).
  enum class Weights { first, last, apart };

  // The kernel's operands as streams: one per input tensor (read `passes` times) and one
  // for its weights (unless apart), one per output tensor. Packed (the ablation): all inputs
  // and weights in one stream from the first producer's outputs, all outputs in one stream,
  // as before the on-chip hierarchy.
  void operand_streams(int i, int64_t passes, Weights weights, std::vector<MemStream>& loads,
                       std::vector<StreamParts>& load_parts, std::vector<MemStream>& stores,
                       std::vector<StreamParts>& store_parts) const {
    const Kernel& k = w->kernels[i];
    const int64_t wb = w->weight_bytes(k);
    if (packed) {
      StreamParts in;
      if (weights == Weights::first) in.push_back({-1, wb});
      for (int t : k.inputs) in.push_back({t, tensor_bytes(t) * passes});
      if (weights == Weights::last) in.push_back({-1, wb});
      int64_t total = 0;
      for (const Part& p : in) total += p.bytes;
      loads.push_back({layout.input_addr_of(*w, i), total});
      load_parts.push_back(std::move(in));
      StreamParts out;
      for (int t : k.outputs) out.push_back({t, tensor_bytes(t)});
      stores.push_back({layout.output_addr[i], w->output_bytes(k)});
      store_parts.push_back(std::move(out));
      return;
    }
    if (weights == Weights::first && wb > 0) {
      loads.push_back({layout.weight_addr[i], wb});
      load_parts.push_back({{-1, wb}});
    }
    for (int t : k.inputs) {
      MemStream in{tensor_addr(t), tensor_bytes(t) * passes};
      if (overlaps(i, t)) {
        in.gate = progress[t].get();
        in.gate_bytes = tensor_bytes(t);
      }
      loads.push_back(in);
      load_parts.push_back({{t, tensor_bytes(t) * passes}});
    }
    if (weights == Weights::last && wb > 0) {
      loads.push_back({layout.weight_addr[i], wb});
      load_parts.push_back({{-1, wb}});
    }
    for (int t : k.outputs) {
      stores.push_back({tensor_addr(t), tensor_bytes(t), progress[t].get()});
      store_parts.push_back({{t, tensor_bytes(t)}});
    }
  }

  // Whether kernel i reads tensor t while its producer (on another unit) still writes it.
  bool overlaps(int i, int t) const {
    const int p = w->tensors[t].producer;
    return p >= 0 && progress[t] &&
           std::find(overlap[i].begin(), overlap[i].end(), p) != overlap[i].end();
  }

  // The finest tiling the DMA streams well: the largest stream moves about one 4 KiB page
  // per tile. The ablation keeps SRAM-sized tiles (0), as the model had them.
  int64_t min_tile_bytes() const { return packed ? 0 : kMinTileStreamBytes; }

  // The fused kernels after GEMM `i`: their other inputs and weights stream in beside the
  // GEMM's operands, their lane-ops run on the vector unit tile by tile, and only the last
  // one's outputs are stored.
  // The kernels fused into GEMM i (NPU or CIM): the operands they read besides the tile the
  // GEMM (or the previous epilogue) made go to `loads`, their cycles and lane-ops add up, and
  // the group stores the last one's outputs instead of the GEMM's.
  void add_epilogue(int i, std::vector<MemStream>& loads, std::vector<StreamParts>& load_parts,
                    std::vector<MemStream>& stores, std::vector<StreamParts>& store_parts,
                    int64_t& cycles, int64_t& lane_ops) const {
    for (int k : fusion.members[i]) {
      const Kernel& e = w->kernels[k];
      for (int t : e.inputs) {
        if (fusion.fused_tensor[t]) continue;  // the tile the GEMM (or the last epilogue) made
        loads.push_back({tensor_addr(t), tensor_bytes(t)});
        load_parts.push_back({{t, tensor_bytes(t)}});
      }
      if (w->weight_bytes(e) > 0) {
        loads.push_back({layout.weight_addr[k], w->weight_bytes(e)});
        load_parts.push_back({{-1, w->weight_bytes(e)}});
      }
      const VectorOpMix mix = vector_op_mix(e.op), row_mix = vector_row_mix(e.op);
      const int64_t elements = e.vector_ops > 0 ? e.vector_ops : e.output_elems, rows = normalized_rows(e);
      cycles += vector_cycles(cfg.npu.vector, mix, elements) + vector_cycles(cfg.npu.vector, row_mix, rows);
      lane_ops += elements * mix.lane_ops() + rows * row_mix.lane_ops();
    }
    const Kernel& last = w->kernels[fusion.members[i].back()];
    stores.clear();
    store_parts.clear();
    for (int t : last.outputs) {
      stores.push_back({tensor_addr(t), tensor_bytes(t), progress[t].get()});
      store_parts.push_back({{t, tensor_bytes(t)}});
    }
  }

  // The first round's weights of the CIM layer the cluster runs after (r, i) in the same
  // inference (the lane runs in network order), if it programs them; none otherwise. Not
  // across inferences, so each inference's DRAM bytes are its own.
  MemStream next_cim_weights(int r, int i) const {
    const int j = next_on_lane[i];
    if (j < 0) return {};
    const KernelMapping& km = m->kernels[j];
    if (km.cim_resident && r > 0) return {};  // warm: already in its macros
    // Round 0's share, as the cluster splits a layer's weights over its rounds.
    const int64_t bytes = w->weight_bytes(w->kernels[j]);
    const int64_t rounds = std::max<int64_t>(km.cim.rounds, 1);
    return {layout.weight_addr[j], bytes / rounds + (bytes % rounds > 0 ? 1 : 0)};
  }

  UnitResult execute(int r, int i, TrafficBreakdown& traffic) {
    const Kernel& k = w->kernels[i];
    const KernelMapping& km = m->kernels[i];
    std::vector<MemStream> loads, stores;
    std::vector<StreamParts> load_parts, store_parts;
    UnitResult res;
    switch (km.unit) {
      case Unit::npu: {
        GemmJob j;
        j.plan = km.npu;
        j.groups = km.npu_groups;
        j.bits = {w->activation_bits_of(k), w->weight_bits_of(k)};
        j.ifmap_bytes = w->input_bytes(k);
        j.filter_bytes = w->weight_bytes(k);
        j.ofmap_bytes = w->output_bytes(k);
        const GemmTraffic gt = gemm_traffic(cfg.npu, j.ifmap_bytes, j.filter_bytes);
        operand_streams(i, gt.ifmap_passes, Weights::first, j.loads, load_parts, j.stores, store_parts);
        j.min_tile_bytes = min_tile_bytes();
        if (!fusion.members[i].empty()) {
          add_epilogue(i, j.loads, load_parts, j.stores, store_parts, j.epilogue_cycles,
                       j.epilogue_lane_ops);
          j.ofmap_bytes = w->output_bytes(w->kernels[fusion.members[i].back()]);
        }
        res = npu.run_gemm(j);
        break;
      }
      case Unit::vector: {
        VectorJob j;
        const bool gemm = k.cls == KernelClass::matmul || k.cls == KernelClass::linear ||
                          k.cls == KernelClass::conv;
        j.mix = gemm ? VectorOpMix{1, 1, 0, 0, 0, 0} : vector_op_mix(k.op);
        j.elements = gemm ? k.macs : (k.vector_ops > 0 ? k.vector_ops : k.output_elems);
        if (!gemm) {
          j.row_mix = vector_row_mix(k.op);
          j.rows = normalized_rows(k);
        }
        operand_streams(i, 1, Weights::last, j.loads, load_parts, j.stores, store_parts);
        j.min_tile_bytes = min_tile_bytes();
        res = npu.run_vector(j);
        break;
      }
      case Unit::cim: {
        CimJob j;
        j.weights = {layout.weight_addr[i], w->weight_bytes(k)};
        // The CIM programs its weights apart from its input stream, packed or not.
        load_parts.push_back({{-1, w->weight_bytes(k)}});
        operand_streams(i, 1, Weights::apart, j.inputs, load_parts, j.outputs, store_parts);
        j.resident = km.cim_resident;
        j.warm = km.cim_resident && r > 0;
        j.plan = j.warm ? km.cim_warm : km.cim;
        j.macro_count = km.cim_macro_count;
        // The ablation models the cluster as it was before the on-chip hierarchy: no buffers.
        if (!packed) {
          const int64_t port = cfg.cim.buffer_bank_width_bytes;
          j.buffers = {true,
                       cfg.cim.input_buffer_kib * 1024,
                       cfg.cim.input_buffer_banks * port,
                       cfg.cim.output_buffer_kib * 1024,
                       cfg.cim.output_buffer_banks * port,
                       cfg.cim.weight_buffer_kib * 1024};
          j.next_weights = next_cim_weights(r, i);
        }
        if (!fusion.members[i].empty()) {
          add_epilogue(i, j.epilogue_loads, load_parts, j.outputs, store_parts, j.epilogue_cycles,
                       j.epilogue_lane_ops);
          j.epilogue_period = npu.period();
        }
        res = cim.run(j);
        break;
      }
      case Unit::dma: {
        res.start = sc_core::sc_time_stamp();
        if (packed) {
          auto rd = copy_dma.start(layout.input_addr_of(*w, i), std::max<int64_t>(w->input_bytes(k), 1), false);
          auto wr = copy_dma.start(layout.output_addr[i], std::max<int64_t>(w->output_bytes(k), 1), true);
          copy_dma.wait_done(rd);
          copy_dma.wait_done(wr);
          StreamParts in, out;
          for (int t : k.inputs) in.push_back({t, tensor_bytes(t)});
          for (int t : k.outputs) out.push_back({t, tensor_bytes(t)});
          load_parts.push_back(std::move(in));
          store_parts.push_back(std::move(out));
          res.loaded = {std::max<int64_t>(w->input_bytes(k), 1)};
          res.stored = {std::max<int64_t>(w->output_bytes(k), 1)};
        } else {
          // Every input read and every output written at once, each its own transfer.
          operand_streams(i, 1, Weights::last, loads, load_parts, stores, store_parts);
          std::vector<Dma::Handle> hs;
          for (const MemStream& s : loads) hs.push_back(copy_dma.start(s.addr, s.bytes, false));
          for (const MemStream& s : stores) hs.push_back(copy_dma.start(s.addr, s.bytes, true));
          for (auto& h : hs) copy_dma.wait_done(h);
          for (const MemStream& s : loads) res.loaded.push_back(s.bytes);
          for (const MemStream& s : stores) res.stored.push_back(s.bytes);
        }
        res.load_bytes = w->input_bytes(k);
        res.store_bytes = w->output_bytes(k);
        res.end = sc_core::sc_time_stamp();
        break;
      }
      case Unit::none:
        res.start = res.end = sc_core::sc_time_stamp();
        return res;
    }
    attribute_all(load_parts, store_parts, res, traffic);
    traffic.weights += res.prefetched_weight_bytes;  // the next kernel's, moved during this one
    res.onchip_load_bytes = traffic.onchip_read;
    res.onchip_store_bytes = traffic.onchip_write;
    return res;
  }

  // The kernel's dynamic energy by component (also added to the inference's `e`).
  EnergyBreakdown dynamic_energy(const Kernel& k, Unit u, const UnitResult& r, EnergyBreakdown& e) const {
    const EnergyParams& p = cfg.energy;
    EnergyBreakdown d;
    // Operands at the workload's storage precision; the table's MAC energies are int8's.
    if (u == Unit::npu)
      d.npu_compute = static_cast<double>(k.macs) * p.npu_mac_pj *
                      int_mac_energy_scale(w->activation_bits_of(k), w->weight_bits_of(k));
    d.npu_sram = (r.sram_read_bytes * p.sram_read_pj_per_byte + r.sram_write_bytes * p.sram_write_pj_per_byte) *
                 npu_sram_energy_scale;
    d.vector = r.vector_lane_ops * p.vector_op_pj;
    d.cim_compute = r.cim_macs * p.cim_mac_pj *
                        cim_mac_energy_scale(w->activation_bits_of(k), w->weight_bits_of(k)) +
                    r.adc_conversions * p.adc_conversion_pj;
    d.cim_weight_write = r.weight_write_bits * p.cim_weight_write_pj_per_bit;
    // The bus and DRAM carry what did not stay on chip (and the next kernel's prefetched
    // weights); the global buffer the rest.
    const int64_t dram_read = r.load_bytes - r.onchip_load_bytes + r.prefetched_weight_bytes;
    const int64_t dram_write = r.store_bytes - r.onchip_store_bytes;
    d.bus = (dram_read + dram_write) * p.bus_pj_per_byte;
    d.dram = dram_read * p.dram_read_pj_per_byte + dram_write * p.dram_write_pj_per_byte;
    d.global_buffer = (r.onchip_load_bytes * p.global_buffer_read_pj_per_byte +
                       r.onchip_store_bytes * p.global_buffer_write_pj_per_byte) *
                      global_buffer_energy_scale;
    d.cim_buffer = (r.cim_buffer_read_bytes * p.cim_buffer_read_pj_per_byte +
                    r.cim_buffer_write_bytes * p.cim_buffer_write_pj_per_byte) *
                   cim_buffer_energy_scale;
    e.npu_compute += d.npu_compute;
    e.npu_sram += d.npu_sram;
    e.vector += d.vector;
    e.cim_compute += d.cim_compute;
    e.cim_weight_write += d.cim_weight_write;
    e.bus += d.bus;
    e.dram += d.dram;
    e.global_buffer += d.global_buffer;
    e.cim_buffer += d.cim_buffer;
    return d;
  }

  Dma* lane_dma(int lane) {
    switch (lane) {
      case kArray: return &array_dma;
      case kVector: return &vector_dma;
      case kCim: return &cim_dma;
      case kCopy: return &copy_dma;
      default: return nullptr;
    }
  }

  // What the engine attributed must be what the kernel's DMA engine moved: an internal check.
  void check_traffic(int i, const DmaStats& before, const DmaStats& after,
                     const TrafficBreakdown& t) const {
    const int64_t dram = (after.bytes_read - before.bytes_read) + (after.bytes_written - before.bytes_written);
    const int64_t onchip = (after.onchip_bytes_read - before.onchip_bytes_read) +
                           (after.onchip_bytes_written - before.onchip_bytes_written);
    if (dram != t.dram() || onchip != t.onchip())
      throw std::logic_error(fmt::format("System: kernel '{}' moved {} B of DRAM and {} B on chip, "
                                         "but {} B and {} B were attributed", w->kernels[i].name,
                                         dram, onchip, t.dram(), t.onchip()));
  }

  // (r, i) and the kernels fused into it start: their pipelined outputs begin empty, and
  // consumers on other units that overlap them may start too.
  void start_kernel(int r, int i) {
    std::vector<int> group{i};
    group.insert(group.end(), fusion.members[i].begin(), fusion.members[i].end());
    for (int k : group) {
      for (int t : w->kernels[k].outputs)
        if (progress[t]) progress[t]->reset();
      ready.mark_started(r, k);
      started_ev[r][k]->notify(sc_core::SC_ZERO_TIME);
    }
  }

  void lane_thread(int lane) {
    for (;;) {
      // A flag as well as the event: the first run starts before this thread first waits.
      while (!run_pending[lane]) sc_core::wait(start_ev);
      run_pending[lane] = false;
      if (!w) continue;
      for (int r = 0; r < opts.inferences; ++r) {
        for (int i : lane_kernels[lane]) {
          wait_ready(r, i, lane);
          start_kernel(r, i);
          Dma* dma = lane_dma(lane);
          const DmaStats before = dma ? dma->stats() : DmaStats{};
          TrafficBreakdown traffic;
          UnitResult res = execute(r, i, traffic);
          if (dma) check_traffic(i, before, dma->stats(), traffic);
          KernelRecord rec;
          rec.traffic = traffic;
          rec.index = i;
          rec.inference = r;
          rec.unit = m->kernels[i].unit;
          rec.unit_instance = m->kernels[i].unit_instance;
          rec.start_ns = ns(res.start - origin);
          rec.end_ns = ns(res.end - origin);
          rec.stall_ns = ns(res.stall);
          rec.result = res;
          rec.macros = m->kernels[i].unit == Unit::cim ? m->kernels[i].macros : std::vector<int64_t>{};
          records.push_back(std::move(rec));
          bool inference_finished = ready.mark_done(r, i);
          done_ev[r][i]->notify(sc_core::SC_ZERO_TIME);
          for (int k : fusion.members[i]) {  // ran as i's epilogue, within its span
            KernelRecord fr;
            fr.index = k;
            fr.inference = r;
            fr.unit = m->kernels[k].unit;
            fr.unit_instance = m->kernels[k].unit_instance;
            fr.start_ns = records.back().start_ns;
            fr.end_ns = records.back().end_ns;
            fr.fused_into = i;
            records.push_back(std::move(fr));
            inference_finished = ready.mark_done(r, k) || inference_finished;
            done_ev[r][k]->notify(sc_core::SC_ZERO_TIME);
          }
          if (inference_finished) {
            inference_end[r] = sc_core::sc_time_stamp();
            dram_at_end[r] = dram.stats();
            bus_at_end[r] = bus.stats();
            inference_done_ev[r]->notify(sc_core::SC_ZERO_TIME);
          }
        }
      }
    }
  }
};

System::System(const ArchConfig& cfg) {
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    throw std::logic_error("System: SystemC elaborates once per process; build one System");
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  impl_ = std::make_unique<Impl>("chip", cfg);
}

System::~System() = default;

const ArchConfig& System::config() const { return impl_->cfg; }

RunStats System::run(const Workload& w, const Mapping& m, const RunOptions& opts) {
  Impl& s = *impl_;
  if (s.abandoned)
    throw std::logic_error("System: an earlier run was abandoned by the watchdog; build a new System");
  check_precision(w, s.cfg);
  const int n_inf = std::max(1, opts.inferences);
  const size_t K = w.kernels.size();
  s.w = &w;
  s.m = &m;
  s.opts = opts;
  s.opts.inferences = n_inf;
  s.origin = sc_core::sc_time_stamp();
  s.packed = !s.cfg.memory.activations_on_chip;
  s.fusion = plan_fusion(w, m, !s.packed);
  s.lane_kernels.assign(kLanes, {});
  for (size_t i = 0; i < K; ++i) {
    // One instance of each unit is elaborated (a lane per unit); a mapping that names
    // another is a mapper bug, not a user error.
    if (m.kernels[i].unit_instance != 0)
      throw std::logic_error(fmt::format("System::run: kernel '{}' is mapped to {} instance {}, "
                                         "but the chip has one", w.kernels[i].name,
                                         to_string(m.kernels[i].unit), m.kernels[i].unit_instance));
    if (!s.fusion.fused(static_cast<int>(i)))  // epilogues run in their GEMM's job
      s.lane_kernels[lane_of(m.kernels[i].unit)].push_back(static_cast<int>(i));
  }
  s.next_on_lane.assign(K, -1);
  for (const std::vector<int>& order : s.lane_kernels)
    for (size_t at = 0; at + 1 < order.size(); ++at) s.next_on_lane[order[at]] = order[at + 1];
  s.layout = layout_in_dram(w);
  TensorPlanParams tp;
  tp.kernel_step = s.fusion.head;
  tp.fused_tensor = s.fusion.fused_tensor;
  tp.global_buffer_bytes = s.cfg.memory.global_buffer.capacity_bytes();
  tp.activations_on_chip = s.cfg.memory.activations_on_chip;
  tp.network_io_on_chip = opts.network_io_on_chip;
  tp.input_reads.assign(K, 1);
  for (size_t i = 0; i < K; ++i)
    if (m.kernels[i].unit == Unit::npu)
      tp.input_reads[i] = gemm_traffic(s.cfg.npu, w.input_bytes(w.kernels[i]),
                                       w.weight_bytes(w.kernels[i])).ifmap_passes;
  // Row-band pipelining (below) lets a GEMM start while a producer on the other GEMM unit
  // runs: the pairs, per consumer the producers' group heads, decided here so that the
  // arena gives the consumer's outputs bytes no earlier kernel still holds from the first
  // producer's start (otherwise a reuse edge would make it wait for that producer's end,
  // and keeping a tensor on chip would cost the overlap that spilling it keeps).
  auto gemm_unit = [&](int k) {
    return m.kernels[k].unit == Unit::npu || m.kernels[k].unit == Unit::cim;
  };
  std::vector<std::vector<std::pair<int, int>>> pipelined(K);  // per consumer: (tensor, producer)
  tp.kernel_start_step = s.fusion.head;
  if (m.spec.concurrent() && !s.packed)
    for (size_t c = 0; c < K; ++c) {
      if (s.fusion.fused(static_cast<int>(c)) || !gemm_unit(static_cast<int>(c))) continue;
      for (int t : w.kernels[c].inputs) {
        const int p = w.tensors[t].producer;
        if (p < 0 || s.fusion.fused_tensor[t]) continue;
        const int hp = s.fusion.head[p];
        if (!gemm_unit(hp) || m.kernels[hp].unit == m.kernels[c].unit) continue;
        pipelined[c].emplace_back(t, p);
        tp.kernel_start_step[c] = std::min(tp.kernel_start_step[c], tp.kernel_start_step[hp]);
      }
    }
  for (size_t k = 0; k < K; ++k) tp.kernel_start_step[k] = tp.kernel_start_step[s.fusion.head[k]];
  s.plan = plan_tensors(w, tp);
  s.reads_network_input.assign(w.tensors.size(), 0);
  s.holds_network_output.assign(w.tensors.size(), 0);
  for (size_t t = 0; t < w.tensors.size(); ++t) {
    const int st = s.plan.tensors[t].storage;
    if (w.tensors[st].producer < 0) s.reads_network_input[t] = 1;
    if (w.tensors[t].network_output) s.holds_network_output[st] = 1;
  }
  for (size_t t = 0; t < w.tensors.size(); ++t)
    s.holds_network_output[t] = s.holds_network_output[s.plan.tensors[t].storage];
  // Extra edges: a group's head waits for what its epilogues read; and concurrent units
  // must not overwrite global-buffer bytes a consumer still reads (kernels that run in a
  // group wait, and are waited for, as its head).
  std::vector<std::vector<int>> extra(K);
  for (size_t h = 0; h < K; ++h)
    for (int k : s.fusion.members[h])
      for (int p : w.kernels[k].producers)
        if (s.fusion.head[p] != static_cast<int>(h)) extra[h].push_back(p);
  if (m.spec.concurrent()) {
    const auto reuse = buffer_reuse_dependencies(w, s.plan);
    for (size_t k = 0; k < K; ++k)
      for (int u : reuse[k])
        if (s.fusion.head[u] != s.fusion.head[k]) extra[s.fusion.head[k]].push_back(u);
  }
  for (auto& e : extra) {
    std::sort(e.begin(), e.end());
    e.erase(std::unique(e.begin(), e.end()), e.end());
  }
  // Row-band pipelining: in a concurrent schedule, an NPU or CIM kernel that reads the
  // output of a group running on the other of the two may start once that group has
  // started, its reads waiting for the bytes (not in the ablation).
  s.progress.clear();
  s.progress.resize(w.tensors.size());
  s.overlap.assign(K, {});
  for (size_t c = 0; c < K; ++c)
    for (const auto& [t, p] : pipelined[c]) {
      // A reuse edge on the group means c must wait for its end anyway.
      if (std::find(extra[c].begin(), extra[c].end(), p) != extra[c].end()) continue;
      s.overlap[c].push_back(p);
      if (!s.progress[t]) s.progress[t] = std::make_unique<StreamProgress>();
    }
  s.started_ev.clear();
  for (int r = 0; r < n_inf; ++r) {
    s.started_ev.emplace_back();
    for (size_t i = 0; i < K; ++i) s.started_ev.back().push_back(std::make_unique<sc_core::sc_event>());
  }
  s.ready = ReadySet(w, n_inf, !m.spec.concurrent(), std::move(extra), s.overlap);
  s.done_ev.clear();
  s.inference_done_ev.clear();
  for (int r = 0; r < n_inf; ++r) {
    s.done_ev.emplace_back();
    for (size_t i = 0; i < K; ++i) s.done_ev.back().push_back(std::make_unique<sc_core::sc_event>());
    s.inference_done_ev.push_back(std::make_unique<sc_core::sc_event>());
  }
  s.inference_end.assign(n_inf, sc_core::SC_ZERO_TIME);
  s.dram_at_end.assign(n_inf, DramStats{});
  s.bus_at_end.assign(n_inf, BusStats{});
  s.records.clear();
  s.dram.reset(s.origin);
  s.gb.reset(s.origin);
  s.bus.reset_stats();
  s.bus.record_transactions = opts.trace;
  s.dram.record_segments(opts.trace);
  for (Dma* d : {&s.array_dma, &s.vector_dma, &s.cim_dma, &s.copy_dma}) d->reset_stats();
  s.cim.reset();

  s.run_pending.assign(kLanes, 1);
  s.start_ev.notify(sc_core::SC_ZERO_TIME);
  // A saturated wait (models/clock.h) must stay beyond the watchdog, so it ends the run as
  // too long instead of being taken for a real time.
  if (!(opts.max_simulated_s * 1e12 < kMaxWaitUnits))
    throw std::logic_error("System::run: the watchdog limit must be far below the longest wait");
  const sc_core::sc_time limit(opts.max_simulated_s, sc_core::SC_SEC);
  // Stop when the events run out, not at the limit: SystemC's default starvation policy
  // advances time to the whole limit, an hour of simulated time per run, and SystemC time
  // (2^64 ps) overflowed after ~5,100 runs of one System (E544, a crash).
  sc_core::sc_start(limit, sc_core::SC_EXIT_ON_STARVATION);
  if (s.ready.remaining(n_inf - 1) > 0) {
    // Still events to process: the run is legal, only longer than the watchdog allows (a huge
    // batch times many inferences); nothing pending: the schedule deadlocked.
    const bool still_running = sc_core::sc_pending_activity();
    s.abandon_run();
    s.w = nullptr;
    if (still_running) {
      const int finished = s.ready.finished_inferences();
      throw UserError(fmt::format(
          "{}: more than {} s of simulated chip time, the simulator's limit per run, with {} of {} "
          "inferences finished{}; simulate fewer inferences or a smaller batch",
          w.model, opts.max_simulated_s, finished, n_inf,
          finished == 0 ? "" : fmt::format(" ({:.3g} s for the first)", (s.inference_end[0] - s.origin).to_seconds())));
    }
    std::string stuck;
    for (int lane = 0; lane < kLanes; ++lane)
      if (s.waiting_on[lane] >= 0)
        stuck += fmt::format("{}{} waits for '{}'", stuck.empty() ? "" : "; ", kLaneNames[lane],
                             w.kernels[s.waiting_on[lane]].name);
    throw UserError(fmt::format("{}: the schedule stopped making progress ({} of {} kernels "
                                "left{}{})", w.model, s.ready.remaining(n_inf - 1), K,
                                stuck.empty() ? "" : ": ", stuck));
  }

  RunStats st;
  st.model = w.model;
  st.arch = s.cfg.origin.empty() ? s.cfg.name : s.cfg.origin;
  st.arch_hash = config_hash(s.cfg);
  st.schema = to_string(m.spec.schema);
  st.npu_clock_mhz = s.cfg.npu.clock_mhz;
  st.total_macs = w.total_macs();
  st.records = std::move(s.records);
  st.initiator_names.assign(std::begin(kInitiators), std::end(kInitiators));
  st.cim_macros = s.cfg.cim.enabled ? s.cfg.cim.macro_count : 0;
  st.resident_macros = m.resident_macros;
  st.dram_channels = s.cfg.dram.channels;
  st.activations_on_chip = s.cfg.memory.activations_on_chip;
  st.global_buffer_bytes = s.cfg.memory.global_buffer.capacity_bytes();
  st.global_buffer_peak_bytes = s.plan.peak_bytes;
  st.global_buffer_used_bytes = s.plan.used_bytes;
  st.tensors = s.plan.tensors;
  st.fused_kernels = s.fusion.fused_count();
  if (opts.trace) {
    for (const auto& t : s.bus.transactions())
      st.bus_slices.push_back({ns(t.start - s.origin), ns(t.end - s.origin), t.initiator, t.bytes});
    const double tck = s.cfg.dram.tck_ps / 1000.0;
    for (const auto& g : s.dram.segments())
      st.dram_slices.push_back({g.channel, g.first_data_cycle * tck, g.done_cycle * tck, g.bursts, g.row_hit});
  }

  const EnergyParams& e = s.cfg.energy;
  st.area_mm2 = chip_area_mm2(s.cfg);
  st.leakage_mw = chip_leakage_mw(s.cfg, st.area_mm2);
  st.dram_background_mw = e.dram_leakage_mw;
  st.tech_node_nm = s.cfg.tech.node_nm;
  const double leakage_mw = st.leakage_mw.total() + st.dram_background_mw;
  const double npu_ns = 1000.0 / s.cfg.npu.clock_mhz, cim_ns = 1000.0 / s.cfg.cim.clock_mhz;
  const double bus_ns = 1000.0 / s.cfg.bus.clock_mhz, tck_ns = s.cfg.dram.tck_ps / 1000.0;
  st.inferences.resize(n_inf);
  for (auto& rec : st.records) {
    const Kernel& k = w.kernels[rec.index];
    InferenceStats& inf = st.inferences[rec.inference];
    rec.energy = s.dynamic_energy(k, rec.unit, rec.result, inf.energy);
    rec.energy_pj = rec.energy.total();
    inf.traffic += rec.traffic;
    switch (rec.unit) {
      case Unit::npu:
        inf.npu.busy_ns += rec.result.compute_cycles * npu_ns;
        inf.vector.busy_ns += rec.result.epilogue_cycles * npu_ns;
        break;
      case Unit::vector: inf.vector.busy_ns += rec.result.compute_cycles * npu_ns; break;
      case Unit::cim:
        inf.cim.busy_ns += (rec.result.compute_cycles + rec.result.program_cycles) * cim_ns;
        inf.vector.busy_ns += rec.result.epilogue_cycles * npu_ns;
        break;
      case Unit::dma: inf.dma.busy_ns += rec.end_ns - rec.start_ns; break;
      case Unit::none: break;
    }
  }
  for (int r = 0; r < n_inf; ++r) {
    InferenceStats& inf = st.inferences[r];
    const sc_core::sc_time begin = r == 0 ? s.origin : s.inference_end[r - 1];
    inf.latency_ns = ns(s.inference_end[r] - begin);
    const DramStats now = s.dram_at_end[r];
    const DramStats before = r == 0 ? DramStats{} : s.dram_at_end[r - 1];
    const BusStats bnow = s.bus_at_end[r];
    const BusStats bbefore = r == 0 ? BusStats{} : s.bus_at_end[r - 1];
    inf.dram_bytes = (now.bytes_read + now.bytes_written) - (before.bytes_read + before.bytes_written);
    inf.dram_activates = now.activates - before.activates;
    // The DRAM moves whole bursts; what the units asked for is at most that.
    inf.traffic.burst_padding = inf.dram_bytes - inf.traffic.dram();
    if (inf.traffic.burst_padding < 0)
      throw std::logic_error(fmt::format("System: inference {} moved {} B through DRAM, but its "
                                         "units asked for {} B", r, inf.dram_bytes,
                                         inf.traffic.dram()));
    inf.bus_bytes = bnow.bytes - bbefore.bytes;
    inf.energy.dram += inf.dram_activates * e.dram_activate_pj;
    inf.energy.leakage = leakage_mw * inf.latency_ns;
    inf.bus.busy_ns = (bnow.busy_cycles - bbefore.busy_cycles) * bus_ns;
    // DRAM busy: data-bus time per channel, averaged over channels.
    inf.dram.busy_ns = static_cast<double>(now.bursts - before.bursts) * (s.cfg.dram.burst_length / 2) *
                       tck_ns / static_cast<double>(s.cfg.dram.channels);
    for (UnitUse* u : {&inf.npu, &inf.vector, &inf.cim, &inf.bus, &inf.dram, &inf.dma})
      u->utilization = inf.latency_ns > 0 ? std::min(1.0, u->busy_ns / inf.latency_ns) : 0.0;
  }
  attribute_to_kernels(st, e.dram_activate_pj);
  s.w = nullptr;
  s.m = nullptr;
  check_results_finite(st);
  return st;
}

}  // namespace h4h
