#include "sim/scalesim/scalesim_compat.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/user_error.h"
#include "frontend/utf8.h"

namespace h4h {
namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int64_t positive_int(const std::string& value, const std::string& key, const std::string& at) {
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (value.empty() || used != value.size())
    throw UserError(fmt::format("{}: {}: expected an integer, got '{}'", at, key, value));
  if (v <= 0) throw UserError(fmt::format("{}: {}: must be > 0, got {}", at, key, v));
  if (v > (int64_t{1} << 20)) throw UserError(fmt::format("{}: {}: {} is too large", at, key, v));
  return v;
}

}  // namespace

ScaleSimConfig parse_scalesim_cfg(const std::string& text, const std::string& origin) {
  // section.key (lower case) -> (value, line)
  std::map<std::string, std::pair<std::string, int>> kv;
  std::map<std::string, int> section_lines;  // lower case -> line of its header
  std::stringstream in{std::string(strip_utf8_bom(text))};
  std::string line, section;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    // Bytes that are not UTF-8, and control characters, become \xNN as they enter: the run
    // name becomes the arch name in JSON, and values reach messages.
    const std::string t = escape_unprintable(trim(line), /*keep_line_breaks=*/false);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']')
        throw UserError(fmt::format("{}:{}: malformed section header '{}'", origin, n, t));
      section = lower(trim(t.substr(1, t.size() - 2)));
      // SCALE-Sim reads the file with Python's configparser, which (strict by default)
      // refuses a section or a key given twice rather than keep one of them.
      const auto [first, added] = section_lines.emplace(section, n);
      if (!added)
        throw UserError(fmt::format("{}:{}: section [{}] is given twice (first at line {})",
                                    origin, n, section, first->second));
      continue;
    }
    const size_t sep = t.find_first_of(":=");
    if (sep == std::string::npos)
      throw UserError(fmt::format("{}:{}: expected 'Key: value', got '{}'", origin, n, t));
    const std::string key = trim(t.substr(0, sep));
    const auto [first, added] = kv.emplace(section + "." + lower(key), std::pair{trim(t.substr(sep + 1)), n});
    if (!added)
      throw UserError(fmt::format("{}:{}: [{}] {} is given twice (first at line {})", origin, n,
                                  section, key, first->second.second));
  }
  if (!kv.count("architecture_presets.arrayheight"))
    throw UserError(fmt::format("{}: not a SCALE-Sim config: [architecture_presets] ArrayHeight "
                                "is missing", origin));
  ScaleSimConfig c;
  auto get_int = [&](const char* key, const char* shown, int64_t def, bool required) {
    auto it = kv.find(std::string("architecture_presets.") + key);
    if (it == kv.end()) {
      if (required)
        throw UserError(fmt::format("{}: [architecture_presets] {} is missing", origin, shown));
      return def;
    }
    return positive_int(it->second.first, shown, fmt::format("{}:{}", origin, it->second.second));
  };
  c.array.rows = get_int("arrayheight", "ArrayHeight", 0, true);
  c.array.cols = get_int("arraywidth", "ArrayWidth", 0, true);
  c.ifmap_sram_kb = get_int("ifmapsramszkb", "IfmapSramSzkB", 64, false);
  c.filter_sram_kb = get_int("filtersramszkb", "FilterSramSzkB", 64, false);
  c.ofmap_sram_kb = get_int("ofmapsramszkb", "OfmapSramSzkB", 64, false);
  c.bandwidth_words_per_cycle = get_int("bandwidth", "Bandwidth", 10, false);
  auto df = kv.find("architecture_presets.dataflow");
  const std::string dataflow = df == kv.end() ? "os" : lower(df->second.first);
  if (dataflow == "os") c.array.dataflow = SystolicDataflow::os;
  else if (dataflow == "ws") c.array.dataflow = SystolicDataflow::ws;
  else if (dataflow == "is") c.array.dataflow = SystolicDataflow::is;
  else
    throw UserError(fmt::format("{}:{}: Dataflow: '{}' is not one of os, ws, is", origin,
                                df->second.second, df->second.first));
  auto rn = kv.find("general.run_name");
  if (rn != kv.end() && !rn->second.first.empty()) c.run_name = rn->second.first;
  return c;
}

