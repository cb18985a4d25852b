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
#include "sim/engine/dram_layout.h"
#include "sim/engine/ready_set.h"

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

}  // namespace

struct System::Impl : sc_core::sc_module {
  ArchConfig cfg;
  Dram dram;
  Bus bus;
  Dma array_dma, vector_dma, cim_dma, copy_dma;
  NpuTile npu;
  CimCluster cim;

  // The run in progress.
  const Workload* w = nullptr;
  const Mapping* m = nullptr;
  RunOptions opts;
  sc_core::sc_time origin;
  std::vector<std::vector<int>> lane_kernels;           // per lane, in network order
  ReadySet ready;
  std::vector<std::vector<std::unique_ptr<sc_core::sc_event>>> done_ev;
  std::vector<std::unique_ptr<sc_core::sc_event>> inference_done_ev;
  std::vector<sc_core::sc_time> inference_end;
  std::vector<DramStats> dram_at_end;
  std::vector<BusStats> bus_at_end;
  DramLayout layout;
  std::vector<KernelRecord> records;
  std::vector<int> waiting_on;                          // per lane: kernel it waits for, -1
  std::vector<char> run_pending;                        // per lane: a run is waiting to start
  sc_core::sc_event start_ev;
  std::vector<sc_core::sc_process_handle> lanes;
  bool abandoned = false;
  sc_core::sc_event abandoned_ev;  // never notified

