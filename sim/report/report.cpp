#include "sim/report/report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "sim/engine/critical_path.h"
#include "sim/mapper/mapper.h"

namespace h4h {
namespace {

int64_t cycles(double t_ns, double mhz) { return static_cast<int64_t>(std::llround(t_ns * mhz / 1000.0)); }

nlohmann::json energy_json(const EnergyBreakdown& e) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, part] : kEnergyParts) j[name] = e.*part;
  return j;
}

nlohmann::json dram_breakdown_json(const TrafficBreakdown& t) {
  return {{"weights", t.weights}, {"activations_in", t.activations_in},
          {"activations_out", t.activations_out}, {"spills", t.spills},
          {"burst_padding", t.burst_padding}};
}

// MACs over the unit's peak for its compute cycles (array: PEs x cycles, SCALE-Sim's
// "overall utilization"; CIM: every macro at full columns); 0 where the unit has no MACs.
double mac_utilization(const KernelRecord& r, int64_t macs) {
  const double peak = r.result.peak_macs_per_cycle * static_cast<double>(r.result.compute_cycles);
  return peak > 0 && r.fused_into < 0 ? static_cast<double>(macs) / peak : 0.0;
}

nlohmann::json parts_json(const ChipParts& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, v] : p.items()) j[name] = v;
  return j;
}

nlohmann::json units_json(const InferenceStats& inf, double mhz) {
  nlohmann::json u;
  const std::pair<const char*, const UnitUse*> all[] = {
      {"npu", &inf.npu}, {"cim", &inf.cim}, {"vector", &inf.vector}, {"bus", &inf.bus},
      {"dram", &inf.dram}, {"dma", &inf.dma}};
  for (const auto& [name, use] : all)
    u[name] = {{"busy_cycles", cycles(use->busy_ns, mhz)}, {"busy_ns", use->busy_ns},
               {"utilization", use->utilization}};
  return u;
}

nlohmann::json inference_json(const InferenceStats& inf, double mhz) {
  return {{"latency_cycles", cycles(inf.latency_ns, mhz)}, {"latency_ns", inf.latency_ns},
          {"energy_pj", inf.energy.total()}, {"energy_breakdown_pj", energy_json(inf.energy)},
          {"dram_bytes", inf.dram_bytes}, {"dram_bytes_breakdown", dram_breakdown_json(inf.traffic)},
          {"onchip_bytes", inf.traffic.onchip()}, {"bus_bytes", inf.bus_bytes},
          {"dram_activates", inf.dram_activates}, {"units", units_json(inf, mhz)}};
}

// When each storage is live in inference `r`: from its producer's start to the end of the
// last kernel reading it (network inputs from time zero). Parallel to the storages' root
// tensors; {-1, -1} for tensors that are not a storage's root.
std::vector<std::pair<double, double>> live_ns(const RunStats& s, const Workload& w, int r) {
  std::vector<const KernelRecord*> rec(w.kernels.size(), nullptr);
  for (const auto& k : s.records)
    if (k.inference == r) rec[k.index] = &k;
  std::vector<std::pair<double, double>> live(w.tensors.size(), {-1.0, -1.0});
  for (size_t t = 0; t < w.tensors.size(); ++t) {
    const int st = s.tensors.empty() ? static_cast<int>(t) : s.tensors[t].storage;
    auto& [begin, end] = live[st];
    const int p = w.tensors[t].producer;
    if (p < 0) begin = 0;
    else if (rec[p] && (begin < 0 || rec[p]->start_ns < begin)) begin = rec[p]->start_ns;
    if (p >= 0 && rec[p]) end = std::max(end, rec[p]->end_ns);
    for (int c : w.tensors[t].consumers)
      if (rec[c]) end = std::max(end, rec[c]->end_ns);
  }
  return live;
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string grouped(int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v);
  for (int pos = static_cast<int>(s.size()) - 3; pos > 0; pos -= 3) s.insert(pos, ",");
  return v < 0 ? "-" + s : s;
}

}  // namespace

