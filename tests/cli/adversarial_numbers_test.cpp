// Numbers at the command line, end to end: every floating-point flag of every command refuses
// NaN and infinity and prints its bounds readably (one validator, cli/number_flags.h), a
// config whose derived quantities would divide by zero is one line and exit 2 for every
// command that reads it, never a signal, and no NaN reaches a file as `null`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "sim/config/arch_config.h"
#include "tests/cli/cli_test_util.h"

namespace h4h {
namespace {

using test::CliResult;
using test::src;

void expect_refused(const CliResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "h4hsim: error: " + line + "\n");
}

// Subcommand paths ("run", "nas search", ...) from the help's "Subcommands:" sections, recursively.
std::vector<std::string> every_command(const std::string& prefix = "") {
  std::vector<std::string> out;
  const std::string help = test::run_cli(prefix + " --help").out;
  const size_t at = help.find("Subcommands:");
  if (at == std::string::npos) return out;
  std::istringstream lines(help.substr(at));
  std::string line;
  std::getline(lines, line);
  static const std::regex sub(R"(^  ([a-z][a-z-]*)\s)");
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_search(line, m, sub)) {
      if (line.empty() || line[0] != ' ') break;
      continue;
    }
    const std::string path = prefix.empty() ? m[1].str() : prefix + " " + m[1].str();
    out.push_back(path);
    for (const auto& child : every_command(path)) out.push_back(child);
  }
  return out;
}

// The floating-point flags of one command, as its help lists them (CLI11 types them FLOAT).
std::vector<std::string> float_flags(const std::string& command) {
  std::vector<std::string> out;
  std::istringstream lines(test::run_cli(command + " --help").out);
  static const std::regex flag(R"((--[a-z0-9-]+) FLOAT)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, flag)) out.push_back(m[1].str());
  }
  return out;
}

TEST(AdversarialNumbers, EveryFloatingPointFlagOfEveryCommandRefusesNanAndInfinity) {
  // `--max-latency-ms nan` ran an unconstrained search (NaN > 0 is false, so CLI11's
  // PositiveNumber let it through); so did inf and 1e999.
  std::set<std::string> seen;
  for (const std::string& command : every_command())
    for (const std::string& f : float_flags(command)) {
      seen.insert(f);
      for (const std::string bad : {"nan", "inf", "-inf", "1e999", "NaN"}) {
        SCOPED_TRACE(command + " " + f + " " + bad);
        expect_refused(test::run_cli(command + " " + f + " " + bad),
                       f + ": expected a finite number, got '" + bad + "' (see --help)");
      }
    }
  // The walk found the commands and their flags (a help format change must not hollow it).
  // `nas train`'s --lr and --inherited-lr-scale are checked alike where h4hsim has libtorch;
  // without it, `nas train` hands its whole command line to h4hsim-torch unparsed.
  for (const char* f : {"--max-latency-ms", "--max-energy-mj", "--timeout-s"})
    EXPECT_TRUE(seen.count(f)) << f;
}

TEST(AdversarialNumbers, FloatingPointFlagBoundsAreReadable) {
  // CLI11 printed DBL_MAX with std::to_string: "Value -1 not in range 0.000000 to 1797693...
  // (309 digits).000000".
  expect_refused(test::run_cli("sweep run spec.yaml --db x.sqlite --timeout-s -1"),
                 "--timeout-s: must be >= 0, got -1 (see --help)");
  expect_refused(test::run_cli("nas search --max-latency-ms 0"),
                 "--max-latency-ms: must be > 0, got 0 (see --help)");
  expect_refused(test::run_cli("nas search --max-energy-mj -2"),
                 "--max-energy-mj: must be > 0, got -2 (see --help)");
}