  explicit Impl(sc_core::sc_module_name name, const ArchConfig& c)
      : sc_module(name), cfg(c), dram("dram", c.dram), bus("bus", c.bus),
        array_dma("npu_dma", dma_params(c)), vector_dma("vector_dma", dma_params(c)),
        cim_dma("cim_dma", dma_params(c)), copy_dma("copy_dma", dma_params(c)),
        npu("npu", c.npu, array_dma, vector_dma), cim("cim", c.cim.clock_mhz, cim_dma) {
    // Bus initiator ids follow binding order (kInitiators).
    array_dma.socket.bind(bus.targ);
    vector_dma.socket.bind(bus.targ);
    cim_dma.socket.bind(bus.targ);
    copy_dma.socket.bind(bus.targ);
    bus.init.bind(dram.socket);
    waiting_on.assign(kLanes, -1);
    run_pending.assign(kLanes, 0);
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
      } else {
        waiting_on[lane] = b.kernel;
        sc_core::wait(*done_ev[b.inference][b.kernel]);
        waiting_on[lane] = -1;
      }
    }
  }

  UnitResult execute(int r, int i) {
    const Kernel& k = w->kernels[i];
    const KernelMapping& km = m->kernels[i];
    const int b = w->bytes_per_elem;
    const uint64_t in_addr = layout.input_addr_of(*w, i);
    const uint64_t out_addr = layout.output_addr[i], weight_addr = layout.weight_addr[i];
    UnitResult res;
    switch (km.unit) {
      case Unit::npu: {
        GemmJob j;
        j.plan = km.npu;
        j.groups = km.npu_groups;
        j.elem_bytes = b;
        j.ifmap_bytes = k.input_bytes(b);
        j.filter_bytes = k.weight_bytes(b);
        j.ofmap_bytes = k.output_bytes(b);
        j.ifmap_addr = in_addr;
        j.filter_addr = weight_addr;
        j.ofmap_addr = out_addr;
        return npu.run_gemm(j);
      }
      case Unit::vector: {
        VectorJob j;
        const bool gemm = k.cls == KernelClass::matmul || k.cls == KernelClass::linear ||
                          k.cls == KernelClass::conv;
        j.mix = gemm ? VectorOpMix{1, 1, 0, 0, 0, 0} : vector_op_mix(k.op);
        j.elements = gemm ? k.macs : (k.vector_ops > 0 ? k.vector_ops : k.output_elems);
        j.in_bytes = k.input_bytes(b) + k.weight_bytes(b);
        j.out_bytes = k.output_bytes(b);
        j.in_addr = in_addr;
        j.out_addr = out_addr;
        return npu.run_vector(j);
      }
      case Unit::cim: {
        CimJob j;
        j.in_bytes = k.input_bytes(b);
        j.weight_bytes = k.weight_bytes(b);
        j.out_bytes = k.output_bytes(b);
        j.in_addr = in_addr;
        j.weight_addr = weight_addr;
        j.out_addr = out_addr;
        j.resident = km.cim_resident;
        j.warm = km.cim_resident && r > 0;
        j.plan = j.warm ? km.cim_warm : km.cim;
        j.macro_count = km.cim_macro_count;
        return cim.run(j);
      }
      case Unit::dma: {
        res.start = sc_core::sc_time_stamp();
        auto rd = copy_dma.start(in_addr, std::max<int64_t>(k.input_bytes(b), 1), false);
        auto wr = copy_dma.start(out_addr, std::max<int64_t>(k.output_bytes(b), 1), true);
        copy_dma.wait_done(rd);
        copy_dma.wait_done(wr);
        res.load_bytes = k.input_bytes(b);
        res.store_bytes = k.output_bytes(b);
        res.end = sc_core::sc_time_stamp();
        return res;
      }
      case Unit::none:
        break;
    }
    res.start = res.end = sc_core::sc_time_stamp();
    return res;
  }

  double dynamic_energy(const Kernel& k, Unit u, const UnitResult& r, EnergyBreakdown& e) const {
    const EnergyParams& p = cfg.energy;
    EnergyBreakdown d;
    if (u == Unit::npu) d.npu_compute = static_cast<double>(k.macs) * p.npu_mac_pj;
    d.npu_sram = r.sram_read_bytes * p.sram_read_pj_per_byte + r.sram_write_bytes * p.sram_write_pj_per_byte;
    d.vector = r.vector_lane_ops * p.vector_op_pj;
    d.cim_compute = r.cim_macs * p.cim_mac_pj + r.adc_conversions * p.adc_conversion_pj;
    d.cim_weight_write = r.weight_write_bits * p.cim_weight_write_pj_per_bit;
    d.bus = (r.load_bytes + r.store_bytes) * p.bus_pj_per_byte;
    d.dram = r.load_bytes * p.dram_read_pj_per_byte + r.store_bytes * p.dram_write_pj_per_byte;
    e.npu_compute += d.npu_compute;
    e.npu_sram += d.npu_sram;
    e.vector += d.vector;
    e.cim_compute += d.cim_compute;
    e.cim_weight_write += d.cim_weight_write;
    e.bus += d.bus;
    e.dram += d.dram;
    return d.total();
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
          UnitResult res = execute(r, i);
          KernelRecord rec;
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
          const bool inference_finished = ready.mark_done(r, i);
          done_ev[r][i]->notify(sc_core::SC_ZERO_TIME);
          if (inference_finished) {
            inference_end[r] = sc_core::sc_time_stamp();
            dram_at_end[r] = dram.core().stats();
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
  const int n_inf = std::max(1, opts.inferences);
  const size_t K = w.kernels.size();
  s.w = &w;
  s.m = &m;
  s.opts = opts;
  s.opts.inferences = n_inf;
  s.origin = sc_core::sc_time_stamp();
  s.lane_kernels.assign(kLanes, {});
  for (size_t i = 0; i < K; ++i) {
    // One instance of each unit is elaborated (a lane per unit); a mapping that names
    // another is a mapper bug, not a user error.
    if (m.kernels[i].unit_instance != 0)
      throw std::logic_error(fmt::format("System::run: kernel '{}' is mapped to {} instance {}, "
                                         "but the chip has one", w.kernels[i].name,
                                         to_string(m.kernels[i].unit), m.kernels[i].unit_instance));
    s.lane_kernels[lane_of(m.kernels[i].unit)].push_back(static_cast<int>(i));
  }
  s.ready = ReadySet(w, n_inf, !m.spec.concurrent());
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
  s.layout = layout_in_dram(w);
  s.dram.reset(s.origin);
  s.bus.reset_stats();
  s.bus.record_transactions = opts.trace;
  s.dram.core().record_segments = opts.trace;
  for (Dma* d : {&s.array_dma, &s.vector_dma, &s.cim_dma, &s.copy_dma}) d->reset_stats();

  s.run_pending.assign(kLanes, 1);
  s.start_ev.notify(sc_core::SC_ZERO_TIME);
  // A saturated wait (models/clock.h) must stay beyond the watchdog, so it ends the run as
  // too long instead of being taken for a real time.
  if (!(opts.max_simulated_s * 1e12 < kMaxWaitUnits))
    throw std::logic_error("System::run: the watchdog limit must be far below the longest wait");
  const sc_core::sc_time limit(opts.max_simulated_s, sc_core::SC_SEC);
  sc_core::sc_start(limit);
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
  if (opts.trace) {
    for (const auto& t : s.bus.transactions())
      st.bus_slices.push_back({ns(t.start - s.origin), ns(t.end - s.origin), t.initiator, t.bytes});
    const double tck = s.cfg.dram.tck_ps / 1000.0;
    for (const auto& g : s.dram.core().segments())
      st.dram_slices.push_back({g.channel, g.first_data_cycle * tck, g.done_cycle * tck, g.bursts, g.row_hit});
  }

  const EnergyParams& e = s.cfg.energy;
  const double leakage_mw = (s.cfg.npu.enabled ? e.npu_leakage_mw : 0.0) +
                            (s.cfg.cim.enabled ? e.cim_macro_leakage_mw * s.cfg.cim.macro_count : 0.0) +
                            e.sram_leakage_mw + e.bus_leakage_mw + e.dram_leakage_mw;
  const double npu_ns = 1000.0 / s.cfg.npu.clock_mhz, cim_ns = 1000.0 / s.cfg.cim.clock_mhz;
  const double bus_ns = 1000.0 / s.cfg.bus.clock_mhz, tck_ns = s.cfg.dram.tck_ps / 1000.0;
  st.inferences.resize(n_inf);
  for (auto& rec : st.records) {
    const Kernel& k = w.kernels[rec.index];
    InferenceStats& inf = st.inferences[rec.inference];
    rec.energy_pj = s.dynamic_energy(k, rec.unit, rec.result, inf.energy);
    switch (rec.unit) {
      case Unit::npu: inf.npu.busy_ns += rec.result.compute_cycles * npu_ns; break;
      case Unit::vector: inf.vector.busy_ns += rec.result.compute_cycles * npu_ns; break;
      case Unit::cim:
        inf.cim.busy_ns += (rec.result.compute_cycles + rec.result.program_cycles) * cim_ns;
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
  s.w = nullptr;
  s.m = nullptr;
  check_results_finite(st);
  return st;
}

}  // namespace h4h