std::optional<std::string> first_non_finite(const nlohmann::json& j, const std::string& at) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) return at;
  if (j.is_object())
    for (const auto& [key, v] : j.items())
      if (auto found = first_non_finite(v, at.empty() ? key : at + "." + key)) return found;
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i)
      if (auto found = first_non_finite(j[i], fmt::format("{}[{}]", at, i))) return found;
  return std::nullopt;
}

nlohmann::json run_to_json(const RunStats& s, const Workload& w) {
  const InferenceStats& first = s.inferences.front();
  const double mhz = s.npu_clock_mhz;
  nlohmann::json j = inference_json(first, mhz);
  j["model"] = s.model;
  j["arch"] = s.arch;
  j["arch_hash"] = s.arch_hash;
  j["schema"] = s.schema;
  j["clock_mhz"] = mhz;
  j["total_macs"] = s.total_macs;
  j["batch"] = w.batch;
  j["fused_kernels"] = s.fused_kernels;
  j["area_mm2"] = s.area_mm2.total();
  j["area_breakdown_mm2"] = parts_json(s.area_mm2);
  j["leakage_mw"] = s.leakage_mw.total() + s.dram_background_mw;
  j["leakage_breakdown_mw"] = parts_json(s.leakage_mw);
  j["leakage_breakdown_mw"]["dram_background"] = s.dram_background_mw;
  j["memory"] = {{"activations_on_chip", s.activations_on_chip},
                 {"global_buffer_bytes", s.global_buffer_bytes},
                 {"global_buffer_peak_bytes", s.global_buffer_peak_bytes},
                 {"global_buffer_used_bytes", s.global_buffer_used_bytes}};
  j["inferences"] = {{"count", s.inferences.size()},
                     {"first", inference_json(first, mhz)},
                     {"steady", inference_json(s.inferences.back(), mhz)}};
  nlohmann::json ks = nlohmann::json::array();
  for (const auto& r : s.records) {
    if (r.inference != 0) continue;
    const Kernel& k = w.kernels[r.index];
    ks.push_back({{"name", k.name}, {"class", to_string(k.cls)}, {"op", k.op},
                  {"unit", to_string(r.unit)}, {"start_cycle", cycles(r.start_ns, mhz)},
                  {"end_cycle", cycles(r.end_ns, mhz)}, {"stall_cycles", cycles(r.stall_ns, mhz)},
                  {"macs", k.macs}, {"weight_bits", w.weight_bits_of(k)},
                  {"activation_bits", w.activation_bits_of(k)}, {"energy_pj", r.energy_pj},
                  {"dram_bytes", r.traffic.dram()}, {"onchip_bytes", r.traffic.onchip()},
                  {"fused", r.fused_into >= 0},
                  {"fused_into", r.fused_into >= 0 ? w.kernels[r.fused_into].name : std::string()},
                  {"compute_cycles", r.result.compute_cycles},
                  {"mac_utilization", mac_utilization(r, k.macs)},
                  {"mapping_efficiency", r.result.mapping_efficiency},
                  {"compute_utilization", r.result.array_compute_utilization},
                  {"cim_cell_utilization", r.result.cim_cell_utilization},
                  {"sram_read_bytes", r.result.sram_read_bytes}, {"sram_write_bytes", r.result.sram_write_bytes},
                  {"leakage_pj", r.energy.leakage}, {"energy_breakdown_pj", energy_json(r.energy)}});
  }
  // Records arrive in completion order; the contract lists kernels in network order.
  std::sort(ks.begin(), ks.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["start_cycle"].get<int64_t>() != b["start_cycle"].get<int64_t>()
               ? a["start_cycle"].get<int64_t>() < b["start_cycle"].get<int64_t>()
               : a["name"].get<std::string>() < b["name"].get<std::string>();
  });
  j["kernels"] = std::move(ks);
  return j;
}

