// The whole simulated chip on real networks: physical bounds (roofline), energy accounting,
// determinism and cold/steady inferences. SystemC elaborates once per process, so each
// test elaborates one preset and runs many workloads on it; ctest runs each test alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/report.h"
#include "tests/systemc_test_util.h"

namespace h4h {
namespace {

std::string src(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }

// Upper bound on MACs per ns: every compute unit at its peak at once.
double peak_macs_per_ns(const ArchConfig& c) {
  double peak = c.npu.vector.lanes * c.npu.clock_mhz / 1000.0;  // a matmul on the lanes
  if (c.npu.enabled) peak += c.npu.array.rows * c.npu.array.cols * c.npu.clock_mhz / 1000.0;
  if (c.cim.enabled)
    peak += c.cim.macro_count * c.cim.rows * (c.cim.cols / c.cim.weight_bits) /
            static_cast<double>(c.cim.input_bits * c.cim.cycles_per_input_bit) * c.cim.clock_mhz / 1000.0;
  return peak;
}

void check_run(const ArchConfig& cfg, const Workload& w, const RunStats& st, const std::string& label) {
  SCOPED_TRACE(label);
  ASSERT_EQ(st.inferences.size(), 1u);
  const InferenceStats& f = st.inferences.front();
  EXPECT_GT(f.latency_ns, 0);
  // Roofline: no faster than the compute peak, nor than DRAM can deliver its bytes.
  EXPECT_GE(f.latency_ns, w.total_macs() / peak_macs_per_ns(cfg) * 0.999);
  EXPECT_GE(f.latency_ns, f.dram_bytes / cfg.dram.peak_bytes_per_ns() * 0.999);
  // Every kernel that moves data wrote its outputs once, to DRAM or the global buffer, except
  // the intermediates of a fused group, which are never stored.
  int64_t must_write = 0, stored = 0;
  for (const auto& k : w.kernels)
    if (k.cls != KernelClass::data_movement || k.is_copy)
      for (int t : k.outputs)
        if (st.tensors.at(t).home != TensorHome::none) must_write += w.tensor_bytes(w.tensors[t]);
  for (const auto& r : st.records) stored += r.result.store_bytes;
  EXPECT_GE(stored, must_write);
  // A cold inference reads every weight and network input from DRAM and writes every
  // network output there, whatever stays on chip.
  int64_t must_dram = 0;
  for (const auto& k : w.kernels) must_dram += w.weight_bytes(k);
  for (const auto& t : w.tensors)
    if (t.producer < 0 || t.network_output) must_dram += w.tensor_bytes(t);
  EXPECT_GE(f.dram_bytes, must_dram);
  EXPECT_EQ(f.traffic.dram(), f.dram_bytes);  // the breakdown accounts for every DRAM byte
  if (!cfg.memory.activations_on_chip) {
    EXPECT_EQ(f.traffic.onchip(), 0);
  }
  // Energy is the sum of its breakdown, and each part is non-negative.
  const EnergyBreakdown& e = f.energy;
  for (const auto& [name, part] : kEnergyParts) EXPECT_GE(e.*part, 0) << name;
  const auto j = run_to_json(st, w);
  double sum = 0;
  for (const auto& [k, v] : j["energy_breakdown_pj"].items()) sum += v.get<double>();
  EXPECT_NEAR(j["energy_pj"].get<double>(), sum, 1e-6 * sum);
  // Every kernel ran exactly once, within the run, and utilizations are fractions.
  EXPECT_EQ(st.records.size(), w.kernels.size());
  for (const auto& r : st.records) {
    EXPECT_GE(r.start_ns, 0);
    EXPECT_LE(r.end_ns, f.latency_ns + 1e-6);
  }
  for (const UnitUse* u : {&f.npu, &f.vector, &f.cim, &f.bus, &f.dram}) {
    EXPECT_GE(u->utilization, 0);
    EXPECT_LE(u->utilization, 1);
  }
}

std::vector<std::string> every_fixture() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(src("tests/data/onnx")))
    if (e.path().extension() == ".onnx") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

void smoke(const std::string& preset, std::vector<Schema> schemas) {
  const ArchConfig cfg = load_arch_config(src("arch_configs/" + preset));
  System sys(cfg);
  int runs = 0;
  const auto files = every_fixture();
  EXPECT_GE(files.size(), 40u);
  for (const auto& f : files) {
    const Workload w = load_onnx_workload(src("tests/data/onnx/" + f), {});
    for (Schema s : schemas) {
      SchemaSpec spec;
      spec.schema = s;
      Mapping m;
      try {
        m = map_workload(w, cfg, spec);
      } catch (const UserError& e) {
        // Only attention on a config without the array may refuse to map, by design.
        EXPECT_FALSE(cfg.npu.enabled) << e.what();
        continue;
      }
      check_run(cfg, w, sys.run(w, m, RunOptions{}), f + " " + to_string(s));
      ++runs;
    }
  }
  EXPECT_GT(runs, 0);
}

TEST(EngineSmoke, HeteroPresetRunsEveryFixtureUnderEverySchema) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  smoke("hetero.yaml", {Schema::npu_only, Schema::cim_static, Schema::hetero_parallel, Schema::auto_select});
}

