#pragma once
// Every way a file can fail to be a usable results DB, written to disk for the tests that
// open it through each path (ResultsDb in both modes; `sweep run`, `report`, `merge`).
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/sweep/results_db.h"

namespace h4h::test {

struct BadDb {
  std::string kind, path;
  std::string reason;  // what follows "PATH: " in the message
};

// Runs `sql` on the SQLite file `path` with no h4hsim code in between.
inline void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << " in " << sql;
  sqlite3_free(err);
  sqlite3_close(db);
}

// A results DB of one spec with `rows` finished rows (spans many pages).
inline void write_good_db(const std::string& path, int rows) {
  std::filesystem::remove(path);
  ResultsDb db(path);
  db.bind_spec({{"axes", nlohmann::json::array()}}, "spec-hash", "good", {{"npu.array.rows", "INTEGER"}}, false);
  for (int i = 0; i < rows; ++i) {
    ResultRow r;
    r.config_hash = "point" + std::to_string(i);
    r.model = "tiny";
    r.schema = "npu_only";
    r.point_index = i;
    r.params = {{"npu.array.rows", std::to_string(8 + i)}};
    r.ok = true;
    r.metrics = {{"latency_ns", 1000.0 + i}, {"energy_pj", 5000.0 - i}};
    r.finished_at = "2026-01-01T00:00:00Z";
    db.write(r);
  }
}

inline std::vector<BadDb> write_bad_results_dbs(const std::string& dir) {
  namespace fs = std::filesystem;
  fs::create_directories(dir);
  auto at = [&](const std::string& name) { return (fs::path(dir) / name).string(); };
  std::vector<BadDb> out;

  out.push_back({"text", at("text.sqlite"), "not a results database (not an SQLite file)"});
  std::ofstream(out.back().path) << "config_hash,model,schema\nabc,tiny,npu_only\n" << std::string(200, '.') << "\n";

  // A real results DB cut in half, as a full disk or an interrupted copy leaves it.
  const std::string good = at("good.sqlite");
  write_good_db(good, 400);
  const auto size = fs::file_size(good);
  out.push_back({"truncated", at("truncated.sqlite"), "corrupt SQLite database (database disk image is malformed)"});
  fs::copy_file(good, out.back().path, fs::copy_options::overwrite_existing);
  fs::resize_file(out.back().path, size / 2);

  out.push_back({"another program's tables", at("music.sqlite"),
                 "a SQLite database of another program (tables: albums, songs), not an h4hsim results database"});
  raw_sql(out.back().path, "CREATE TABLE songs (title TEXT); CREATE TABLE albums (name TEXT);");

  // GeoPackage marks its files with application_id 'GPKG'.
  out.push_back({"another program's application id", at("map.gpkg"),
                 "a SQLite database of another program (application id 0x47504b47), not an h4hsim results database"});
  raw_sql(out.back().path, "PRAGMA application_id = 1196444487; CREATE TABLE gpkg_contents (table_name TEXT);");

  out.push_back({"newer layout", at("newer.sqlite"),
                 "a results database of a newer h4hsim (layout version 2; this h4hsim reads version 1)"});
  write_good_db(out.back().path, 3);
  raw_sql(out.back().path, "PRAGMA user_version = 2;");

  out.push_back({"older layout", at("older.sqlite"),
                 "a results database of an older h4hsim (layout version 0; this h4hsim reads version 1)"});
  write_good_db(out.back().path, 3);
  raw_sql(out.back().path, "PRAGMA user_version = 0;");

  // Tables named like ours, without the stamp, holding something else.
  out.push_back({"unstamped tables of another layout", at("lookalike.sqlite"),
                 "table 'results' has no column 'status', which every h4hsim results database has"});
  raw_sql(out.back().path,
          "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); "
          "CREATE TABLE results (config_hash TEXT, model TEXT, schema TEXT, finished_at TEXT);");
  return out;
}

// The bytes of a file, to show it was not modified.
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace h4h::test