std::string run_table(const RunStats& s, const Workload& w, const TableOptions& o) {
  const double mhz = s.npu_clock_mhz;
  std::vector<const KernelRecord*> rows;
  for (const auto& r : s.records)
    if (r.inference == 0) rows.push_back(&r);
  size_t all_rows = 0;
  for (const KernelRecord* r : rows) all_rows += r->fused_into < 0;
  if (o.top > 0) {
    // The costliest by time on their unit (an epilogue fused into a GEMM shares its span and
    // is not a cost of its own); network order breaks ties (stable).
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [](const KernelRecord* r) { return r->fused_into >= 0; }),
               rows.end());
    std::stable_sort(rows.begin(), rows.end(), [](const KernelRecord* a, const KernelRecord* b) {
      return a->end_ns - a->start_ns > b->end_ns - b->start_ns;
    });
    rows.resize(std::min(rows.size(), static_cast<size_t>(o.top)));
  }
  if (!o.kernels) rows.clear();
  size_t width = 36;
  if (o.full_names)
    for (const KernelRecord* r : rows) width = std::max(width, w.kernels[r->index].name.size());
  std::string out;
  if (o.kernels)
    out += fmt::format(
        "{:<{}} {:<13} {:<6} {:>12} {:>12} {:>11} {:>10} {:>14} {:>9} {:>8} {:>10} {:>12}\n",
        "kernel", width, "class", "unit", "start", "end", "cycles", "stall", "MACs", "mac_util",
        "map_eff", "cim_cells", "energy pJ");
  double shown_ns = 0, all_ns = 0;
  for (const auto& r : s.records)
    if (r.inference == 0 && r.fused_into < 0) all_ns += r.end_ns - r.start_ns;
  for (const KernelRecord* rp : rows) {
    const KernelRecord& r = *rp;
    const Kernel& k = w.kernels[r.index];
    const int64_t c = cycles(r.end_ns - r.start_ns, mhz);
    const bool fused = r.fused_into >= 0;
    if (!fused) shown_ns += r.end_ns - r.start_ns;
    auto pct = [](bool shown, double v) { return shown ? fmt::format("{:.1f}%", 100 * v) : std::string("-"); };
    std::string name =
        !o.full_names && k.name.size() > 36 ? "…" + k.name.substr(k.name.size() - 35) : k.name;
    out += fmt::format(
        "{:<{}} {:<13} {:<6} {:>12} {:>12} {:>11} {:>10} {:>14} {:>9} {:>8} {:>10} {:>12.0f}\n",
        name, width, to_string(k.cls), fused ? "fused" : to_string(r.unit), cycles(r.start_ns, mhz),
        cycles(r.end_ns, mhz), c, cycles(r.stall_ns, mhz), grouped(k.macs),
        pct(!fused && r.result.peak_macs_per_cycle > 0, mac_utilization(r, k.macs)),
        pct(!fused && r.unit == Unit::npu && r.result.mapping_efficiency > 0,
            r.result.mapping_efficiency),
        pct(!fused && r.unit == Unit::cim, r.result.cim_cell_utilization),
        r.energy_pj + r.energy.leakage);
  }
  const InferenceStats& f = s.inferences.front();
  const EnergyBreakdown& e = f.energy;
  if (o.kernels && o.top > 0)
    out += fmt::format(
        "(the {} of {} kernels (epilogues apart) with the most cycles: {:.1f} % of their time on "
        "the "
        "units; without --top, all)\n",
        rows.size(), all_rows, all_ns > 0 ? 100 * shown_ns / all_ns : 0.0);
  if (o.kernels)
    out +=
        "mac_util: MACs / (the unit's peak MACs per cycle x its compute cycles): array PEs "
        "(SCALE-Sim's "
        "overall utilization) or every CIM macro at full columns. map_eff: SCALE-Sim's mapping "
        "efficiency "
        "(array). cim_cells: bitcells holding weights in the macros used. energy: dynamic + static "
        "power "
        "attributed by time on the unit (the rows sum to the total).\n\n";
  out +=
      fmt::format("model {}  arch {}  schema {}  batch {}\n", s.model, s.arch, s.schema, w.batch);
  out += fmt::format("latency {} cycles @ {} MHz = {:.3f} ms   energy {:.3f} mJ   MACs {}\n",
                     grouped(cycles(f.latency_ns, mhz)), mhz, f.latency_ns / 1e6, e.total() / 1e9,
                     grouped(s.total_macs));
  out += fmt::format(
      "energy pJ: npu_compute {:.3g}  npu_sram {:.3g}  vector {:.3g}  cim_compute {:.3g}  "
      "cim_weight_write {:.3g}  cim_buffer {:.3g}  bus {:.3g}  dram {:.3g}  "
      "global_buffer {:.3g}  leakage {:.3g}\n",
      e.npu_compute, e.npu_sram, e.vector, e.cim_compute, e.cim_weight_write, e.cim_buffer, e.bus,
      e.dram, e.global_buffer, e.leakage);
  out += fmt::format("area {:.3f} mm2 at {} nm:", s.area_mm2.total(), s.tech_node_nm);
  for (const auto& [name, v] : s.area_mm2.items())
    if (v > 0) out += fmt::format("  {} {:.3g}", name, v);
  out += fmt::format("   leakage {:.1f} mW (dram background {:.1f})\n",
                     s.leakage_mw.total() + s.dram_background_mw, s.dram_background_mw);
  out += fmt::format("utilization: npu {:.1f}%  vector {:.1f}%  cim {:.1f}%  bus {:.1f}%  dram {:.1f}%\n",
                     100 * f.npu.utilization, 100 * f.vector.utilization, 100 * f.cim.utilization,
                     100 * f.bus.utilization, 100 * f.dram.utilization);
  out += fmt::format("bytes moved: dram {} (weights {}, network in {}, network out {}, spills {}, "
                     "burst padding {})  on chip {}  bus {}  (dram activates {})\n",
                     grouped(f.dram_bytes), grouped(f.traffic.weights),
                     grouped(f.traffic.activations_in), grouped(f.traffic.activations_out),
                     grouped(f.traffic.spills), grouped(f.traffic.burst_padding),
                     grouped(f.traffic.onchip()), grouped(f.bus_bytes), grouped(f.dram_activates));
  out += s.activations_on_chip
             ? fmt::format("global buffer: {} KiB, placement uses {} KiB, all activations on chip "
                           "would need {} KiB; {} kernels fused into their GEMM\n",
                           s.global_buffer_bytes / 1024, (s.global_buffer_used_bytes + 1023) / 1024,
                           (s.global_buffer_peak_bytes + 1023) / 1024, s.fused_kernels)
             : std::string("global buffer: unused (memory.activations_on_chip: false, every "
                           "tensor goes through DRAM)\n");
  if (s.inferences.size() > 1) {
    const InferenceStats& st = s.inferences.back();
    out += fmt::format("inferences {}: first {:.3f} ms / {:.3f} mJ (cold: CIM weights programmed), "
                       "steady {:.3f} ms / {:.3f} mJ ({} of {} CIM macros hold resident weights)\n",
                       s.inferences.size(), f.latency_ns / 1e6, e.total() / 1e9,
                       st.latency_ns / 1e6, st.energy.total() / 1e9, s.resident_macros, s.cim_macros);
  }
  return out;
}

