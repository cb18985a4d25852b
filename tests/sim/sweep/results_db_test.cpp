// The results DB: rows survive reopening, a retried failure replaces its row (no
// duplicates), another spec is detected and explained, shards merge with 'ok' winning, and
// files that are not a DB are clear errors.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sim/sweep/results_db.h"
#include "tests/sim/sweep/sweep_test_util.h"

using namespace h4h;
using namespace h4h::test;
namespace fs = std::filesystem;

namespace {
const std::vector<std::pair<std::string, std::string>> kAxes = {{"npu.array.rows", "INTEGER"}};
nlohmann::json spec_json(int n) { return {{"axes", {{{"name", "npu.array.rows"}, {"n", n}}}}}; }

ResultRow row(const std::string& hash, bool ok, const std::string& finished = "2026-01-01T00:00:00Z") {
  ResultRow r;
  r.config_hash = hash;
  r.model = "tiny";
  r.schema = "npu_only";
  r.params = {{"npu.array.rows", "16"}};
  r.ok = ok;
  r.error = ok ? "" : "worker killed by signal 9";
  if (ok) r.metrics = {{"latency_ns", 1234.5}, {"energy_pj", 99.0}, {"energy_dram_pj", 50.0}};
  r.finished_at = finished;
  return r;
}

int64_t count(ResultsDb& db, const std::string& where = "1") {
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db.handle(), ("SELECT COUNT(*) FROM results WHERE " + where).c_str(), -1, &s, nullptr);
  sqlite3_step(s);
  const int64_t n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return n;
}
}  // namespace

TEST(ResultsDb, RowsSurviveReopeningAndARetriedFailureReplacesItsRow) {
  const std::string path = sweep_tmp("rows.sqlite");
  fs::remove(path);
  {
    ResultsDb db(path);
    db.bind_spec(spec_json(1), "h1", "s", kAxes, false);
    db.write(row("a", true));
    db.write(row("b", false));
  }
  ResultsDb db(path);
  db.bind_spec(spec_json(1), "h1", "s", kAxes, false);
  DbStatus st = db.status();
  EXPECT_EQ(st.ok.size(), 1u);
  EXPECT_EQ(st.failed.size(), 1u);
  db.write(row("b", true));
  st = db.status();
  EXPECT_EQ(st.ok.size(), 2u);
  EXPECT_EQ(st.failed.size(), 0u);
  EXPECT_EQ(count(db), 2);
  // Swept parameters are real columns with their type; metrics became columns too.
  EXPECT_EQ(count(db, "\"npu.array.rows\" = 16 AND typeof(\"npu.array.rows\") = 'integer'"), 2);
  EXPECT_EQ(count(db, "energy_dram_pj = 50.0 AND sim_version <> ''"), 2);
}

TEST(ResultsDb, AnotherSpecIsDetectedAndExplainedUnlessAllowed) {
  const std::string path = sweep_tmp("spec.sqlite");
  fs::remove(path);
  ResultsDb db(path);
  db.bind_spec(spec_json(1), "h1", "mysweep", kAxes, false);
  try {
    db.bind_spec(spec_json(2), "h2", "mysweep", kAxes, false);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("another version of sweep 'mysweep'"), std::string::npos) << m;
    EXPECT_NE(m.find("axes: npu.array.rows"), std::string::npos) << m;
    EXPECT_NE(m.find("--allow-spec-change"), std::string::npos) << m;
  }
  db.write(row("a", true));
  db.bind_spec(spec_json(2), "h2", "mysweep", kAxes, true);
  EXPECT_EQ(db.meta("spec_hash").value_or(""), "h2");
  EXPECT_EQ(db.status().ok.size(), 1u);  // the old rows stay
}

TEST(ResultsDb, ShardsMergeWithoutDuplicatesAndAFinishedRowBeatsAFailedOne) {
  const std::string a = sweep_tmp("shard_a.sqlite"), b = sweep_tmp("shard_b.sqlite"), m = sweep_tmp("merged.sqlite");
  for (const auto& p : {a, b, m}) fs::remove(p);
  {
    ResultsDb da(a), db(b);
    da.bind_spec(spec_json(1), "h1", "s", kAxes, false);
    db.bind_spec(spec_json(1), "h1", "s", kAxes, false);
    da.write(row("p1", true));
    da.write(row("p2", false));
    db.write(row("p2", true));
    db.write(row("p3", true));
  }
  ResultsDb out(m);
  EXPECT_EQ(out.merge_from(a), 2);
  EXPECT_EQ(out.merge_from(b), 2);  // p2 ok replaces p2 failed; p3 is new
  EXPECT_EQ(out.merge_from(a), 0);  // merging again adds nothing
  EXPECT_EQ(count(out), 3);
  EXPECT_EQ(count(out, "status = 'ok'"), 3);
  // A shard of another spec is refused.
  const std::string other = sweep_tmp("other.sqlite");
  fs::remove(other);
  {
    ResultsDb o(other);
    o.bind_spec(spec_json(5), "h5", "s", kAxes, false);
    o.write(row("x", true));
  }
  EXPECT_THROW(out.merge_from(other), UserError);
}

TEST(ResultsDb, FilesThatAreNotDatabasesAreUserErrors) {
  const std::string junk = sweep_tmp("junk.sqlite");
  std::ofstream(junk) << "this is not a sqlite database, just text long enough to have a header................";
  try {
    ResultsDb db(junk);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(junk), std::string::npos) << e.what();
  }
  EXPECT_THROW(ResultsDb(fs::path(junk).parent_path().string()), UserError);  // a directory
  EXPECT_THROW(ResultsDb("/nonexistent_dir/x/results.sqlite"), UserError);
}