// A config file in a private directory, removed afterwards.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text, const std::string& ext = ".yaml")
      : path_((std::filesystem::temp_directory_path() /
               ("h4h_numbers_" + std::to_string(::getpid()) + ext))
                  .string()) {
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(AdversarialNumbers, AConfigWhoseBurstIsAFractionOfAByteIsOneLineForEveryCommand) {
  // Before: SIGFPE (exit 136) from config check, run, sweep plan and nas lut alike.
  const ConfigFile cfg("dram:\n  burst_length: 4\n  bus_width_bits: 1\n");
  const std::string msg = cfg.path() +
                          ": dram.burst_length x dram.bus_width_bits = 4 x 1 = 4 bits per burst: a "
                          "burst must move whole bytes (at least 8 bits)";
  expect_refused(test::run_cli("config check " + cfg.path()), msg);
  expect_refused(test::run_cli("config show " + cfg.path()), msg);
  expect_refused(test::run_cli("run --model " + src("tests/data/onnx/tiny_cnn_op17.onnx") +
                               " --arch " + cfg.path()),
                 msg);
  const std::string lut = cfg.path() + ".lut.json";
  expect_refused(test::run_cli("nas lut --space h4h_fmnist --arch " + cfg.path() + " --out " + lut),
                 msg);
  EXPECT_FALSE(std::filesystem::exists(lut));
}

TEST(AdversarialNumbers, ScaleSimReportOfALayerOfZeroCountedCyclesHasFiniteUtilizations) {
  // One MAC on a 1x1 OS array: SCALE-Sim's fold rule counts 0 cycles, and the report's
  // utilizations were MACs / 0: `0, 0, 0, inf, 100, inf,`.
  const ConfigFile cfg(
      "[general]\nrun_name = one\n[architecture_presets]\nArrayHeight: 1\nArrayWidth: 1\n"
      "Dataflow: os\n");
  const ConfigFile topo(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nL1, 1, 1, 1, 1, 1, 1, 1,\n",
      ".csv");
  const std::string out = cfg.path() + ".out";
  const CliResult r =
      test::run_cli("scalesim -c " + cfg.path() + " -t " + topo.path() + " -o " + out);
  const std::string report = test::slurp(out + "/COMPUTE_REPORT.csv");
  std::filesystem::remove_all(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      report,
      "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n"
      "0, 0, 0, 100, 100, 100,\n");
}

// Every number in a JSON document is finite (nlohmann writes NaN and inf as null).
bool all_finite(const nlohmann::json& j) {
  if (j.is_null()) return false;
  if (j.is_number_float()) return std::isfinite(j.get<double>());
  if (j.is_structured())
    for (const auto& v : j)
      if (!all_finite(v)) return false;
  return true;
}

TEST(AdversarialNumbers, AnAllZeroEnergyTableGivesAFiniteLutCorrectionAndAOneLineValidateError) {
  // With one calibration sample the correction is simulated / estimated energy: 0 / 0 was a
  // NaN slope, written to the LUT as null (and read back as a type error).
  // Every energy key the declaration table has, and the leakage scales (static power comes
  // from the area), so a new one cannot be missed.
  // Sorted paths, as nested YAML: a map is opened where a path first differs from the last.
  std::set<std::string> paths;
  for (const auto& d : arch_param_decls())
    if (d.path.rfind("energy.", 0) == 0 || (d.path.rfind("tech.", 0) == 0 && d.path.find("leakage") != std::string::npos))
      paths.insert(d.path);
  std::string yaml;
  std::vector<std::string> open;
  for (const std::string& p : paths) {
    std::vector<std::string> parts;
    std::stringstream path(p);
    for (std::string part; std::getline(path, part, '.');) parts.push_back(part);
    size_t same = 0;
    while (same < open.size() && same + 1 < parts.size() && open[same] == parts[same]) ++same;
    for (size_t i = same; i < parts.size(); ++i)
      yaml += std::string(2 * i, ' ') + parts[i] + (i + 1 < parts.size() ? ":\n" : ": 0\n");
    open.assign(parts.begin(), parts.end() - 1);
  }
  const ConfigFile cfg(yaml);
  const std::string lut = cfg.path() + ".lut.json";
  const CliResult r = test::run_cli("nas lut -q --space h4h_fmnist --calibration 1 --arch " +
                                    cfg.path() + " --out " + lut);
  const std::string text = test::slurp(lut);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("; energy = 1.0000 x sum +0 pJ\n"), std::string::npos) << r.out;
  EXPECT_EQ(text.find("null"), std::string::npos);
  EXPECT_TRUE(all_finite(nlohmann::json::parse(text)));
  // Relative energy errors against 0 pJ are undefined: the config's doing, not an internal
  // error ("mape_pct: ref[0] is 0", exit 3).
  expect_refused(
      test::run_cli("nas validate -q --space h4h_fmnist --samples 2 --arch " + cfg.path() +
                    " --lut " + lut),
      cfg.path() +
          ": a subnet simulates to 0 pJ, so the estimate's relative energy errors are undefined "
          "(are all of its energy keys 0?)");
  std::remove(lut.c_str());
}

}  // namespace
}  // namespace h4h