std::string run_csv(const RunStats& s, const Workload& w) {
  const double mhz = s.npu_clock_mhz;
  std::string out = "inference,name,class,op,unit,start_cycle,end_cycle,stall_cycles,macs,"
                    "dram_bytes,energy_pj,onchip_bytes,fused_into,compute_cycles,mac_utilization,"
                    "mapping_efficiency,compute_utilization,cim_cell_utilization,sram_read_bytes,"
                    "sram_write_bytes,leakage_pj\n";
  for (const auto& r : s.records) {
    const Kernel& k = w.kernels[r.index];
    const std::string name = csv_field(k.name);
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{:.1f},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{:.1f}\n",
                       r.inference, name, to_string(k.cls), k.op, to_string(r.unit), cycles(r.start_ns, mhz),
                       cycles(r.end_ns, mhz), cycles(r.stall_ns, mhz), k.macs, r.traffic.dram(), r.energy_pj,
                       r.traffic.onchip(),
                       r.fused_into >= 0 ? csv_field(w.kernels[r.fused_into].name) : std::string(),
                       r.result.compute_cycles, mac_utilization(r, k.macs), r.result.mapping_efficiency,
                       r.result.array_compute_utilization, r.result.cim_cell_utilization,
                       r.result.sram_read_bytes, r.result.sram_write_bytes, r.energy.leakage);
  }
  return out;
}

