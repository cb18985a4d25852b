// Sweep runs: every (point, model, schema) lands in the DB once, a row holds what a direct
// simulation of that point gives, a worker killed mid-point loses no other result and
// its runs are recorded as failed, a resume skips finished rows and retries failed ones,
// and a model that cannot run at a point is a failed row, not a failed sweep.
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "frontend/frontend.h"
#include "sim/engine/subprocess.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/report.h"
#include "sim/sweep/sweep_runner.h"
#include "tests/sim/sweep/sweep_test_util.h"

using namespace h4h;
using namespace h4h::test;
namespace fs = std::filesystem;

namespace {

Workload load(const SweepModel& m) { return load_workload(m.path, FrontendOptions{}); }

struct Sweep {
  SweepSpec spec;
  SweepPlan plan;
};
Sweep make(const std::string& axes, const std::string& extra) {
  Sweep s{parse_spec(tiny_spec(axes, extra)), {}};
  s.plan = plan_sweep(s.spec);
  return s;
}

SweepRunSummary run(const Sweep& s, ResultsDb& db, bool retry_failed = false, int jobs = 2, double timeout_s = 0) {
  db.bind_spec(s.spec.canonical(), s.spec.hash(), s.spec.name, axis_sql_types(s.spec), false);
  std::vector<PointTask> tasks = pending_tasks(s.spec, s.plan, db.status(), retry_failed);
  int64_t runs = 0;
  for (const auto& t : tasks) runs += static_cast<int64_t>(t.runs.size());
  ListSource src(std::move(tasks));
  SweepRunOptions o;
  o.jobs = jobs;
  o.progress = false;
  o.timeout_s = timeout_s;
  return run_sweep_tasks(s.spec, s.plan, load, src, runs, db, o);
}

int64_t scalar(ResultsDb& db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  sqlite3_step(st);
  const int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

double latency_of(ResultsDb& db, const std::string& hash, const std::string& schema) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db.handle(), "SELECT latency_ns FROM results WHERE config_hash = ? AND schema = ?", -1, &st,
                     nullptr);
  sqlite3_bind_text(st, 1, hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, schema.c_str(), -1, SQLITE_TRANSIENT);
  const double v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_double(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

}  // namespace

TEST(SweepRunner, EveryRunLandsOnceAndEqualsADirectSimulationOfItsPoint) {
  const Sweep s = make("  npu.array.rows: [8, 16, 32]\n", "schemas: [npu_only, hetero_parallel]\n");
  const std::string path = sweep_tmp("direct.sqlite");
  fs::remove(path);
  ResultsDb db(path);
  const SweepRunSummary sum = run(s, db);
  EXPECT_EQ(sum.ok, 6);
  EXPECT_EQ(sum.failed, 0);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results"), 6);
  EXPECT_EQ(scalar(db, "SELECT COUNT(DISTINCT config_hash) FROM results"), 3);
  // The row of point 1 (16 rows) under npu_only is what `h4hsim run` computes for that config.
  const SweepPoint& p = s.plan.points[1];
  const std::string direct = run_in_subprocess([&] {
    const Workload w = load(s.spec.models[0]);
    SchemaSpec ss;
    ss.schema = Schema::npu_only;
    const ArchConfig cfg = sweep_point_config(s.spec, p);
    System sys(cfg);
    return run_to_json(sys.run(w, map_workload(w, cfg, ss), RunOptions{}), w)["latency_ns"].dump();
  });
  EXPECT_DOUBLE_EQ(latency_of(db, p.config_hash, "npu_only"), std::stod(direct));
  // Fewer PE rows never make the npu_only run faster.
  EXPECT_GE(latency_of(db, s.plan.points[0].config_hash, "npu_only"),
            latency_of(db, s.plan.points[2].config_hash, "npu_only"));
  // A second run finds everything done.
  EXPECT_EQ(run(s, db).ok, 0);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results"), 6);
}

TEST(SweepRunner, AWorkerKilledMidPointLosesNoOtherResultAndAResumeRetriesOnlyItsRuns) {
  const Sweep s = make("  npu.array.rows: [8, 16, 32]\n", "schemas: [npu_only, hetero_parallel, auto]\n");
  const std::string path = sweep_tmp("kill.sqlite");
  fs::remove(path);
  ResultsDb db(path);
  // The worker of grid point 1 SIGKILLs itself after its first run.
  ::setenv("H4H_SWEEP_FAULT", "kill:1", 1);
  const SweepRunSummary first = run(s, db);
  ::unsetenv("H4H_SWEEP_FAULT");
  EXPECT_EQ(first.ok, 7);
  EXPECT_EQ(first.failed, 2);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results WHERE status = 'failed' AND point_index = 1 AND error LIKE "
                       "'worker killed by signal 9%'"),
            2);
  // Without --retry-failed the failures stay; with it only they run, and nothing is doubled.
  EXPECT_EQ(run(s, db).ok + run(s, db).failed, 0);
  const SweepRunSummary retry = run(s, db, true);
  EXPECT_EQ(retry.ok, 2);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results"), 9);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results WHERE status = 'ok'"), 9);
}

TEST(SweepRunner, AModelThatCannotRunAtAPointIsAFailedRowNotAFailedSweep) {
  // Without CIM macros, cim_static has nowhere to put weights... and the NPU-less point
  // cannot run npu_only: each is a failed row with the mapper's reason, the rest runs.
  const Sweep s = make("  npu.enabled: [true, false]\n", "schemas: [npu_only, cim_static]\n");
  const std::string path = sweep_tmp("cannot.sqlite");
  fs::remove(path);
  ResultsDb db(path);
  const SweepRunSummary sum = run(s, db, false, 1);
  EXPECT_EQ(sum.ok + sum.failed, 4);
  EXPECT_GE(sum.failed, 1);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results WHERE status = 'failed' AND length(error) > 10"), sum.failed);
}

TEST(SweepRunner, APointRunningPastTheTimeoutIsKilledAndRecordedAsTimedOut) {
  // The worker of grid point 0 stops after its first run and never ends on its own.
  const Sweep s = make("  npu.array.rows: [8, 16]\n", "schemas: [npu_only, hetero_parallel, auto]\n");
  const std::string path = sweep_tmp("timeout.sqlite");
  fs::remove(path);
  ResultsDb db(path);
  ::setenv("H4H_SWEEP_FAULT", "hang:0", 1);
  const SweepRunSummary sum = run(s, db, false, 2, 0.5);
  ::unsetenv("H4H_SWEEP_FAULT");
  EXPECT_EQ(sum.ok, 4);      // point 0's first run, and all of point 1
  EXPECT_EQ(sum.failed, 2);  // point 0's other two runs
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM results WHERE status = 'failed' AND point_index = 0 AND error LIKE "
                       "'timed out after 0.5 s%'"),
            2);
}
