// `h4hsim nas ...` end to end on the small space: LUT → validate (JSON contract) →
// search (files written, Pareto set re-simulated); bad input exits 2 with one line.
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"

using namespace h4h::test;
namespace fs = std::filesystem;

namespace {
std::string tmp(const std::string& name) {
  return (fs::path(::testing::TempDir()) / ("nas_cli_" + std::to_string(::getpid()) + "_" + name)).string();
}
}  // namespace

TEST(NasCli, LutThenValidateReportsTheContractKeysAndMeetsTheGoal) {
  const std::string lut = tmp("a.lut");
  const std::string arch = src("arch_configs/hetero.yaml");
  auto r = run_cli("nas lut -q --space h4h_fmnist --arch " + arch + " --calibration 4 --out " + lut);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(284 new, 0 already there)"), std::string::npos) << r.out;
  // Second run: nothing left to simulate.
  r = run_cli("nas lut -q --space h4h_fmnist --arch " + arch + " --out " + lut);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(0 new, 284 already there)"), std::string::npos) << r.out;

  const std::string plot = tmp("v.svg");
  r = run_cli("nas validate -q --json --space h4h_fmnist --arch " + arch + " --lut " + lut +
              " --samples 12 --seed 3 --plot " + plot);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"], 12);
  for (const char* m : {"latency", "energy"}) {
    for (const char* k : {"mape_pct", "max_err_pct", "kendall_tau", "spearman_rho"})
      EXPECT_TRUE(j[m].contains(k)) << m << "." << k;
    EXPECT_LE(j[m]["mape_pct"].get<double>(), 2.0);
    EXPECT_GE(j[m]["kendall_tau"].get<double>(), 0.95);
  }
  EXPECT_TRUE(fs::exists(tmp("v_latency.svg")));
  EXPECT_TRUE(fs::exists(tmp("v_energy.svg")));

  const std::string out = tmp("search");
  r = run_cli("nas search -q --space h4h_fmnist --arch " + arch + " --lut " + lut +
              " --population 16 --generations 5 --max-pareto 4 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"pareto.csv", "pareto.json", "evaluated.csv", "front.svg", "onnx/pareto_000.onnx"})
    EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
  const auto p = nlohmann::json::parse(slurp((fs::path(out) / "pareto.json").string()));
  EXPECT_FALSE(p["score"]["is_accuracy"].get<bool>());
  ASSERT_GE(p["pareto"].size(), 1u);
  for (const auto& c : p["pareto"]) {
    const double est = c["estimate"]["latency_ns"], sim = c["simulated"]["latency_ns"];
    EXPECT_NEAR(est, sim, 0.02 * sim) << c["subnet"];
  }
  // The exported ONNX goes through the frontend like any model.
  r = run_cli("inspect --model " + (fs::path(out) / "onnx/pareto_000.onnx").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  fs::remove_all(out);
  fs::remove(lut);
}

// auto on a config with only the NPU is npu_only: its table is npu_only's, built once.
TEST(NasCli, AutoOnAnNpuOnlyConfigSharesTheNpuOnlyTable) {
  const std::string lut = tmp("npu_auto.lut");
  const std::string arch = src("arch_configs/npu_only.yaml");
  auto r = run_cli("nas lut -q --space h4h_fmnist --arch " + arch + " --schema auto --out " + lut);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("schema npu_only"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(284 new, 0 already there)"), std::string::npos) << r.out;
  r = run_cli("nas lut -q --space h4h_fmnist --arch " + arch + " --schema npu_only --out " + lut);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(0 new, 284 already there)"), std::string::npos) << r.out;
  fs::remove(lut);
}

TEST(NasCli, BadInputIsExitCode2WithOneLine) {
  const std::string arch = src("arch_configs/hetero.yaml");
  const std::string missing_lut = tmp("missing.lut");
  struct Case { std::string args, expect; };
  const Case cases[] = {
      {"nas space no_such_space", "no_such_space"},
      {"nas export --space h4h_fmnist --subnet r28_bad --out /tmp/x.onnx", "subnet 'r28_bad'"},
      {"nas validate --space h4h_fmnist --arch " + arch + " --lut " + missing_lut,
       "no such LUT file; build it with"},
      {"nas search --space h4h_fmnist --arch " + arch + " --lut " + missing_lut + " --out /tmp/x",
       "no such LUT file; build it with"},
      {"nas lut --space h4h_fmnist --arch " + arch + " --schema custom --out " + missing_lut,
       "custom rules"},
      {"nas lut -q --space h4h_edge --arch " + src("arch_configs/cim_only.yaml") + " --out " +
           missing_lut,
       "two dynamic operands"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_EQ(line_count(r.err), 1) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.args << "\n" << r.err;
  }
  // What was simulated before the unmappable block is kept (a re-run resumes from it).
  EXPECT_TRUE(fs::exists(missing_lut));
  fs::remove(missing_lut);
}

TEST(NasCli, SupernetCommandsRunWithoutLibtorchInTheMainBinary) {
  // h4hsim stays free of libtorch (fast start); nas train/eval are handed to h4hsim-torch
  // with the same arguments, and answer like any command: one line, exit code 2 on a mistake.
  for (const std::string cmd : {"nas eval --subnet largest --ckpt ", "nas conflict --ckpt "}) {
    const auto r = run_cli(cmd + tmp("missing.ckpt"));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(line_count(r.err), 1) << r.err;
    EXPECT_TRUE(r.err.find("no such checkpoint") != std::string::npos ||
                r.err.find("without libtorch") != std::string::npos)
        << r.err;
  }
}

TEST(NasCli, StandAloneCheckpointAnswersOnlyForItsOwnSubnet) {
  const std::string ck = tmp("standalone.ckpt");
  fs::remove(ck);
  const auto t = run_cli("nas train -q --subnet smallest --epochs 1 --limit 320 --val-count 64 --batch 32 --max-steps 2 --out " + ck);
  if (t.err.find("without libtorch") != std::string::npos) GTEST_SKIP() << "built without libtorch";
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("(stand-alone): subnet loss"), std::string::npos) << t.out;
  const auto own = run_cli("nas eval --ckpt " + ck + " --subnet smallest --split val --recal-batches 1");
  EXPECT_EQ(own.exit_code, 0) << own.err;
  EXPECT_NE(own.out.find("val accuracy"), std::string::npos) << own.out;
  const auto other = run_cli("nas eval --ckpt " + ck + " --subnet largest");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_EQ(line_count(other.err), 1) << other.err;
  EXPECT_NE(other.err.find("a stand-alone checkpoint of r24_s8_w16"), std::string::npos) << other.err;
  // Nor is it a supernet whose block types could conflict.
  const auto conflict = run_cli("nas conflict --ckpt " + ck + " --batches 2");
  EXPECT_EQ(conflict.exit_code, 2);
  EXPECT_EQ(line_count(conflict.err), 1) << conflict.err;
  EXPECT_NE(conflict.err.find("not a supernet"), std::string::npos) << conflict.err;
  fs::remove(ck);
}

// Both builds declare nas train/eval's options, so --help lists them (it used to show -h
// only in h4hsim, which hands the commands to h4hsim-torch), with every default.
TEST(NasCli, TrainAndEvalHelpListTheirOptionsWithDefaults) {
  const auto train = run_cli("nas train --help");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  for (const char* want :
       {"--epochs", "=11", "--phase1-epochs", "--one-phase", "--batch", "=256", "--lr", "=0.012",
        "0.003 for a --subnet trained alone", "--out", "/usr/share/datasets/fashion-mnist"})
    EXPECT_NE(train.out.find(want), std::string::npos) << want << " in\n" << train.out;
  const auto eval = run_cli("nas eval --help");
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  for (const char* want : {"--ckpt", "--subnet", "--split", "=test", "--recal-batches", "=20"})
    EXPECT_NE(eval.out.find(want), std::string::npos) << want << " in\n" << eval.out;
  // A value the option refuses is refused by h4hsim itself, as any other flag.
  const auto bad = run_cli("nas train --epochs 0 --out " + tmp("x.ckpt"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--epochs"), std::string::npos) << bad.err;
}

TEST(NasCli, EveryHelpShowsOptionDefaultsAndShardCountsFromZero) {
  const auto run = run_cli("run --help");
  EXPECT_NE(run.out.find("=16"), std::string::npos) << run.out;  // --search-runs
  EXPECT_NE(run.out.find("=kernels"), std::string::npos) << run.out;  // --trace-detail
  const auto sweep = run_cli("sweep run --help");
  EXPECT_NE(sweep.out.find("counting from 0"), std::string::npos) << sweep.out;
}

// nas monotonicity: a config against itself ranks every subnet alike (tau 1); another
// config gets its own tau; a config without a table in the LUT is refused in one line.
TEST(NasCli, MonotonicityIsOneForAConfigAgainstItselfAndNeedsEveryTable) {
  const std::string lut = tmp("mono.lut");
  fs::remove(lut);
  const std::string hetero = src("arch_configs/hetero.yaml"), npu = src("arch_configs/npu_only.yaml");
  for (const auto& arch : {hetero, npu})
    ASSERT_EQ(run_cli("nas lut -q --space h4h_fmnist --calibration 0 --arch " + arch + " --out " + lut).exit_code, 0);
  auto r = run_cli("nas monotonicity --json --space h4h_fmnist --lut " + lut + " -n 40 -a " + hetero +
                   " -a " + hetero + " -a " + npu);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["pairs"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["pairs"][0]["latency_tau"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["pairs"][0]["energy_tau"].get<double>(), 1.0);
  const double t = j["pairs"][1]["latency_tau"].get<double>();
  EXPECT_GT(t, -1.0);
  EXPECT_LE(t, 1.0);
  const auto missing = run_cli("nas monotonicity --space h4h_fmnist --lut " + lut + " -a " + hetero + " -a " +
                               src("arch_configs/cim_only.yaml"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(line_count(missing.err), 1) << missing.err;
  const auto one = run_cli("nas monotonicity --space h4h_fmnist --lut " + lut + " -a " + hetero);
  EXPECT_EQ(one.exit_code, 2);
  fs::remove(lut);
}

// --strategy random: the baseline at equal oracle calls, reported as such.
TEST(NasCli, RandomStrategyScoresItsOracleCallsAndSaysSo) {
  const std::string lut = tmp("rnd.lut"), out = tmp("rnd_out");
  fs::remove(lut);
  fs::remove_all(out);
  const std::string hetero = src("arch_configs/hetero.yaml");
  ASSERT_EQ(run_cli("nas lut -q --space h4h_fmnist --calibration 0 --arch " + hetero + " --out " + lut).exit_code, 0);
  auto r = run_cli("nas search -q --space h4h_fmnist --lut " + lut + " -a " + hetero +
                   " --strategy random --oracle-calls 30 --no-resimulate --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(out + "/pareto.json"));
  EXPECT_EQ(j["strategy"], "random");
  EXPECT_EQ(j["distinct_candidates"], 30);
  const auto bad = run_cli("nas search -q --space h4h_fmnist --lut " + lut + " -a " + hetero +
                           " --oracle-calls 30 --no-resimulate --out " + out + "2");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--oracle-calls applies only to --strategy random or tpe"), std::string::npos)
      << bad.err;
  fs::remove(lut);
  fs::remove_all(out);
}

// nas sample --stratify-lut: one subnet per equal-width bin of the estimated latency range,
// printed with its estimate; the LUT's arch is required.
TEST(NasCli, StratifiedSampleSpreadsSubnetsOverTheLatencyRange) {
  const std::string lut = tmp("strat.lut");
  fs::remove(lut);
  const std::string hetero = src("arch_configs/hetero.yaml");
  ASSERT_EQ(
      run_cli("nas lut -q --space h4h_fmnist --calibration 0 --arch " + hetero + " --out " + lut)
          .exit_code,
      0);
  const auto r = run_cli("nas sample --space h4h_fmnist -n 8 --seed 3 --stratify-lut " + lut +
                         " -a " + hetero + " --show-latency");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(line_count(r.out), 8);
  std::istringstream in(r.out);
  std::string enc;
  double ms = 0, prev = 0, first = 0;
  int rising = 0;
  for (int i = 0; in >> enc >> ms; ++i) {
    if (i == 0) first = ms;
    rising += i > 0 && ms > prev;
    prev = ms;
  }
  EXPECT_GE(rising, 6);        // bins in order of latency
  EXPECT_GT(prev, 3 * first);  // spread from the fast end to the slow end
  const auto no_arch = run_cli("nas sample --space h4h_fmnist --stratify-lut " + lut);
  EXPECT_EQ(no_arch.exit_code, 2);
  EXPECT_EQ(line_count(no_arch.err), 1) << no_arch.err;
  fs::remove(lut);
}
