// Results DBs that are not what they should be (sim/sweep/results_db): every bad file is
// refused when opened, for reading and for writing, with its reason and unchanged; processes
// opening one new file at once never race on its schema; merges never touch an input, never
// write into one, and leave nothing behind when they fail; the report says why it has nothing
// to draw; Pareto ties are all listed, in one order.
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <tuple>

#include <gtest/gtest.h>

#include "sim/sweep/results_db.h"
#include "sim/sweep/sweep_report.h"
#include "sim/sweep/sweep_runner.h"
#include "tests/sim/sweep/bad_results_dbs.h"
#include "tests/sim/sweep/sweep_test_util.h"

namespace h4h {
namespace {

namespace fs = std::filesystem;
using test::BadDb;
using test::file_bytes;
using test::raw_sql;

// A fresh directory of this test's own.
std::string fresh_dir(const std::string& name) {
  const std::string d = test::sweep_tmp(name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string open_error(const std::string& path, DbAccess access) {
  try {
    ResultsDb db(path, access);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::pair<std::string, std::string>> kAxes = {{"npu.array.rows", "INTEGER"}};
nlohmann::json spec(int n) { return {{"axes", {{{"name", "npu.array.rows"}, {"n", n}}}}}; }

ResultRow row(const std::string& hash, bool ok, double latency_ns = 1000, double energy_pj = 10) {
  ResultRow r;
  r.config_hash = hash;
  r.model = "tiny";
  r.schema = "npu_only";
  r.params = {{"npu.array.rows", "16"}};
  r.ok = ok;
  r.error = ok ? "" : "worker killed by signal 9";
  if (ok) r.metrics = {{"latency_ns", latency_ns}, {"energy_pj", energy_pj}};
  r.finished_at = "2026-01-01T00:00:00Z";
  return r;
}

// --- opening ---------------------------------------------------------------------------------

TEST(AdversarialDb, EveryBadFileIsRefusedWhenOpenedToReadOrWriteAndLeftUnchanged) {
  const std::string dir = fresh_dir("bad_dbs");
  for (const BadDb& bad : test::write_bad_results_dbs(dir)) {
    const std::string before = file_bytes(bad.path);
    EXPECT_EQ(open_error(bad.path, DbAccess::read), bad.path + ": " + bad.reason) << bad.kind;
    EXPECT_EQ(open_error(bad.path, DbAccess::write), bad.path + ": " + bad.reason) << bad.kind;
    EXPECT_EQ(file_bytes(bad.path), before) << bad.kind << ": modified";
    EXPECT_FALSE(fs::exists(bad.path + "-wal")) << bad.kind;
  }
}

TEST(AdversarialDb, PagesOverwrittenInTheMiddleAreFoundByTheIntegrityCheck) {
  const std::string dir = fresh_dir("overwritten");
  const std::string path = dir + "/r.sqlite";
  test::write_good_db(path, 400);
  std::string bytes = file_bytes(path);
  ASSERT_GT(bytes.size(), 20000u);
  std::fill(bytes.begin() + 8192, bytes.begin() + 12288, '\xAA');  // pages 3 of 4 KiB
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  // quick_check's own words name the page; the message starts the same either way.
  for (DbAccess access : {DbAccess::read, DbAccess::write})
    EXPECT_EQ(open_error(path, access).rfind(path + ": corrupt SQLite database (", 0), 0u) << open_error(path, access);
}

TEST(AdversarialDb, ADatabaseWrittenBeforeTheStampIsReadAsIsAndStampedWhenWritten) {
  const std::string dir = fresh_dir("legacy");
  const std::string path = dir + "/old.sqlite";
  // What this checkout wrote before the layout stamp existed.
  raw_sql(path,
          "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('spec_hash', 'h1'); "
          "CREATE TABLE results (config_hash TEXT NOT NULL, model TEXT NOT NULL, schema TEXT NOT NULL, point_index "
          "INTEGER, status TEXT NOT NULL, finished_at TEXT, PRIMARY KEY (config_hash, model, schema)); "
          "INSERT INTO results VALUES ('a', 'tiny', 'npu_only', 0, 'ok', '2026');");
  const std::string before = file_bytes(path);
  {
    ResultsDb db(path, DbAccess::read);
    EXPECT_EQ(db.status().ok.size(), 1u);
  }
  EXPECT_EQ(file_bytes(path), before);
  {
    ResultsDb db(path, DbAccess::write);
    EXPECT_EQ(db.meta("spec_hash").value_or(""), "h1");
  }
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM "
                        "pragma_user_version)", -1, &s, nullptr);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(s, 0), 0x48344853);  // 'H4HS'
  EXPECT_EQ(sqlite3_column_int64(s, 1), 1);
  sqlite3_finalize(s);
  sqlite3_close(h);
}

TEST(AdversarialDb, AnEmptyFileIsANewDatabase) {
  const std::string dir = fresh_dir("empty");
  const std::string path = dir + "/e.sqlite";
  std::ofstream(path).close();
  {
    ResultsDb db(path, DbAccess::read);  // reading does not make it ours
    EXPECT_TRUE(db.columns().empty());
    EXPECT_FALSE(db.meta("spec_hash"));
  }
  EXPECT_EQ(fs::file_size(path), 0u);
  ResultsDb db(path, DbAccess::write);
  db.bind_spec(spec(1), "h1", "s", kAxes, false);
  EXPECT_EQ(db.meta("spec_hash").value_or(""), "h1");
}

// --- schema creation races -------------------------------------------------------------------

// Before: the second bind failed with "table results already exists" (its view of the
// schema was read when it opened, outside any lock).
TEST(AdversarialDb, TwoConnectionsOpenedOnANewFileBothBindIt) {
  const std::string path = fresh_dir("two_conns") + "/r.sqlite";
  ResultsDb a(path), b(path);
  a.bind_spec(spec(1), "h1", "s", kAxes, false);
  b.bind_spec(spec(1), "h1", "s", kAxes, false);
  a.write(row("p1", true));
  b.write(row("p2", true));
  EXPECT_EQ(a.status().ok.size(), 2u);
}

// Before: "duplicate column name: util_npu" when two writers met a new metric column.
TEST(AdversarialDb, TwoWritersAddingTheSameNewColumnBothWriteTheirRow) {
  const std::string path = fresh_dir("two_cols") + "/r.sqlite";
  ResultsDb a(path), b(path);
  a.bind_spec(spec(1), "h1", "s", kAxes, false);
  b.bind_spec(spec(1), "h1", "s", kAxes, false);
  ResultRow ra = row("p1", true), rb = row("p2", true);
  ra.metrics["util_npu"] = 0.5;
  rb.metrics["util_npu"] = 0.25;
  a.write(ra);
  b.write(rb);
  EXPECT_EQ(b.status().ok.size(), 2u);
}

TEST(AdversarialDb, ProcessesRacingOnANewFileAllCreateAndBindItWithoutErrors) {
  const std::string path = fresh_dir("race") + "/r.sqlite";
  constexpr int kProcesses = 8;
  for (int round = 0; round < 5; ++round) {
    fs::remove(path);
    fs::remove(path + "-wal");
    fs::remove(path + "-shm");
    int go[2];
    ASSERT_EQ(::pipe(go), 0);
    std::vector<pid_t> pids;
    for (int i = 0; i < kProcesses; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(go[1]);
        char c;
        if (::read(go[0], &c, 1) != 0) ::_exit(9);  // all start when the pipe closes
        try {
          ResultsDb db(path);
          db.bind_spec(spec(1), "h1", "s", kAxes, false);
          db.write(row("p" + std::to_string(i), true));
        } catch (const std::exception& e) {
          std::fprintf(stderr, "process %d: %s\n", i, e.what());
          ::_exit(1);
        }
        ::_exit(0);
      }
      pids.push_back(pid);
    }
    ::close(go[0]);
    ::close(go[1]);
    for (pid_t pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round;
    }
    ResultsDb db(path, DbAccess::read);
    EXPECT_EQ(db.status().ok.size(), static_cast<size_t>(kProcesses)) << "round " << round;
  }
}

// --- merge -----------------------------------------------------------------------------------

std::string merge_error(const std::vector<std::string>& inputs, const std::string& target) {
  try {
    merge_results(inputs, target);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

void write_shard(const std::string& path, const std::vector<ResultRow>& rows, const std::string& hash = "h1") {
  ResultsDb db(path);
  db.bind_spec(spec(1), hash, "s", kAxes, false);
  for (const auto& r : rows) db.write(r);
}

TEST(AdversarialDb, MergeIntoOneOfItsInputsIsRefusedHoweverTheInputIsNamed) {
  const std::string d = fresh_dir("merge_self");
  const std::string a = d + "/a.sqlite", b = d + "/b.sqlite", link = d + "/link.sqlite", hard = d + "/hard.sqlite";
  write_shard(a, {row("p1", true)});
  write_shard(b, {row("p2", true)});
  fs::create_symlink(a, link);
  fs::create_hard_link(a, hard);
  const auto before = listing(d);
  const std::string bytes = file_bytes(a);
  EXPECT_EQ(merge_error({a}, a), "--db " + a + ": is the same file as the input shards " + a + "; an output never replaces an input");
  EXPECT_EQ(merge_error({b, a}, a), "--db " + a + ": is the same file as the input shards " + a + "; an output never replaces an input");
  EXPECT_EQ(merge_error({b, link}, a), "--db " + a + ": is the same file as the input shards " + link + "; an output never replaces an input");
  EXPECT_EQ(merge_error({hard}, link), "--db " + link + ": is the same file as the input shards " + hard + "; an output never replaces an input");
  EXPECT_EQ(merge_error({a, b, link}, d + "/m.sqlite"),
            "sweep merge: input " + link + " is the same file as input " + a);
  EXPECT_EQ(listing(d), before);  // nothing created, nothing left behind
  EXPECT_EQ(file_bytes(a), bytes);
}

TEST(AdversarialDb, MergeReadsInputsWithoutChangingThemAndExtendsTheTarget) {
  const std::string d = fresh_dir("merge_inputs");
  const std::string a = d + "/a.sqlite", b = d + "/b.sqlite", m = d + "/m.sqlite";
  write_shard(a, {row("p1", true), row("p2", false)});
  write_shard(b, {row("p2", true), row("p3", true)});
  write_shard(m, {row("p0", true)});
  const std::string bytes_a = file_bytes(a), bytes_b = file_bytes(b);
  EXPECT_EQ(merge_results({a, b}, m), 4);  // p1, p2 (failed), p2 (ok replaces it), p3
  EXPECT_EQ(file_bytes(a), bytes_a);
  EXPECT_EQ(file_bytes(b), bytes_b);
  EXPECT_EQ(listing(d), (std::vector<std::string>{"a.sqlite", "b.sqlite", "m.sqlite"}));
  ResultsDb out(m, DbAccess::read);
  const DbStatus st = out.status();
  EXPECT_EQ(st.ok.size(), 4u);  // p0 kept from the target, p1, p2, p3
  EXPECT_EQ(st.failed.size(), 0u);
}

TEST(AdversarialDb, AFailedMergeLeavesTheTargetAsItWasAndNoTemporary) {
  const std::string d = fresh_dir("merge_fail");
  const std::string a = d + "/a.sqlite", other = d + "/other.sqlite", m = d + "/m.sqlite";
  write_shard(a, {row("p1", true)});
  write_shard(other, {row("x", true)}, "h9");
  write_shard(m, {row("p0", true)});
  const std::string bad = test::write_bad_results_dbs(d + "/bad")[1].path;  // truncated
  const std::string bytes_m = file_bytes(m);
  const auto before = listing(d);
  EXPECT_EQ(merge_error({a, other}, m),
            other + ": a shard of another spec (spec h9 vs h1 in " + m + "); merge shards of one sweep only");
  EXPECT_EQ(merge_error({a, bad}, m), bad + ": corrupt SQLite database (database disk image is malformed)");
  EXPECT_EQ(merge_error({a, d + "/none.sqlite"}, m), d + "/none.sqlite: no such shard");
  EXPECT_EQ(merge_error({a}, bad), bad + ": corrupt SQLite database (database disk image is malformed)");
  EXPECT_EQ(file_bytes(m), bytes_m);
  EXPECT_EQ(listing(d), before);
}

// Renaming the merge over a DB that a running sweep still writes would lose that sweep's
// later rows (it writes to the replaced file): refused while its WAL is there.
TEST(AdversarialDb, MergeIntoADbStillOpenForWritingIsRefused) {
  const std::string d = fresh_dir("merge_busy");
  const std::string a = d + "/a.sqlite", m = d + "/m.sqlite";
  write_shard(a, {row("p1", true)});
  ResultsDb writer(m);  // a sweep run still going
  writer.bind_spec(spec(1), "h1", "s", kAxes, false);
  writer.write(row("p0", true));
  EXPECT_EQ(merge_error({a}, m), "sweep merge: --db " + m + " is open in another process (" + m +
                                     "-wal exists); merge when it has finished");
  EXPECT_EQ(listing(d), (std::vector<std::string>{"a.sqlite", "m.sqlite", "m.sqlite-shm", "m.sqlite-wal"}));
  EXPECT_EQ(writer.status().ok.size(), 1u);
}

// --- report ----------------------------------------------------------------------------------

std::string report_error(const std::string& db, const SweepReportOptions& o) {
  try {
    sweep_report(db, o);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(AdversarialDb, ReportSaysWhyNothingCanBeDrawnInsteadOfBlamingFilters) {
  const std::string d = fresh_dir("report_empty");
  const std::string db = d + "/r.sqlite";
  {
    ResultsDb w(db);
    w.bind_spec(spec(1), "h1", "s", kAxes, false);
    for (const char* hash : {"p1", "p2"}) {
      ResultRow r = row(hash, true);
      r.worker = "host-a";
      r.metrics["area_mm2"] = nullptr;  // no area table in the config: the column exists, NULL
      w.write(r);
    }
    ResultRow failed = row("p3", false);
    failed.model = "big";
    w.write(failed);
  }
  SweepReportOptions o;
  o.x = "area_mm2";
  // Before: "no finished rows match (models/schemas filters?)" for every one of these.
  EXPECT_EQ(report_error(db, o), "--x area_mm2: the column is empty (NULL) in all 2 finished rows in " + db);
  o.models = {"tiny"};
  EXPECT_EQ(report_error(db, o),
            "--x area_mm2: the column is empty (NULL) in all 2 finished rows of model tiny in " + db);
  o.x = "latency_ns";
  o.y = "worker";
  EXPECT_EQ(report_error(db, o), "--y worker: the column holds text ('host-a'), not numbers");
  o.y = "energy_pj";
  o.models = {"tiny", "huge"};
  EXPECT_EQ(report_error(db, o), "--model huge: no model of that name in " + db + " (models there: big, tiny)");
  o.models = {"big"};
  EXPECT_EQ(report_error(db, o), db + ": none of its 1 rows of model big finished ok (all failed; their error "
                                      "column says why)");
  o.schemas = {"hetero_parallel"};
  EXPECT_EQ(report_error(db, o),
            "--schema hetero_parallel: no schema of that name in " + db + " (schemas there: npu_only)");
  const std::string empty = d + "/empty.sqlite";
  { ResultsDb w(empty); }
  EXPECT_EQ(report_error(empty, SweepReportOptions{}), empty + ": holds no results yet (run `h4hsim sweep run` first)");
}

TEST(AdversarialDb, ReportListsRowsWithoutAValueApartFromTheFront) {
  const std::string d = fresh_dir("report_partial");
  const std::string db = d + "/r.sqlite";
  {
    ResultsDb w(db);
    w.bind_spec(spec(1), "h1", "s", kAxes, false);
    w.write(row("p1", true, 100, 10));
    ResultRow no_energy = row("p2", true);
    no_energy.metrics = {{"latency_ns", 50.0}};
    w.write(no_energy);
  }
  const std::string out = sweep_report(db, SweepReportOptions{});
  EXPECT_NE(out.find("(1 finished rows without a value of latency_ns or energy_pj are left out)"), std::string::npos)
      << out;
}

// --- Pareto fronts ---------------------------------------------------------------------------

TEST(ParetoFront, TiesAreAllListedInOneOrder) {
  // (1,5) (2,3) twice (3,3) (2,4) (4,1) twice: the front is (1,5), both (2,3), both (4,1);
  // (3,3) is dominated by (2,3), (2,4) by (2,3).
  const std::vector<std::pair<double, double>> pts = {{4, 1}, {2, 3}, {3, 3}, {1, 5}, {2, 4}, {2, 3}, {4, 1}};
  EXPECT_EQ(pareto_front_2d(pts), (std::vector<size_t>{3, 1, 5, 0, 6}));
  // Before: one of each tie was dropped ({3, 1, 0}).
}

// Property: the front is exactly the set of non-dominated points (brute force), sorted by
// (x, y, index); and the same points in another order give the same front.
TEST(ParetoFront, IsTheNonDominatedSetInADeterministicOrderOnRandomPointsWithTies) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 500; ++trial) {
    const size_t n = 1 + rng() % 40;
    const int span = 1 + static_cast<int>(rng() % 6);  // small coordinates: many ties
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < n; ++i)
      pts.emplace_back(static_cast<double>(rng() % static_cast<uint64_t>(span)),
                       static_cast<double>(rng() % static_cast<uint64_t>(span)));
    std::vector<size_t> expected;
    for (size_t i = 0; i < n; ++i) {
      bool dominated = false;
      for (size_t j = 0; j < n && !dominated; ++j)
        dominated = pts[j].first <= pts[i].first && pts[j].second <= pts[i].second && pts[j] != pts[i];
      if (!dominated) expected.push_back(i);
    }
    std::sort(expected.begin(), expected.end(), [&](size_t a, size_t b) {
      return pts[a] != pts[b] ? pts[a] < pts[b] : a < b;
    });
    ASSERT_EQ(pareto_front_2d(pts), expected) << "trial " << trial;
    // Shuffled, the front holds the same points in the same order of values.
    std::vector<size_t> perm(n);
    for (size_t i = 0; i < n; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<std::pair<double, double>> shuffled;
    for (size_t i : perm) shuffled.push_back(pts[i]);
    std::vector<std::pair<double, double>> a, b;
    for (size_t i : expected) a.push_back(pts[i]);
    for (size_t i : pareto_front_2d(shuffled)) b.push_back(shuffled[i]);
    ASSERT_EQ(a, b) << "trial " << trial;
  }
}

TEST(AdversarialDb, ReportListsEveryTiedPointOfTheFront) {
  const std::string d = fresh_dir("report_ties");
  const std::string db = d + "/r.sqlite";
  {
    ResultsDb w(db);
    w.bind_spec(spec(1), "h1", "s", kAxes, false);
    // Written in an order unlike the listing's, which goes by point index for ties.
    for (auto [hash, index, lat, en] : {std::tuple{"c", 2, 100.0, 10.0}, std::tuple{"a", 0, 100.0, 10.0},
                                        std::tuple{"b", 1, 50.0, 20.0}, std::tuple{"d", 3, 100.0, 30.0}}) {
      ResultRow r = row(hash, true, lat, en);
      r.point_index = index;
      r.params = {{"npu.array.rows", std::to_string(16 * (index + 1))}};
      w.write(r);
    }
  }
  EXPECT_EQ(sweep_report(db, SweepReportOptions{}),
            "4 finished rows, 1 models; Pareto fronts (minimizing latency_ns and energy_pj):\n"
            "tiny (3 of 4 points on the front)\n"
            "  latency_ns=50 energy_pj=20 schema=npu_only npu.array.rows=32\n"
            "  latency_ns=100 energy_pj=10 schema=npu_only npu.array.rows=16\n"
            "  latency_ns=100 energy_pj=10 schema=npu_only npu.array.rows=48\n");
}

// --- resume counts ---------------------------------------------------------------------------

TEST(AdversarialDb, TallySeparatesFinishedFailedAndMissingRunsPerShard) {
  const SweepSpec sp = test::parse_spec(test::tiny_spec("  npu.array.rows: [8, 16, 32]\n",
                                                        "schemas: [npu_only, hetero_parallel]\n"));
  const SweepPlan plan = plan_sweep(sp);
  ASSERT_EQ(plan.points.size(), 3u);
  const std::string m = sp.models[0].name;
  DbStatus done;
  done.ok.insert({plan.points[0].config_hash, m, "npu_only"});
  done.ok.insert({plan.points[0].config_hash, m, "hetero_parallel"});
  done.failed.insert({plan.points[1].config_hash, m, "npu_only"});
  done.failed.insert({"not-in-the-plan", m, "npu_only"});  // an old spec's row: not counted
  const RunTally all = tally_runs(sp, plan, done);
  EXPECT_EQ(all.ok, 2);
  EXPECT_EQ(all.failed, 1);
  EXPECT_EQ(all.missing, 3);
  const RunTally shard1 = tally_runs(sp, plan, done, 1, 2);  // point 1 only
  EXPECT_EQ(shard1.ok, 0);
  EXPECT_EQ(shard1.failed, 1);
  EXPECT_EQ(shard1.missing, 1);
}

}  // namespace
}  // namespace h4h
