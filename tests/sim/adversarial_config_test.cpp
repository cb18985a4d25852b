// Config arithmetic and non-finite numbers: every quantity a model derives from several
// keys is a cross-field rule with a message naming the keys (never a division by zero, a
// loop on a zero step or a time past SystemC's range), energy/power/area keys have physical
// upper bounds, clocks a physical floor, the auto schema's cost estimates saturate, and a
// NaN or inf that still reached a run's results would be an internal error, never a number
// to print. The property test walks every declared key at its extreme legal values, alone
// and in seeded random pairs, through the config check and a run of two tiny models.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/config/arch_config.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/report.h"
#include "tests/user_error_of.h"
#include "tests/bounded_run.h"

namespace h4h {
namespace {

std::string src(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }

std::string arch_error(const std::string& yaml) {
  return test::user_error_of([&] { parse_arch_config(yaml, "t.yaml"); });
}

// --- Cross-field rules on derived quantities ------------------------------------------------

TEST(AdversarialConfig, DramBurstBytesFromBurstLengthTimesWidthIsACrossFieldRule) {
  // 4 beats of 1 bit: half a byte per burst; burst_bytes() was 0 and `row_bytes % 0` killed
  // config check, run, sweep and nas lut with SIGFPE.
  EXPECT_EQ(arch_error("dram:\n  burst_length: 4\n  bus_width_bits: 1\n"),
            "t.yaml: dram.burst_length x dram.bus_width_bits = 4 x 1 = 4 bits per burst: a "
            "burst must move whole bytes (at least 8 bits)");
  EXPECT_EQ(arch_error("dram:\n  burst_length: 2\n  bus_width_bits: 2\n"),
            "t.yaml: dram.burst_length x dram.bus_width_bits = 2 x 2 = 4 bits per burst: a "
            "burst must move whole bytes (at least 8 bits)");
  EXPECT_EQ(arch_error("dram:\n  burst_length: 2\n  bus_width_bits: 4\n  row_bytes: 1\n"),
            "(no error)");
}

TEST(AdversarialConfig, DramRowOfPartialBurstsNamesTheKeysOfTheBurstSize) {
  // 16 beats x 16 bits = 32 B per burst.
  EXPECT_EQ(arch_error("dram:\n  row_bytes: 16\n"),
            "t.yaml: dram.row_bytes: 16 is not a whole number of bursts (dram.burst_length x "
            "dram.bus_width_bits / 8 = 32 B)");
}

TEST(AdversarialConfig, DramBurstOfOneBeatIsRefused) {
  // Double data rate: a burst takes burst_length / 2 tCK, which was 0 for one beat (data in
  // no time, an infinite peak bandwidth).
  EXPECT_EQ(arch_error("dram:\n  burst_length: 1\n  bus_width_bits: 8\n  row_bytes: 1\n"),
            "t.yaml: dram.burst_length: must be >= 2, got 1 (line 2)");
}

TEST(AdversarialConfig, DramRefreshNoLongerApartThanItLastsInWholeClocksIsRefused) {
  // 999.9 ns < 1000 ns, but at 1 ns per tCK both round to 1000 tCK: the model's refresh loop
  // (each refresh ends no earlier than the next one is due) never ended.
  EXPECT_EQ(arch_error("dram:\n  tck_ps: 1000\n  refresh:\n    enabled: true\n    trefi_ns: 1000\n"
                       "    trfc_ns: 999.9\n"),
            "t.yaml: dram.refresh.trfc_ns (999.9 ns = 1000 tCK) must be shorter than "
            "dram.refresh.trefi_ns (1000 ns = 1000 tCK at dram.tck_ps 1000 ps)");
  EXPECT_EQ(arch_error("dram:\n  tck_ps: 1000\n  refresh:\n    enabled: true\n    trefi_ns: 1000\n"
                       "    trfc_ns: 999\n"),
            "(no error)");
  // With refresh off the pair is never used, so it is not checked.
  EXPECT_EQ(arch_error("dram:\n  tck_ps: 1000\n  refresh:\n    enabled: false\n    trefi_ns: 1000\n"
                       "    trfc_ns: 1000\n"),
            "(no error)");
}

TEST(AdversarialConfig, ClocksAndRefreshIntervalHavePhysicalFloors) {
  // A 1e-12 MHz clock is a period of 10^18 ps: its cycle counts left SystemC's time and the
  // auto schema's int64 cost estimates.
  EXPECT_EQ(arch_error("cim:\n  clock_mhz: 1e-12\n"),
            "t.yaml: cim.clock_mhz: must be >= 1, got 1e-12 (line 2)");
  EXPECT_EQ(arch_error("npu:\n  clock_mhz: 0.5\n"),
            "t.yaml: npu.clock_mhz: must be >= 1, got 0.5 (line 2)");
  EXPECT_EQ(arch_error("bus:\n  clock_mhz: 5e-324\n"),
            "t.yaml: bus.clock_mhz: must be >= 1, got 5e-324 (line 2)");
  EXPECT_EQ(arch_error("dram:\n  refresh:\n    trefi_ns: 50\n"),
            "t.yaml: dram.refresh.trefi_ns: must be >= 100, got 50 (line 3)");
}

TEST(AdversarialConfig, ConfigBuiltInCodeIsCheckedAgainstEveryKeysBoundsToo) {
  // SCALE-Sim's .cfg becomes an ArchConfig without the YAML reader: validate_arch_config
  // checks each key's own bounds as well as the cross-field rules.
  ArchConfig cfg = default_arch_config();
  cfg.origin = "built";
  EXPECT_NO_THROW(validate_arch_config(cfg));
  cfg.cim.clock_mhz = 1e-12;
  try {
    validate_arch_config(cfg);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "built: cim.clock_mhz: must be >= 1, got 1e-12");
  }
}

// --- Physical upper bounds ----------------------------------------------------------------

TEST(AdversarialConfig, EnergyPowerAndAreaKeysHavePhysicalUpperBounds) {
  // 1e300 pJ per activation times a few activations was inf, printed as `null` in the JSON.
  EXPECT_EQ(arch_error("energy:\n  dram_activate_pj: 1e300\n"),
            "t.yaml: energy.dram_activate_pj: must be <= 1000000, got 1e+300 (line 2)");
  EXPECT_EQ(arch_error("energy:\n  leakage:\n    dram_mw: 1.5e6\n"),
            "t.yaml: energy.leakage.dram_mw: must be <= 1000000, got 1500000 (line 3)");
  EXPECT_EQ(arch_error("area:\n  cim_macro_mm2: 1e308\n"),
            "t.yaml: area.cim_macro_mm2: must be <= 100000, got 1e+308 (line 2)");
  // Every energy, power and area key has one.
  for (const auto& d : arch_param_decls())
    if (d.path.rfind("energy.", 0) == 0 || d.path.rfind("area.", 0) == 0) {
      SCOPED_TRACE(d.path);
      ASSERT_TRUE(d.constraint.max.has_value());
      EXPECT_LE(*d.constraint.max, 1e6);
    }
}

// --- Saturating cost estimates and non-finite results ------------------------------------

TEST(AdversarialConfig, AutoSchemaCostOfAVerySlowClockSaturatesInsteadOfWrapping) {
  // The config refuses such a clock now; the mapper's estimate must not depend on that. At
  // 1e-12 MHz a layer's CIM time in ns overflowed int64 into a negative number, which won
  // the comparison and sent every conv to CIM.
  const Workload w = load_onnx_workload(src("tests/data/onnx/tiny_cnn_op17.onnx"), {});
  ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  cfg.cim.clock_mhz = 1e-12;
  SchemaSpec spec;
  spec.schema = Schema::auto_select;
  const Mapping m = map_workload(w, cfg, spec);
  int gemms = 0;
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const KernelClass c = w.kernels[i].cls;
    if (c != KernelClass::conv && c != KernelClass::linear) continue;
    ++gemms;
    EXPECT_EQ(m.kernels[i].unit, Unit::npu) << w.kernels[i].name;
    EXPECT_GE(m.kernels[i].estimated_ns, 0) << w.kernels[i].name;
  }
  EXPECT_GT(gemms, 0);
}

