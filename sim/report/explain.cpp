#include "sim/report/explain.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "sim/engine/critical_path.h"
#include "sim/mapper/mapper.h"

namespace h4h {
namespace {

constexpr size_t kMaxOverlapNames = 8;  // per kernel in the JSON; the count is exact

struct Explained {
  const KernelRecord* rec = nullptr;
  UnitEstimate est;
  std::vector<int> overlapped;  // kernels on another unit running at the same time
  bool critical = false;
};

bool computes(const KernelRecord& r) { return r.fused_into < 0 && r.end_ns > r.start_ns; }

std::vector<Explained> explain(const RunStats& s, const Workload& w, const ArchConfig& cfg) {
  const size_t n = w.kernels.size();
  std::vector<Explained> out(n);
  for (const auto& r : s.records)
    if (r.inference == 0) out[static_cast<size_t>(r.index)].rec = &r;
  for (size_t i = 0; i < n; ++i) out[i].est = estimate_units(w, w.kernels[i], cfg);
  // Overlap: sorted by start, each kernel against those that start before it ends.
  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i)
    if (out[i].rec && computes(*out[i].rec)) order.push_back(i);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return out[a].rec->start_ns < out[b].rec->start_ns; });
  for (size_t x = 0; x < order.size(); ++x) {
    const KernelRecord& a = *out[order[x]].rec;
    for (size_t y = x + 1; y < order.size() && out[order[y]].rec->start_ns < a.end_ns; ++y) {
      const KernelRecord& b = *out[order[y]].rec;
      if (a.unit == b.unit && a.unit_instance == b.unit_instance) continue;
      out[order[x]].overlapped.push_back(static_cast<int>(order[y]));
      out[order[y]].overlapped.push_back(static_cast<int>(order[x]));
    }
  }
  const std::vector<bool> critical = critical_kernels(s, w);
  for (size_t i = 0; i < n; ++i) out[i].critical = critical[i];
  return out;
}

nlohmann::json or_null(double v) { return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v); }

}  // namespace

nlohmann::json explain_json(const RunStats& s, const Workload& w, const ArchConfig& cfg) {
  const auto ex = explain(s, w, cfg);
  nlohmann::json ks = nlohmann::json::array();
  for (size_t i = 0; i < ex.size(); ++i) {
    const Explained& e = ex[i];
    if (!e.rec) continue;
    nlohmann::json names = nlohmann::json::array();
    for (size_t k = 0; k < e.overlapped.size() && k < kMaxOverlapNames; ++k)
      names.push_back(w.kernels[static_cast<size_t>(e.overlapped[k])].name);
    ks.push_back(
        {{"name", w.kernels[i].name},
         {"unit",
          e.rec->fused_into >= 0 ? std::string("fused") : std::string(to_string(e.rec->unit))},
         {"start_ns", e.rec->start_ns},
         {"end_ns", e.rec->end_ns},
         {"estimate_ns",
          {{"npu", or_null(e.est.npu_ns)},
           {"cim", or_null(e.est.cim_ns)},
           {"vector", or_null(e.est.vector_ns)}}},
         {"estimate_compute_pj", {{"npu", or_null(e.est.npu_pj)}, {"cim", or_null(e.est.cim_pj)}}},
         {"overlapped_count", e.overlapped.size()},
         {"overlapped_with", names},
         {"critical", e.critical}});
  }
  return ks;
}

std::string explain_table(const RunStats& s, const Workload& w, const ArchConfig& cfg) {
  const auto ex = explain(s, w, cfg);
  auto us = [](double ns) { return ns < 0 ? std::string("-") : fmt::format("{:.2f}", ns / 1000); };
  auto nj = [](double pj) { return pj < 0 ? std::string("-") : fmt::format("{:.1f}", pj / 1000); };
  std::string out = fmt::format(
      "\nexplain (first inference; estimates are the mapper's, cold, compute only; * = critical "
      "path)\n"
      "  {:<36} {:<6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {}\n",
      "kernel", "unit", "start us", "end us", "npu us", "cim us", "npu nJ", "cim nJ",
      "overlapped with");
  double critical_ns = 0;
  int critical_count = 0;
  for (size_t i = 0; i < ex.size(); ++i) {
    const Explained& e = ex[i];
    if (!e.rec) continue;
    const std::string& name = w.kernels[i].name;
    const std::string shown = name.size() > 36 ? "…" + name.substr(name.size() - 35) : name;
    std::string with = "-";
    if (!e.overlapped.empty())
      with = fmt::format("{} ({}{})", e.overlapped.size(),
                         w.kernels[static_cast<size_t>(e.overlapped[0])].name,
                         e.overlapped.size() > 1 ? ", …" : "");
    out += fmt::format("{} {:<36} {:<6} {:>10.2f} {:>10.2f} {:>10} {:>10} {:>10} {:>10}  {}\n",
                       e.critical ? "*" : " ", shown,
                       e.rec->fused_into >= 0 ? "fused" : to_string(e.rec->unit),
                       e.rec->start_ns / 1000, e.rec->end_ns / 1000, us(e.est.npu_ns),
                       us(e.est.cim_ns), nj(e.est.npu_pj), nj(e.est.cim_pj), with);
    if (e.critical) ++critical_count;
    if (e.critical && e.rec->fused_into < 0) critical_ns += e.rec->end_ns - e.rec->start_ns;
  }
  out += fmt::format(
      "critical path: {} kernels, {:.1f} us of their own time (epilogues inside their GEMM) in a "
      "{:.1f} us inference\n",
      critical_count, critical_ns / 1000, s.inferences.front().latency_ns / 1000);
  return out;
}

}  // namespace h4h