nlohmann::json run_tensors_json(const RunStats& s, const Workload& w) {
  const auto live = live_ns(s, w, 0);
  nlohmann::json ts = nlohmann::json::array();
  for (size_t t = 0; t < w.tensors.size(); ++t) {
    const Tensor& x = w.tensors[t];
    const TensorPlacement& p = s.tensors.at(t);
    const auto& [begin, end] = live[p.storage];
    ts.push_back({{"tensor", x.name}, {"bytes", w.tensor_bytes(x)},
                  {"producer", x.producer < 0 ? std::string() : w.kernels[x.producer].name},
                  {"first_step", p.first_step}, {"last_step", p.last_step},
                  {"live_start_ns", begin}, {"live_end_ns", end},
                  {"placement", to_string(p.home)},
                  {"offset", p.home == TensorHome::global_buffer ? nlohmann::json(p.offset_bytes)
                                                                 : nlohmann::json(nullptr)},
                  {"storage", w.tensors[p.storage].name}, {"reason", p.reason}});
  }
  return {{"model", s.model}, {"arch", s.arch}, {"activations_on_chip", s.activations_on_chip},
          {"global_buffer_bytes", s.global_buffer_bytes},
          {"global_buffer_peak_bytes", s.global_buffer_peak_bytes},
          {"global_buffer_used_bytes", s.global_buffer_used_bytes}, {"tensors", std::move(ts)}};
}

std::string run_tensors_csv(const RunStats& s, const Workload& w) {
  const auto& field = csv_field;
  const auto live = live_ns(s, w, 0);
  std::string out = "tensor,bytes,producer,first_step,last_step,live_start_ns,live_end_ns,"
                    "placement,offset,storage,reason\n";
  for (size_t t = 0; t < w.tensors.size(); ++t) {
    const Tensor& x = w.tensors[t];
    const TensorPlacement& p = s.tensors.at(t);
    const auto& [begin, end] = live[p.storage];
    out += fmt::format("{},{},{},{},{},{:.1f},{:.1f},{},{},{},{}\n", field(x.name),
                       w.tensor_bytes(x),
                       field(x.producer < 0 ? std::string() : w.kernels[x.producer].name),
                       p.first_step, p.last_step, begin, end, to_string(p.home),
                       p.home == TensorHome::global_buffer ? std::to_string(p.offset_bytes) : "",
                       field(w.tensors[p.storage].name), p.reason);
  }
  return out;
}