TEST(AdversarialConfig, NonFiniteResultIsAnInternalErrorNamingTheQuantity) {
  RunStats st;
  st.npu_clock_mhz = 800;
  st.inferences.resize(2);
  EXPECT_NO_THROW(check_results_finite(st));
  st.inferences[1].energy.dram = std::numeric_limits<double>::infinity();
  try {
    check_results_finite(st);
    FAIL() << "no error";
  } catch (const UserError&) {
    FAIL() << "a non-finite result is our bug, not the user's";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(),
                 "a non-finite number reached the results: inference 1 energy_pj.dram is inf");
  }
  st.inferences[1].energy.dram = 0;
  st.records.resize(1);
  st.records[0].index = 3;
  st.records[0].end_ns = std::nan("");
  try {
    check_results_finite(st);
    FAIL() << "no error";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(),
                 "a non-finite number reached the results: kernel 3 (inference 0) end_ns is nan");
  }
}

TEST(AdversarialConfig, NonFiniteNumberInAResultDocumentIsFoundByItsPath) {
  // What the sweep checks before it stores a row as ok.
  nlohmann::json j = {{"latency_ns", 5.0},
                      {"kernels", {{{"energy_pj", 1.0}}, {{"energy_pj", 2.0}}}}};
  EXPECT_EQ(first_non_finite(j), std::nullopt);
  j["kernels"][1]["energy_pj"] = std::nan("");
  EXPECT_EQ(first_non_finite(j), "kernels[1].energy_pj");
  j["energy_breakdown_pj"] = {{"dram", -std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(first_non_finite(j), "energy_breakdown_pj.dram");  // objects iterate in key order
  EXPECT_EQ(first_non_finite(nlohmann::json(std::nan(""))), "");
}

// --- Property: every key at its extreme legal values -----------------------------------------

// The smallest and largest legal value of a numeric key (from its declared constraint).
std::pair<double, double> legal_range(const ParamDecl<ArchConfig>& d) {
  const ParamConstraint& c = d.constraint;
  const bool integer = d.type == ParamType::integer;
  if (!c.allowed_ints.empty())
    return {static_cast<double>(c.allowed_ints.front()),
            static_cast<double>(c.allowed_ints.back())};
  double lo = integer ? static_cast<double>(std::numeric_limits<int64_t>::min())
                      : -std::numeric_limits<double>::max();
  if (c.non_negative) lo = 0;
  if (c.positive) lo = integer ? 1 : std::numeric_limits<double>::denorm_min();
  if (c.min) lo = std::max(lo, *c.min);
  double hi = c.max ? *c.max : integer ? 9.2e18 : std::numeric_limits<double>::max();
  return {lo, hi};
}

std::string value_text(const ParamDecl<ArchConfig>& d, double x) {
  if (d.type == ParamType::integer) return std::to_string(static_cast<int64_t>(x));
  return format_param_value(ParamValue{x});
}

// The values the property walks for one key: its extremes, 1, and the powers of two next to
// each extreme (for a power-of-two key: the two smallest and two largest legal ones), each
// kept only when the key's own constraint accepts it.
std::vector<std::string> extreme_values(const ParamDecl<ArchConfig>& d) {
  std::vector<std::string> out;
  if (d.type == ParamType::boolean) return {"true", "false"};
  if (d.type == ParamType::choice) return d.constraint.choices;
  if (d.type == ParamType::text) return {};
  if (!d.constraint.allowed_ints.empty()) {
    for (int64_t v : d.constraint.allowed_ints) out.push_back(std::to_string(v));
    return out;
  }
  const auto [lo, hi] = legal_range(d);
  std::vector<double> xs = {lo, hi, 1};
  for (double e : {std::ceil(std::log2(lo)), std::floor(std::log2(hi))})
    for (double k : {e - 1, e, e + 1}) xs.push_back(std::exp2(k));
  if (d.type == ParamType::real) xs.push_back(std::nextafter(lo, hi));
  std::set<std::string> seen;
  for (double x : xs) {
    if (!(x >= lo && x <= hi)) continue;
    const std::string text = value_text(d, x);
    ParamValue v =
        d.type == ParamType::integer ? ParamValue{static_cast<int64_t>(x)} : ParamValue{x};
    if (check_param_constraint(v, d.constraint)) continue;
    if (seen.insert(text).second) out.push_back(text);
  }
  return out;
}

// Dotted keys as nested YAML, so the case goes through the same parser as a file.
std::string nested_yaml(const std::map<std::string, std::string>& sets) {
  std::string out;
  std::vector<std::string> open;
  for (const auto& [path, value] : sets) {
    std::vector<std::string> parts;
    for (size_t b = 0, e; b <= path.size(); b = e + 1) {
      e = path.find('.', b);
      if (e == std::string::npos) e = path.size();
      parts.push_back(path.substr(b, e - b));
    }
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common])
      ++common;
    open.resize(common);
    for (size_t k = common; k + 1 < parts.size(); ++k) {
      out += std::string(2 * k, ' ') + parts[k] + ":\n";
      open.push_back(parts[k]);
    }
    out += std::string(2 * (parts.size() - 1), ' ') + parts.back() + ": " + value + "\n";
  }
  return out;
}