TEST(EngineSmoke, NpuOnlyPresetRunsEveryFixture) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  smoke("npu_only.yaml", {Schema::npu_only, Schema::auto_select});
}

TEST(EngineSmoke, CimOnlyPresetRunsEveryCnnAndRefusesAttention) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  smoke("cim_only.yaml", {Schema::cim_static, Schema::auto_select});
}

TEST(Engine, RepeatedRunsOnOneElaborationAreIdentical) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  System sys(cfg);
  const Workload w = load_onnx_workload(src("tests/data/onnx/mobilenet_v2_op13.onnx"), {});
  SchemaSpec spec;
  spec.schema = Schema::hetero_parallel;
  const Mapping m = map_workload(w, cfg, spec);
  const std::string a = run_to_json(sys.run(w, m, RunOptions{}), w).dump();
  const std::string b = run_to_json(sys.run(w, m, RunOptions{}), w).dump();
  EXPECT_EQ(a, b);
}

// SystemC time is 64-bit picoseconds (~213 days). A run used to advance it by the whole
// watchdog limit (an hour), so one System crashed (E544) after ~5,100 runs — a NAS table,
// a sweep worker or the schedule search reuses one. Now a run ends at its last event.
TEST(Engine, OneElaborationRunsTenThousandTimesWithoutExhaustingSimulatedTime) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  System sys(cfg);
  const Workload w = load_onnx_workload(src("tests/data/onnx/tiny_cnn_op13.onnx"), {});
  SchemaSpec spec;
  spec.schema = Schema::npu_only;
  const Mapping m = map_workload(w, cfg, spec);
  const double first = sys.run(w, m, RunOptions{}).inferences.front().latency_ns;
  for (int i = 1; i < 10000; ++i) sys.run(w, m, RunOptions{});
  EXPECT_EQ(sys.run(w, m, RunOptions{}).inferences.front().latency_ns, first);
}

TEST(Engine, ResidentWeightsMakeTheSteadyStateCheaperThanTheColdRun) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  System sys(cfg);
  const Workload w = load_onnx_workload(src("tests/data/onnx/tiny_attention_op17.onnx"), {});
  SchemaSpec spec;
  spec.schema = Schema::cim_static;
  const Mapping m = map_workload(w, cfg, spec);
  ASSERT_EQ(m.resident_macros, 7);
  RunOptions o;
  o.inferences = 3;
  const RunStats st = sys.run(w, m, o);
  ASSERT_EQ(st.inferences.size(), 3u);
  const auto& cold = st.inferences.front();
  const auto& steady = st.inferences.back();
  EXPECT_LT(steady.latency_ns, cold.latency_ns);
  EXPECT_GT(cold.energy.cim_weight_write, 0);
  EXPECT_EQ(steady.energy.cim_weight_write, 0);  // every static weight stayed in its macro
  EXPECT_LT(steady.dram_bytes, cold.dram_bytes);
  EXPECT_EQ(st.records.size(), 3 * w.kernels.size());
}

TEST(Engine, ParallelSchedulesOverlapIndependentBranchesSerialOnesDoNot) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  // GoogLeNet's inception branches are independent. With branches 2 and 3 on the array and
  // the rest on CIM, a parallel schedule runs them at once; a serial one never overlaps.
  const ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  System sys(cfg);
  const Workload w = load_onnx_workload(src("tests/data/onnx/googlenet_op13.onnx"), {});
  const std::string rules =
      "rules:\n  - name: \".*branch2.*\"\n    unit: npu\n  - name: \".*branch3.*\"\n    unit: npu\n";
  const SchemaSpec serial_spec = parse_custom_schema(rules, "serial.yaml");
  const SchemaSpec parallel_spec = parse_custom_schema(rules + "parallel: true\n", "parallel.yaml");
  const RunStats serial = sys.run(w, map_workload(w, cfg, serial_spec), RunOptions{});
  const RunStats parallel = sys.run(w, map_workload(w, cfg, parallel_spec), RunOptions{});
  auto overlaps = [](const RunStats& st) {
    std::vector<std::pair<double, double>> spans;
    for (const auto& r : st.records)
      if (r.end_ns > r.start_ns) spans.push_back({r.start_ns, r.end_ns});
    std::sort(spans.begin(), spans.end());
    int n = 0;
    double reach = 0;
    for (const auto& s : spans) {
      n += s.first + 1e-6 < reach;
      reach = std::max(reach, s.second);
    }
    return n;
  };
  EXPECT_EQ(overlaps(serial), 0);
  EXPECT_GT(overlaps(parallel), 0);
  EXPECT_LT(parallel.inferences[0].latency_ns, serial.inferences[0].latency_ns);
}

