// `h4hsim scalesim` against the real SCALE-Sim v2: every row of
// tests/data/scalesim/reference/scalesim_v2_total_cycles.csv is a "Total Cycles" number that
// SCALE-Sim v2 printed in its COMPUTE_REPORT.csv (see the README beside it for the commit and
// the commands). Our compat code must reproduce each one exactly, for every topology,
// dataflow, array shape and layer listed — through the library (scalesim_compute_report) and
// through the CLI that users run.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "frontend/scalesim_topology.h"
#include "sim/scalesim/scalesim_compat.h"

namespace h4h {
namespace {

namespace fs = std::filesystem;

const std::string kDataDir = std::string(H4H_SOURCE_DIR) + "/tests/data/scalesim/";
const std::string kReference = kDataDir + "reference/scalesim_v2_total_cycles.csv";

struct RefRow {
  std::string topology, dataflow;
  int64_t rows = 0, cols = 0;
  std::string layer;
  int64_t total_cycles = 0;
  int line = 0;  // in the reference file, for failure messages
};

// (topology, dataflow, rows, cols): one SCALE-Sim run setting.
using RunKey = std::tuple<std::string, std::string, int64_t, int64_t>;

std::string describe(const RunKey& k) {
  return std::get<0>(k) + " " + std::get<1>(k) + " " + std::to_string(std::get<2>(k)) + "x" +
         std::to_string(std::get<3>(k));
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream s(line);
  std::string x;
  while (std::getline(s, x, ',')) f.push_back(x);
  return f;
}

std::vector<RefRow> load_reference() {
  std::ifstream in(kReference);
  if (!in) throw std::runtime_error("cannot open " + kReference);
  std::string line;
  std::getline(in, line);
  if (line != "topology,dataflow,rows,cols,layer,total_cycles")
    throw std::runtime_error(kReference + ": unexpected header '" + line + "'");
  std::vector<RefRow> rows;
  int n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    const auto f = split_csv(line);
    if (f.size() != 6)
      throw std::runtime_error(kReference + ":" + std::to_string(n) + ": expected 6 fields");
    RefRow r;
    r.topology = f[0];
    r.dataflow = f[1];
    r.rows = std::stoll(f[2]);
    r.cols = std::stoll(f[3]);
    r.layer = f[4];
    r.total_cycles = std::stoll(f[5]);
    r.line = n;
    rows.push_back(r);
  }
  return rows;
}

std::map<RunKey, std::vector<RefRow>> by_run(const std::vector<RefRow>& rows) {
  std::map<RunKey, std::vector<RefRow>> runs;
  for (const auto& r : rows) runs[{r.topology, r.dataflow, r.rows, r.cols}].push_back(r);
  return runs;
}

// The .cfg the reference was produced with (README): SRAMs far larger than any operand and
// InterfaceBandwidth CALC, so SCALE-Sim never stalls (its Stall Cycles were 0 in every row).
std::string cfg_text(const RunKey& k) {
  const auto& [topology, dataflow, rows, cols] = k;
  return "[general]\nrun_name = ref_" + dataflow + "_" + std::to_string(rows) + "x" +
         std::to_string(cols) +
         "\n\n[architecture_presets]\n"
         "ArrayHeight:    " + std::to_string(rows) + "\n"
         "ArrayWidth:     " + std::to_string(cols) + "\n"
         "IfmapSramSzkB:   65536\nFilterSramSzkB:  65536\nOfmapSramSzkB:   65536\n"
         "IfmapOffset:    0\nFilterOffset:   10000000\nOfmapOffset:    20000000\n"
         "Bandwidth : 10\n"
         "Dataflow : " + dataflow + "\n"
         "MemoryBanks:   1\n\n[run_presets]\nInterfaceBandwidth: CALC\n";
}

std::string topology_path(const RunKey& k) { return kDataDir + std::get<0>(k) + ".csv"; }

// SCALE-Sim v2 is too slow for some large layers on small arrays (README: runs estimated to
// take longer than 10 minutes were not run), so not every (topology, dataflow, array) triple has rows; every
// pair of the three does, and every layer of every topology is checked somewhere.
TEST(ScaleSimReference, ReferenceCoversEveryPairOfTopologyDataflowAndArray) {
  const auto reference = load_reference();
  std::set<std::pair<std::string, std::string>> topo_df, topo_arr, df_arr;
  std::set<std::pair<std::string, std::string>> topo_layer;
  for (const auto& r : reference) {
    const std::string arr = std::to_string(r.rows) + "x" + std::to_string(r.cols);
    topo_df.insert({r.topology, r.dataflow});
    topo_arr.insert({r.topology, arr});
    df_arr.insert({r.dataflow, arr});
    topo_layer.insert({r.topology, r.layer});
  }
  const std::vector<std::string> topologies{"alexnet", "mobilenet_dp", "vit_s"};
  const std::vector<std::string> dataflows{"os", "ws", "is"};
  const std::vector<std::string> arrays{"32x32", "8x16", "16x4"};
  for (const auto& t : topologies) {
    for (const auto& d : dataflows)
      EXPECT_TRUE(topo_df.count({t, d})) << "no reference rows for " << t << " " << d;
    for (const auto& a : arrays)
      EXPECT_TRUE(topo_arr.count({t, a})) << "no reference rows for " << t << " " << a;
    const Workload w = load_scalesim_topology(kDataDir + t + ".csv");
    ScaleSimConfig cfg;
    for (const auto& r : scalesim_compute_report(cfg, w))
      EXPECT_TRUE(topo_layer.count({t, r.name})) << "no reference rows for " << t << " " << r.name;
  }
  for (const auto& d : dataflows)
    for (const auto& a : arrays)
      EXPECT_TRUE(df_arr.count({d, a})) << "no reference rows for " << d << " " << a;
}

TEST(ScaleSimReference, TotalCyclesEqualScaleSimV2ForEveryLayerDataflowAndArray) {
  const auto reference = load_reference();
  ASSERT_FALSE(reference.empty());
  size_t compared = 0;
  for (const auto& [key, expected] : by_run(reference)) {
    const ScaleSimConfig cfg = parse_scalesim_cfg(cfg_text(key), describe(key) + ".cfg");
    ASSERT_EQ(cfg.array.rows, std::get<2>(key));
    ASSERT_EQ(cfg.array.cols, std::get<3>(key));
    const Workload w = load_scalesim_topology(topology_path(key));
    const auto report = scalesim_compute_report(cfg, w);
    std::map<std::string, int64_t> ours;
    for (const auto& r : report) {
      EXPECT_TRUE(ours.emplace(r.name, r.total_cycles).second)
          << describe(key) << ": layer name " << r.name << " reported twice";
    }
    for (const auto& e : expected) {
      auto it = ours.find(e.layer);
      if (it == ours.end()) {
        ADD_FAILURE() << describe(key) << " layer " << e.layer
                      << ": SCALE-Sim v2 reports it, h4hsim scalesim does not (reference line "
                      << e.line << ")";
        continue;
      }
      EXPECT_EQ(it->second, e.total_cycles)
          << "topology " << e.topology << ", dataflow " << e.dataflow << ", array " << e.rows
          << "x" << e.cols << ", layer " << e.layer << ": h4hsim " << it->second
          << " vs SCALE-Sim v2 " << e.total_cycles << " Total Cycles (reference line "
          << e.line << ")";
      ++compared;
    }
  }
  EXPECT_EQ(compared, reference.size());
}

// Same numbers through `h4hsim scalesim`, the command SCALE-Sim users run: the Total Cycles
// column of its COMPUTE_REPORT.csv, row by row. Each CLI start costs most of a second, so
// this runs three settings that between them use every topology, dataflow and array once
// (the library test above covers every row).
TEST(ScaleSimReference, CliComputeReportEqualsScaleSimV2TotalCycles) {
  const std::set<RunKey> cli_runs{{"alexnet", "os", 8, 16},
                                  {"mobilenet_dp", "is", 32, 32},
                                  {"vit_s", "ws", 16, 4}};
  std::string tmpl = (fs::temp_directory_path() / "h4h-scalesim-ref-XXXXXX").string();
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const fs::path dir(tmpl);
  size_t compared = 0;
  for (const auto& [key, expected] : by_run(load_reference())) {
    if (!cli_runs.count(key)) continue;
    const std::string name = std::get<0>(key) + "_" + std::get<1>(key) + "_" +
                             std::to_string(std::get<2>(key)) + "x" +
                             std::to_string(std::get<3>(key));
    const fs::path cfg_path = dir / (name + ".cfg");
    std::ofstream(cfg_path) << cfg_text(key);
    const fs::path out = dir / name;
    const std::string cmd = std::string(H4H_CLI_PATH) + " scalesim --config " +
                            cfg_path.string() + " --topology " + topology_path(key) +
                            " --out " + out.string() + " >" + (dir / "log.txt").string() +
                            " 2>&1 </dev/null";
    const int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << describe(key) << ": " << cmd;

    // Layer names for the report's LayerIDs, in SCALE-Sim's order.
    const auto names = scalesim_compute_report(
        parse_scalesim_cfg(cfg_text(key), name + ".cfg"), load_scalesim_topology(topology_path(key)));
    std::ifstream in(out / "COMPUTE_REPORT.csv");
    std::string line;
    std::getline(in, line);
    ASSERT_EQ(line.rfind("LayerID, Total Cycles, Stall Cycles,", 0), 0u) << describe(key);
    std::map<std::string, int64_t> cli;
    while (std::getline(in, line)) {
      const auto f = split_csv(line);
      ASSERT_GE(f.size(), 3u) << describe(key) << ": " << line;
      const size_t id = std::stoul(f[0]);
      ASSERT_LT(id, names.size()) << describe(key) << ": " << line;
      cli[names[id].name] = std::stoll(f[1]);
      EXPECT_EQ(std::stoll(f[2]), 0) << describe(key) << " " << names[id].name
                                     << ": ideal memory has no stalls";
    }
    EXPECT_EQ(cli.size(), names.size()) << describe(key);
    for (const auto& e : expected) {
      auto it = cli.find(e.layer);
      if (it == cli.end()) {
        ADD_FAILURE() << describe(key) << " layer " << e.layer << ": missing from the CLI report";
        continue;
      }
      EXPECT_EQ(it->second, e.total_cycles)
          << "h4hsim scalesim CLI: topology " << e.topology << ", dataflow " << e.dataflow
          << ", array " << e.rows << "x" << e.cols << ", layer " << e.layer << ": "
          << it->second << " vs SCALE-Sim v2 " << e.total_cycles << " (reference line "
          << e.line << ")";
      ++compared;
    }
  }
  EXPECT_EQ(compared, 5u + 100u + 3u);  // the reference rows of those three settings
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace h4h