ScaleSimConfig load_scalesim_cfg(const std::string& path) {
  return parse_scalesim_cfg(read_user_file(path, "a SCALE-Sim .cfg file"), path);
}

std::vector<ScaleSimLayerReport> scalesim_compute_report(const ScaleSimConfig& cfg,
                                                         const Workload& w) {
  auto is_layer = [](const Kernel& k) {  // SCALE-Sim has no other layer kinds
    return k.cls == KernelClass::conv || k.cls == KernelClass::linear ||
           k.cls == KernelClass::matmul;
  };
  int64_t row_count = 0;
  for (const auto& k : w.kernels) {
    if (!is_layer(k)) continue;
    row_count += std::max<int64_t>(k.gemm.batch, 1);  // each <= 2^40: no overflow before the check
    if (row_count > kMaxComputeReportRows)
      throw UserError(fmt::format(
          "{}: COMPUTE_REPORT.csv would have more than {} rows (at layer '{}', {} rows: SCALE-Sim "
          "reports a depthwise layer channel by channel), h4hsim's limit",
          w.model, kMaxComputeReportRows, k.name, std::max<int64_t>(k.gemm.batch, 1)));
  }
  std::vector<ScaleSimLayerReport> rows;
  rows.reserve(static_cast<size_t>(row_count));
  const double pes = static_cast<double>(cfg.array.rows * cfg.array.cols);
  for (const auto& k : w.kernels) {
    if (!is_layer(k)) continue;
    const int64_t groups = std::max<int64_t>(k.gemm.batch, 1);
    const FoldPlan p = plan_gemm(cfg.array, k.gemm.m, k.gemm.k, k.gemm.n);
    const double macs = static_cast<double>(k.gemm.m * k.gemm.k * k.gemm.n);
    for (int64_t g = 0; g < groups; ++g) {
      ScaleSimLayerReport r;
      r.name = groups > 1 ? fmt::format("{}Channel_{}", k.name, g) : k.name;
      r.total_cycles = p.compute_cycles;
      r.stall_cycles = 0;  // ideal memory
      const int64_t counted_cycles = std::max<int64_t>(r.total_cycles, 1);  // see plan_gemm
      r.overall_util_pct = 100.0 * macs / (static_cast<double>(counted_cycles) * pes);
      r.mapping_efficiency_pct = 100.0 * p.mapping_efficiency;
      r.compute_util_pct = 100.0 * p.compute_utilization;
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

ArchConfig arch_from_scalesim(const ScaleSimConfig& c) {
  ArchConfig a = default_arch_config();
  a.name = c.run_name;
  a.origin = c.run_name;
  a.npu.enabled = true;
  a.cim.enabled = false;
  a.npu.array = c.array;
  a.npu.sram.ifmap_kib = c.ifmap_sram_kb;
  a.npu.sram.filter_kib = c.filter_sram_kb;
  a.npu.sram.ofmap_kib = c.ofmap_sram_kb;
  int64_t width = 1;
  while (width < c.bandwidth_words_per_cycle) width *= 2;
  a.bus.width_bytes = width;
  a.bus.clock_mhz = a.npu.clock_mhz;
  validate_arch_config(a);
  return a;
}

std::string format_compute_report(const std::vector<ScaleSimLayerReport>& rows) {
  std::string out =
      "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    out += fmt::format("{}, {}, {}, {}, {}, {},\n", i, r.total_cycles, r.stall_cycles,
                       r.overall_util_pct, r.mapping_efficiency_pct, r.compute_util_pct);
  }
  return out;
}

}  // namespace h4h