TEST(Engine, AScheduleThatStopsMakingProgressIsReportedNotHung) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  // Two kernels that each wait for the other (a broken workload; the frontend never makes
  // one, but the engine must not hang on it).
  Workload w;
  w.model = "cycle";
  for (int i = 0; i < 2; ++i) {
    Kernel k;
    k.name = i == 0 ? "first" : "second";
    k.cls = KernelClass::vector;
    k.op = "Relu";
    k.output_elems = k.input_elems = k.vector_ops = 64;
    k.producers = {1 - i};
    w.kernels.push_back(k);
  }
  const ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  System sys(cfg);
  SchemaSpec spec;
  spec.schema = Schema::hetero_parallel;
  try {
    sys.run(w, map_workload(w, cfg, spec), RunOptions{});
    FAIL() << "expected the watchdog";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("stopped making progress"), std::string::npos) << msg;
    EXPECT_NE(msg.find("vector unit waits for 'second'"), std::string::npos) << msg;
  }
}

// A legal run longer than the watchdog (a huge batch times many inferences) used to end with
// the deadlock message, naming kernels that were only queued. It is told apart by the
// simulator still having events to process, and says how far it got.
TEST(Engine, ARunLongerThanTheWatchdogIsReportedAsTooLongNotAsADeadlock) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const Workload w = load_onnx_workload(src("tests/data/onnx/tiny_cnn_op17.onnx"), {});
  const ArchConfig cfg = load_arch_config(src("arch_configs/npu_only.yaml"));
  System sys(cfg);
  SchemaSpec spec;
  spec.schema = Schema::npu_only;
  const Mapping m = map_workload(w, cfg, spec);
  RunOptions o;
  o.inferences = 1000;
  o.max_simulated_s = 0.001;  // 1 ms of chip time: a few hundred tiny-CNN inferences
  try {
    sys.run(w, m, o);
    FAIL() << "expected the watchdog";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    const std::string head = w.model + ": more than 0.001 s of simulated chip time, the "
                             "simulator's limit per run, with ";
    EXPECT_EQ(msg.rfind(head, 0), 0u) << msg;
    const int finished = std::stoi(msg.substr(head.size()));
    EXPECT_GT(finished, 0) << msg;
    EXPECT_LT(finished, 1000) << msg;
    EXPECT_NE(msg.find(" of 1000 inferences finished ("), std::string::npos) << msg;
    EXPECT_NE(msg.find("simulate fewer inferences or a smaller batch"), std::string::npos) << msg;
  }
}

// The engine executes the mapping's plans (it does not re-derive them): a fold plan with
// twice the folds costs each GEMM kernel exactly twice the compute cycles, and a CIM plan
// the mapping changed is the one whose cycles the record shows.
TEST(Engine, KernelsRunTheFoldAndCimPlansTheMappingChose) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const Workload w = load_onnx_workload(src("tests/data/onnx/tiny_cnn_op17.onnx"), {});
  const ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  System sys(cfg);
  SchemaSpec spec;
  spec.schema = Schema::cim_static;
  Mapping m = map_workload(w, cfg, spec);
  const RunStats as_planned = sys.run(w, m, RunOptions{});
  int npu = 0, cim = 0;
  for (auto& km : m.kernels) {
    if (km.unit == Unit::npu) {
      km.npu.folds *= 2;
      km.npu.compute_cycles *= 2;
      ++npu;
    } else if (km.unit == Unit::cim) {
      km.cim.compute_cycles += 1000;
      ++cim;
    }
  }
  ASSERT_GT(cim, 0);
  const RunStats changed = sys.run(w, m, RunOptions{});
  ASSERT_EQ(as_planned.records.size(), changed.records.size());
  auto by_index = [](const RunStats& st) {
    std::vector<const KernelRecord*> v(st.records.size());
    for (const auto& r : st.records) v[r.index] = &r;
    return v;
  };
  const auto a = by_index(as_planned), b = by_index(changed);
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(w.kernels[i].name);
    const Unit u = m.kernels[i].unit;
    if (u == Unit::npu)
      EXPECT_EQ(b[i]->result.compute_cycles, 2 * a[i]->result.compute_cycles);
    else if (u == Unit::cim)
      EXPECT_EQ(b[i]->result.compute_cycles, a[i]->result.compute_cycles + 1000);
    else
      EXPECT_EQ(b[i]->result.compute_cycles, a[i]->result.compute_cycles);
  }
  (void)npu;
}

}  // namespace
}  // namespace h4h