std::string run_trace(const RunStats& s, const Workload& w, const ArchConfig* cfg,
                      TraceDetail detail) {
  const bool bursts = detail == TraceDetail::bursts;
  nlohmann::json events = nlohmann::json::array();
  std::map<std::string, int> tid;
  auto track = [&](const std::string& name) {
    auto it = tid.find(name);
    if (it != tid.end()) return it->second;
    const int id = static_cast<int>(tid.size()) + 1;
    tid[name] = id;
    events.push_back({{"ph", "M"}, {"pid", 1}, {"tid", id}, {"name", "thread_name"},
                      {"args", {{"name", name}}}});
    events.push_back({{"ph", "M"}, {"pid", 1}, {"tid", id}, {"name", "thread_sort_index"},
                      {"args", {{"sort_index", id}}}});
    return id;
  };
  events.push_back({{"ph", "M"}, {"pid", 1}, {"name", "process_name"},
                    {"args", {{"name", fmt::format("h4hsim {} on {}", s.model, s.arch)}}}});
  for (const char* t : {"NPU array", "vector unit"}) track(t);
  for (int64_t m = 0; m < s.cim_macros; ++m) track(fmt::format("CIM macro {}", m));
  track("copy DMA");
  if (bursts) {
    track("bus");
    for (int64_t c = 0; c < s.dram_channels; ++c) track(fmt::format("DRAM channel {}", c));
  }
  std::vector<bool> critical;
  if (cfg) {
    critical = critical_kernels(s, w);
    track("critical path");
  }
  auto or_null = [](double v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v); };
  for (const auto& r : s.records) {
    if (r.unit == Unit::none) continue;
    const Kernel& k = w.kernels[r.index];
    nlohmann::json args = {{"class", to_string(k.cls)}, {"op", k.op}, {"macs", k.macs},
                           {"stall_ns", r.stall_ns}, {"inference", r.inference},
                           {"energy_pj", r.energy_pj}};
    if (cfg && r.inference == 0) {
      const UnitEstimate e = estimate_units(w, k, *cfg);
      args["estimate_ns"] = {
          {"npu", or_null(e.npu_ns)}, {"cim", or_null(e.cim_ns)}, {"vector", or_null(e.vector_ns)}};
      args["critical"] = critical[static_cast<size_t>(r.index)];
      if (critical[static_cast<size_t>(r.index)] && r.fused_into < 0 && r.end_ns > r.start_ns)
        events.push_back({{"ph", "X"},
                          {"pid", 1},
                          {"tid", track("critical path")},
                          {"name", k.name},
                          {"ts", r.start_ns / 1000.0},
                          {"dur", (r.end_ns - r.start_ns) / 1000.0},
                          {"args", {{"unit", to_string(r.unit)}}}});
    }
    auto slice = [&](const std::string& tr) {
      events.push_back({{"ph", "X"}, {"pid", 1}, {"tid", track(tr)}, {"name", k.name},
                        {"ts", r.start_ns / 1000.0}, {"dur", (r.end_ns - r.start_ns) / 1000.0},
                        {"args", args}});
    };
    if (r.fused_into >= 0) {  // an epilogue: on the vector unit, within its GEMM's span
      args["fused_into"] = w.kernels[r.fused_into].name;
      slice("vector unit");
      continue;
    }
    switch (r.unit) {
      case Unit::npu: slice("NPU array"); break;
      case Unit::vector: slice("vector unit"); break;
      case Unit::dma: slice("copy DMA"); break;
      case Unit::cim:
        for (int64_t m : r.macros) {
          slice(fmt::format("CIM macro {}", m));
          // Weight programming: the cluster interleaves it with the rounds' compute, so
          // the trace marks that (and how much) this kernel programmed rather than
          // inventing a span; a warm kernel (weights pinned) has no mark.
          if (r.result.program_cycles > 0)
            events.push_back({{"ph", "i"},
                              {"s", "t"},
                              {"pid", 1},
                              {"tid", track(fmt::format("CIM macro {}", m))},
                              {"name", "program weights"},
                              {"ts", r.start_ns / 1000.0},
                              {"args",
                               {{"kernel", k.name},
                                {"program_cycles", r.result.program_cycles},
                                {"weight_write_bits", r.result.weight_write_bits},
                                {"inference", r.inference}}}});
        }
        break;
      case Unit::none: break;
    }
  }
  for (const auto& b : s.bus_slices) {
    if (!bursts) break;
    events.push_back({{"ph", "X"}, {"pid", 1}, {"tid", track("bus")},
                      {"name", s.initiator_names.at(b.initiator)}, {"ts", b.start_ns / 1000.0},
                      {"dur", (b.end_ns - b.start_ns) / 1000.0}, {"args", {{"bytes", b.bytes}}}});
  }
  for (const auto& d : s.dram_slices)
    if (bursts)
      events.push_back({{"ph", "X"},
                        {"pid", 1},
                        {"tid", track(fmt::format("DRAM channel {}", d.channel))},
                        {"name", d.row_hit ? "row hit" : "activate"},
                        {"ts", d.start_ns / 1000.0},
                        {"dur", (d.end_ns - d.start_ns) / 1000.0},
                        {"args", {{"bursts", d.bursts}}}});
  // Counter tracks: global-buffer occupancy (bytes of on-chip tensors live) and DRAM
  // bandwidth (bus bytes per bin; the bus carries exactly the DRAM traffic).
  if (s.activations_on_chip && !s.tensors.empty()) {
    std::vector<std::pair<double, int64_t>> steps;  // (time, +/- bytes)
    for (int r = 0; r < static_cast<int>(s.inferences.size()); ++r) {
      const auto live = live_ns(s, w, r);
      for (size_t t = 0; t < w.tensors.size(); ++t) {
        if (s.tensors[t].storage != static_cast<int>(t) || s.tensors[t].home != TensorHome::global_buffer)
          continue;
        if (live[t].first < 0) continue;
        const int64_t b = w.tensor_bytes(w.tensors[t]);
        steps.push_back({live[t].first, b});
        steps.push_back({std::max(live[t].first, live[t].second), -b});
      }
    }
    // Frees before allocations at the same instant: a tensor's space is reused as it ends.
    std::sort(steps.begin(), steps.end());
    int64_t used = 0;
    for (size_t i = 0; i < steps.size(); ++i) {
      used += steps[i].second;
      if (i + 1 < steps.size() && steps[i + 1].first == steps[i].first) continue;
      events.push_back({{"ph", "C"}, {"pid", 1}, {"name", "global buffer occupancy"},
                        {"ts", steps[i].first / 1000.0}, {"args", {{"bytes", used}}}});
    }
  }
  // CIM weights written so far (bits, cumulative, stepped when a kernel ends): flat across a
  // steady-state inference whose weights stayed pinned.
  {
    std::vector<std::pair<double, int64_t>> writes;
    for (const auto& r : s.records)
      if (r.unit == Unit::cim && r.result.weight_write_bits > 0)
        writes.push_back({r.end_ns, r.result.weight_write_bits});
    std::sort(writes.begin(), writes.end());
    int64_t written = 0;
    if (!writes.empty())
      events.push_back({{"ph", "C"}, {"pid", 1}, {"name", "CIM weights written"}, {"ts", 0.0},
                        {"args", {{"bits", 0}}}});
    for (size_t i = 0; i < writes.size(); ++i) {
      written += writes[i].second;
      if (i + 1 < writes.size() && writes[i + 1].first == writes[i].first) continue;
      events.push_back({{"ph", "C"}, {"pid", 1}, {"name", "CIM weights written"},
                        {"ts", writes[i].first / 1000.0}, {"args", {{"bits", written}}}});
    }
  }
  if (!s.bus_slices.empty()) {
    double end_ns = 0;
    for (const auto& b : s.bus_slices) end_ns = std::max(end_ns, b.end_ns);
    const double bin_ns = std::max(100.0, end_ns / 4000.0);
    std::vector<double> bytes(static_cast<size_t>(end_ns / bin_ns) + 1, 0.0);
    for (const auto& b : s.bus_slices) {
      // Spread each transaction's bytes over the bins it spans.
      const double dur = std::max(b.end_ns - b.start_ns, 1e-9);
      for (size_t i = static_cast<size_t>(b.start_ns / bin_ns);
           i < bytes.size() && i * bin_ns < b.end_ns; ++i) {
        const double lo = std::max(b.start_ns, i * bin_ns), hi = std::min(b.end_ns, (i + 1) * bin_ns);
        if (hi > lo) bytes[i] += b.bytes * (hi - lo) / dur;
      }
    }
    for (size_t i = 0; i < bytes.size(); ++i)
      events.push_back({{"ph", "C"}, {"pid", 1}, {"name", "DRAM bandwidth"},
                        {"ts", i * bin_ns / 1000.0}, {"args", {{"GB/s", bytes[i] / bin_ns}}}});
  }
  return nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ns"}}.dump();
}

}  // namespace h4h