struct Outcome {
  bool refused = false;  // the config check refused it (exit 2)
  std::string detail;    // the message, or what the runs did
};

// Config check in this process; the runs in a child (one SystemC elaboration per process),
// each model under every schema. The child's result: one letter per run, 'r' ran with finite
// numbers, 'u' refused (a UserError: exit 2), or it throws (an internal error, exit 3).
Outcome check_and_run(const std::map<std::string, std::string>& sets,
                      const std::vector<Workload>& models) {
  Outcome o;
  const std::string yaml = nested_yaml(sets);
  ArchConfig cfg;
  try {
    cfg = parse_arch_config(yaml, "case.yaml");
    (void)show_arch_config(cfg);
  } catch (const UserError& e) {
    o.refused = true;
    o.detail = e.what();
    EXPECT_EQ(o.detail.find('\n'), std::string::npos) << o.detail;
    EXPECT_EQ(o.detail.rfind("case.yaml: ", 0), 0u) << o.detail;
    return o;
  }
  const auto r = test::run_in_child(
      [&] {
        System sys(cfg);
        std::string runs;
        for (const Workload& loaded : models)
          for (Schema s : {Schema::npu_only, Schema::cim_static, Schema::hetero_parallel,
                           Schema::auto_select}) {
            SchemaSpec spec;
            spec.schema = s;
            try {
              const Workload w = at_precision(loaded, cfg);
              const Mapping m = map_workload(w, cfg, spec);
              RunOptions ro;
              ro.inferences = 2;
              const RunStats st = sys.run(w, m, ro);
              if (auto at = first_non_finite(run_to_json(st, w)))
                throw std::logic_error("a non-finite number in the JSON: " + *at);
              runs += 'r';
            } catch (const UserError& e) {
              if (std::string(e.what()).find('\n') != std::string::npos)
                throw std::logic_error(std::string("a message of several lines: ") + e.what());
              runs += 'u';
              // A watchdog stop abandons the elaboration: nothing more runs on it.
              if (std::string(e.what()).find("simulated chip time") != std::string::npos)
                return runs;
            }
          }
        return runs;
      },
      60);
  EXPECT_TRUE(r.exited) << "killed by signal " << r.signal << " (" << strsignal(r.signal) << ")\n"
                        << yaml;
  EXPECT_EQ(r.exit_code, 0) << "internal error: " << r.message << "\n" << yaml;
  o.detail = r.message;
  return o;
}

