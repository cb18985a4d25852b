#include "sim/engine/critical_path.h"

#include <algorithm>
#include <map>
#include <utility>

namespace h4h {

std::vector<bool> critical_kernels(const RunStats& s, const Workload& w) {
  const size_t n = w.kernels.size();
  std::vector<const KernelRecord*> rec(n, nullptr);
  for (const auto& r : s.records)
    if (r.inference == 0) rec[static_cast<size_t>(r.index)] = &r;
  auto computes = [](const KernelRecord& r) { return r.fused_into < 0 && r.end_ns > r.start_ns; };
  // Per unit instance, the kernels that computed on it by end time: the one before a kernel
  // is the last to end by its start (a binary search, so the walk is O(n log n)).
  std::map<std::pair<Unit, int>, std::vector<std::pair<double, int>>> on_unit;
  for (size_t i = 0; i < n; ++i)
    if (rec[i] && computes(*rec[i]))
      on_unit[{rec[i]->unit, rec[i]->unit_instance}].emplace_back(rec[i]->end_ns,
                                                                  static_cast<int>(i));
  for (auto& [unit, ends] : on_unit) std::sort(ends.begin(), ends.end());

  std::vector<bool> critical(n, false);
  int at = -1;
  for (size_t i = 0; i < n; ++i)
    if (rec[i] && (at < 0 || rec[i]->end_ns > rec[static_cast<size_t>(at)]->end_ns))
      at = static_cast<int>(i);
  while (at >= 0 && !critical[static_cast<size_t>(at)]) {
    const KernelRecord& r = *rec[static_cast<size_t>(at)];
    critical[static_cast<size_t>(at)] = true;
    if (r.fused_into >= 0) {  // an epilogue runs inside its GEMM: the GEMM held it
      at = r.fused_into;
      continue;
    }
    int next = -1;
    double latest = -1;
    auto consider = [&](int k) {
      const KernelRecord* p = rec[static_cast<size_t>(k)];
      if (p && p->end_ns <= r.start_ns + 1e-6 && p->end_ns > latest) latest = p->end_ns, next = k;
    };
    for (int p : w.kernels[static_cast<size_t>(at)].producers) consider(p);
    const auto it = on_unit.find({r.unit, r.unit_instance});
    if (it != on_unit.end()) {
      const auto& ends = it->second;
      // The last kernel on this unit instance to end by r's start (other than r itself).
      auto pos = std::upper_bound(ends.begin(), ends.end(),
                                  std::make_pair(r.start_ns + 1e-6, static_cast<int>(n)));
      while (pos != ends.begin()) {
        --pos;
        if (pos->second != at) {
          consider(pos->second);
          break;
        }
      }
    }
    at = next;
  }
  return critical;
}

}  // namespace h4h
