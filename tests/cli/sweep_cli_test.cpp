// `h4hsim sweep ...` end to end: plan, run, resume after the parent is SIGKILLed or
// interrupted (no finished row lost, none doubled), shards and MPI ranks merged into the
// full sweep, report (plot + CSV), and bad specs as one-line exit-2 errors.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"

using namespace h4h::test;
namespace fs = std::filesystem;

namespace {

std::string dir() {
  const auto d = fs::path(::testing::TempDir()) / ("h4h_sweep_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d.string();
}

// `points` values of npu.array.rows x two schemas over the tiny CNN.
std::string write_spec(const std::string& name, int points) {
  std::string rows;
  for (int i = 0; i < points; ++i) rows += (i ? ", " : "") + std::to_string(8 + 4 * i);
  const std::string path = dir() + "/" + name + ".yaml";
  std::ofstream(path) << "name: " << name << "\nbase: " << src("arch_configs/hetero.yaml")
                      << "\naxes:\n  npu.array.rows: [" << rows << "]\n  cim.macro_count: [4, 8]\nmodels:\n  - "
                      << src("tests/data/onnx/tiny_cnn_op17.onnx") << "\nschemas: [npu_only, hetero_parallel]\n";
  return path;
}

int64_t count(const std::string& db, const std::string& sql = "SELECT COUNT(*) FROM results") {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return -1;
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return n;
}

// Starts h4hsim with `args` in the background; its pid.
pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv = {const_cast<char*>(H4H_CLI_PATH)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execv(H4H_CLI_PATH, argv.data());
    ::_exit(127);
  }
  return pid;
}

// Kills `pid` with `sig` once the DB holds at least `rows` rows; returns its wait status.
int kill_after_rows(pid_t pid, const std::string& db, int64_t rows, int sig) {
  const auto t0 = std::chrono::steady_clock::now();
  while (count(db) < rows && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool no_duplicates(const std::string& db) {
  return count(db, "SELECT COUNT(*) FROM (SELECT 1 FROM results GROUP BY config_hash, model, schema HAVING COUNT(*) > 1)") == 0;
}

}  // namespace

TEST(SweepCli, PlanCountsPointsAndListsTheFirst) {
  const auto r = run_cli("sweep plan " + write_spec("plan", 3) + " --show 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("6 points (6 in the grid) x 1 models x 2 schemas = 12 runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("npu.array.rows=8 cim.macro_count=8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("... 4 more"), std::string::npos) << r.out;
}

TEST(SweepCli, BadSpecIsExitCode2WithOneLineNamingThePath) {
  const std::string bad = dir() + "/bad.yaml";
  std::ofstream(bad) << "axes:\n  npu.array.rowz: [8]\nmodels: [" << src("tests/data/onnx/tiny_cnn_op17.onnx") << "]\n";
  const auto r = run_cli("sweep plan " + bad);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("axes.npu.array.rowz"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("npu.array.rows"), std::string::npos) << r.err;
}

TEST(SweepCli, ResumeAfterTheParentIsKilledLosesAndDoublesNothing) {
  const std::string spec = write_spec("killparent", 12), db = dir() + "/killparent.sqlite";
  fs::remove(db);
  const int status = kill_after_rows(spawn({"sweep", "run", spec, "--db", db, "--jobs", "2", "-q"}), db, 5, SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status));
  // Its spawner and workers die with it (PR_SET_PDEATHSIG): nothing keeps running.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // (The pattern cannot match the shell that runs pgrep: "[^ ]*" stops at its own quote.)
  EXPECT_NE(std::system("pgrep -f 'sweep run [^ ]*killparent' >/dev/null"), 0) << "orphaned sweep processes";
  const int64_t before = count(db);
  EXPECT_GE(before, 5);
  EXPECT_LT(before, 48);
  const auto r = run_cli("sweep run " + spec + " --db " + db + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(std::to_string(48 - before) + " runs to do"), std::string::npos) << r.err;
  EXPECT_EQ(count(db), 48);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM results WHERE status = 'ok'"), 48);
  EXPECT_TRUE(no_duplicates(db));
}

TEST(SweepCli, CtrlCStopsCleanlyAndTheSameCommandResumes) {
  const std::string spec = write_spec("ctrlc", 12), db = dir() + "/ctrlc.sqlite";
  fs::remove(db);
  const int status = kill_after_rows(spawn({"sweep", "run", spec, "--db", db, "--jobs", "1", "-q"}), db, 3, SIGINT);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM results WHERE status <> 'ok'"), 0);  // interrupted runs are not failures
  const auto r = run_cli("sweep run " + spec + " --db " + db + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(db), 48);
  EXPECT_TRUE(no_duplicates(db));
}

TEST(SweepCli, ShardsMergeIntoTheWholeSweep) {
  const std::string spec = write_spec("shards", 3), d = dir();
  for (const auto& f : {"/s0.sqlite", "/s1.sqlite", "/merged.sqlite", "/whole.sqlite"}) fs::remove(d + f);
  ASSERT_EQ(run_cli("sweep run " + spec + " --db " + d + "/s0.sqlite --shard 0/2 -q").exit_code, 0);
  ASSERT_EQ(run_cli("sweep run " + spec + " --db " + d + "/s1.sqlite --shard 1/2 -q").exit_code, 0);
  EXPECT_EQ(count(d + "/s0.sqlite") + count(d + "/s1.sqlite"), 12);
  const auto m = run_cli("sweep merge " + d + "/s0.sqlite " + d + "/s1.sqlite --db " + d + "/merged.sqlite");
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(count(d + "/merged.sqlite"), 12);
  ASSERT_EQ(run_cli("sweep run " + spec + " --db " + d + "/whole.sqlite -q").exit_code, 0);
  // The merged shards hold the same numbers as one run of the whole sweep.
  EXPECT_EQ(count(d + "/merged.sqlite", "SELECT CAST(SUM(latency_ns) AS INTEGER) FROM results"),
            count(d + "/whole.sqlite", "SELECT CAST(SUM(latency_ns) AS INTEGER) FROM results"));
  EXPECT_EQ(run_cli("sweep run " + spec + " --db " + d + "/x.sqlite --shard 2/2").exit_code, 2);
}

TEST(SweepCli, TwoMpiRanksRunTheWholeSweepIntoShards) {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun (Debian: openmpi-bin)";
  const std::string spec = write_spec("mpi", 3), shards = dir() + "/mpi_shards", merged = dir() + "/mpi.sqlite";
  fs::remove_all(shards);
  fs::remove(merged);
  const std::string env = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_warn_on_fork=0 ";
  const std::string cmd = env + "mpirun --oversubscribe -np 2 " + std::string(H4H_CLI_PATH) + " sweep run " + spec +
                          " --mpi --db " + shards + " -q > " + dir() + "/mpi.log 2>&1";
  const int rc = std::system(cmd.c_str());
  if (slurp(dir() + "/mpi.log").find("built without MPI") != std::string::npos) GTEST_SKIP() << "built without MPI";
  ASSERT_EQ(rc, 0) << slurp(dir() + "/mpi.log");
  EXPECT_TRUE(fs::exists(shards + "/rank0.sqlite"));
  EXPECT_TRUE(fs::exists(shards + "/rank1.sqlite"));
  const auto m = run_cli("sweep merge " + shards + "/rank0.sqlite " + shards + "/rank1.sqlite --db " + merged);
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_EQ(count(merged), 12);
  EXPECT_TRUE(no_duplicates(merged));
}

TEST(SweepCli, ReportDrawsParetoFrontsAndListsTheirParameters) {
  const std::string spec = write_spec("report", 3), db = dir() + "/report.sqlite";
  fs::remove(db);
  ASSERT_EQ(run_cli("sweep run " + spec + " --db " + db + " -q").exit_code, 0);
  const std::string svg = dir() + "/front.svg", csv = dir() + "/front.csv";
  const auto r = run_cli("sweep report --db " + db + " --color npu.array.rows --pareto --out " + svg + " --csv " + csv);
  if (r.err.find("gnuplot") != std::string::npos) GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tiny_cnn_op17 ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("npu.array.rows="), std::string::npos) << r.out;
  const std::string image = slurp(svg);
  EXPECT_NE(image.find("<svg"), std::string::npos);
  // Axes in the unit that reads (a tiny CNN: microseconds and microjoules), the colour
  // values as legend entries in numeric order, the front drawn as such.
  EXPECT_NE(image.find("latency (µs)"), std::string::npos);
  EXPECT_NE(image.find("energy (µJ)"), std::string::npos);
  EXPECT_NE(image.find("npu.array.rows = 16"), std::string::npos);
  EXPECT_NE(image.find("Pareto front"), std::string::npos);
  EXPECT_EQ(slurp(csv).rfind("model,schema,npu.array.rows,cim.macro_count,latency_ns,energy_pj,pareto\n", 0), 0u);
  const auto bad = run_cli("sweep report --db " + db + " --x latncy_ns --out " + svg);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("did you mean 'latency_ns'"), std::string::npos) << bad.err;
}

// Before: exit status 0 with failed rows, and a resume said only "N already in DB",
// counting failed rows as done.
TEST(SweepCli, RunExitsOneWhenRunsFailedAndAResumeCountsFailedRowsApart) {
  const std::string spec = write_spec("failing", 3), db = dir() + "/failing.sqlite";
  fs::remove(db);
  // Point 1's worker kills itself after its first run: its second run is recorded failed.
  const auto first = run_cli("sweep run " + spec + " --db " + db + " --jobs 1 -q", "H4H_SWEEP_FAULT=kill:1 ");
  EXPECT_EQ(first.exit_code, 1) << first.err;
  EXPECT_EQ(first.out.substr(0, first.out.find(" in ")), "sweep failing: 11 ok, 1 failed");
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM results WHERE status = 'failed'"), 1);

  const auto resumed = run_cli("sweep run " + spec + " --db " + db + " --jobs 1 -q");
  EXPECT_EQ(resumed.exit_code, 1) << resumed.err;
  EXPECT_NE(resumed.err.find("0 runs to do (11 finished in " + db +
                             ", 1 failed there, skipped: --retry-failed runs them again), 1 worker processes\n"),
            std::string::npos)
      << resumed.err;
  EXPECT_NE(resumed.out.find(" (1 more failed before, not retried); results in " + db), std::string::npos)
      << resumed.out;

  const auto retried = run_cli("sweep run " + spec + " --db " + db + " --jobs 1 -q --retry-failed");
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_NE(retried.err.find("1 runs to do (11 finished in " + db + ", 1 failed there, run again)"), std::string::npos)
      << retried.err;
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM results WHERE status = 'ok'"), 12);
  EXPECT_EQ(run_cli("sweep run " + spec + " --db " + db + " -q").exit_code, 0);  // all ok now
  // The exit codes are in the help.
  EXPECT_NE(run_cli("sweep run --help").out.find("1 it ran to the end but some runs failed"), std::string::npos);
}

// Before: the second process to reach the new file failed ("table results already exists"
// or "database is locked" from switching it to WAL).
TEST(SweepCli, TwoRunsStartedTogetherOnANewDbBothFinish) {
  const std::string spec = write_spec("together", 3), db = dir() + "/together.sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
  const pid_t a = spawn({"sweep", "run", spec, "--db", db, "--jobs", "1", "-q"});
  const pid_t b = spawn({"sweep", "run", spec, "--db", db, "--jobs", "1", "-q"});
  for (pid_t pid : {a, b}) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM results WHERE status = 'ok'"), 12);
  EXPECT_TRUE(no_duplicates(db));
}