using Sets = std::map<std::string, std::string>;

// Every (key, extreme value) of the declaration table.
std::vector<std::pair<std::string, std::string>> every_extreme_value() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& d : arch_param_decls())
    for (const std::string& v : extreme_values(d)) out.emplace_back(d.path, v);
  return out;
}

// Refresh switches on derived quantities of its own (tREFI and tRFC in tCK), so every case
// also runs on a base with refresh enabled.
const std::vector<Sets>& bases() {
  static const std::vector<Sets> b = {{}, {{"dram.refresh.enabled", "true"}}};
  return b;
}

TEST(AdversarialConfig, EveryPairOfKeysAtExtremeLegalValuesPassesTheConfigCheckOrIsOneLine) {
  // The config check alone is cheap, so every pair of (key, extreme value), on each base.
  // In a child, so a crash (a division by zero in a rule) fails this test, not the suite.
  const auto singles = every_extreme_value();
  const auto r = test::run_in_child(
      [&] {
        int64_t checked = 0, refused = 0;
        for (const Sets& base : bases())
          for (size_t i = 0; i < singles.size(); ++i)
            for (size_t j = i + 1; j < singles.size(); ++j) {
              if (singles[i].first == singles[j].first) continue;
              Sets sets = base;
              sets[singles[i].first] = singles[i].second;
              sets[singles[j].first] = singles[j].second;
              const std::string yaml = nested_yaml(sets);
              try {
                ++checked;
                (void)config_hash(parse_arch_config(yaml, "case.yaml"));
              } catch (const UserError& e) {
                ++refused;
                const std::string msg = e.what();
                if (msg.find('\n') != std::string::npos || msg.rfind("case.yaml: ", 0) != 0)
                  throw std::logic_error("not one line naming the file: " + msg + "\n" + yaml);
              }
            }
        return std::to_string(checked) + " " + std::to_string(refused);
      },
      120);
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal << " (" << strsignal(r.signal) << ")";
  ASSERT_EQ(r.exit_code, 0) << r.message;
  int64_t checked = 0, refused = 0;
  std::istringstream(r.message) >> checked >> refused;
  RecordProperty("configs_checked", std::to_string(checked));
  RecordProperty("configs_refused", std::to_string(refused));
  EXPECT_GT(checked, 50000);
  EXPECT_GT(refused, 0);
  EXPECT_LT(refused, checked);
}

TEST(AdversarialConfig,
     EveryKeyAtItsExtremeLegalValuesChecksAndRunsWithoutASignalOrNonFiniteNumber) {
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    GTEST_SKIP() << "SystemC elaborates once per process: run this test alone (ctest does)";
  const std::vector<Workload> models = {
      load_onnx_workload(src("tests/data/onnx/tiny_cnn_op17.onnx"), {}),
      load_onnx_workload(src("tests/data/onnx/tiny_attention_op17.onnx"), {})};
  const auto singles = every_extreme_value();
  ASSERT_GT(singles.size(), 300u);
  int refused = 0, ran = 0;
  for (const Sets& base : bases())
    for (const auto& [path, value] : singles) {
      SCOPED_TRACE(path + ": " + value);
      Sets sets = base;
      sets[path] = value;
      const Outcome o = check_and_run(sets, models);
      (o.refused ? refused : ran) += 1;
    }
  // Seeded pairs of two different keys, each at one of its extreme values: half within one
  // component (npu, cim, bus, dram, ...), where the cross-field rules are.
  std::mt19937_64 rng(14);
  std::uniform_int_distribution<size_t> pick(0, singles.size() - 1);
  auto group = [](const std::string& path) { return path.substr(0, path.find('.')); };
  for (int i = 0; i < 300; ++i) {
    const auto& a = singles[pick(rng)];
    auto b = singles[pick(rng)];
    while (i % 2 == 0 && group(b.first) != group(a.first)) b = singles[pick(rng)];
    if (a.first == b.first) continue;
    SCOPED_TRACE(a.first + ": " + a.second + ", " + b.first + ": " + b.second);
    Sets sets = bases()[static_cast<size_t>(i / 2) % bases().size()];
    sets[a.first] = a.second;
    sets[b.first] = b.second;
    const Outcome o = check_and_run(sets, models);
    (o.refused ? refused : ran) += 1;
  }
  RecordProperty("configs_run", ran);
  RecordProperty("configs_refused", refused);
  // Most cases run; some break a cross-field rule (e.g. cim.cols_per_adc 65536 > cim.cols).
  EXPECT_GT(ran, static_cast<int>(singles.size()));
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace h4h
