#include "sim/sweep/results_db.h"

#include <sqlite3.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {

namespace {

// Columns every results table has, in order (the axis columns follow point_index).
const std::vector<std::pair<std::string, std::string>> kKeyColumns = {
    {"config_hash", "TEXT NOT NULL"}, {"model", "TEXT NOT NULL"}, {"schema", "TEXT NOT NULL"},
    {"point_index", "INTEGER"}};
const std::vector<std::pair<std::string, std::string>> kTailColumns = {
    {"status", "TEXT NOT NULL"}, {"error", "TEXT"},        {"latency_ns", "REAL"},  {"latency_cycles", "INTEGER"},
    {"energy_pj", "REAL"},       {"area_mm2", "REAL"},     {"total_macs", "INTEGER"}, {"dram_bytes", "INTEGER"},
    {"bus_bytes", "INTEGER"},    {"wall_s", "REAL"},       {"worker", "TEXT"},      {"sim_version", "TEXT"},
    {"started_at", "TEXT"},      {"finished_at", "TEXT"}};

// RAII statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK)
      throw UserError(fmt::format("{}: {} (in: {})", path, sqlite3_errmsg(db), sql.substr(0, 120)));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

std::string text_col(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? reinterpret_cast<const char*>(t) : "";
}

std::string describe_change(const nlohmann::json& have, const nlohmann::json& want) {
  std::vector<std::string> parts;
  for (const auto& key : {"base_config_hash", "axes", "models", "schemas", "constraints", "seed", "inferences"}) {
    if (have.value(key, nlohmann::json()) == want.value(key, nlohmann::json())) continue;
    std::string what = key;
    if (std::string(key) == "base_config_hash") what = "the base config";
    if (std::string(key) == "axes") {
      std::vector<std::string> names;
      std::map<std::string, nlohmann::json> old_axes;
      for (const auto& a : have.value("axes", nlohmann::json::array())) old_axes[a.value("name", "")] = a;
      for (const auto& a : want.value("axes", nlohmann::json::array())) {
        const std::string n = a.value("name", "");
        if (!old_axes.count(n)) names.push_back(n + " (new)");
        else if (old_axes[n] != a) names.push_back(n);
        old_axes.erase(n);
      }
      for (const auto& [n, a] : old_axes) names.push_back(n + " (removed)");
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      what = "axes: " + list;
    }
    if (std::string(key) == "models") what = "the models (list or file contents)";
    parts.push_back(what);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out.empty() ? "the spec" : out;
}

}  // namespace

std::string sql_ident(const std::string& name) {
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string utc_now_iso() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json metrics_of_summary(const nlohmann::json& j) {
  nlohmann::json m = nlohmann::json::object();
  for (const auto& key : {"latency_ns", "latency_cycles", "energy_pj", "total_macs", "dram_bytes", "bus_bytes"})
    if (j.contains(key)) m[key] = j[key];
  if (j.contains("energy_breakdown_pj"))
    for (const auto& [k, v] : j["energy_breakdown_pj"].items()) m["energy_" + k + "_pj"] = v;
  if (j.contains("units"))
    for (const auto& [k, v] : j["units"].items())
      if (v.contains("utilization")) m["util_" + k] = v["utilization"];
  return m;
}

ResultsDb::ResultsDb(const std::string& path) : path_(path) {
  if (std::filesystem::is_directory(path)) throw UserError(fmt::format("{}: is a directory, not a results database", path));
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(fmt::format("{}: cannot open the results database ({})", path, msg));
  }
  sqlite3_busy_timeout(db_, 30000);  // shards and readers may hold a lock briefly
  try {
    // WAL: a crash mid-write leaves every committed transaction intact; NORMAL sync is
    // durable against process kills (the OS keeps the WAL), which is what sweeps face.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)");
  } catch (const UserError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(fmt::format("{}: not a results database ({})", path, e.what()));
  }
  Stmt s(db_, "SELECT name FROM pragma_table_info('results')", path_);
  while (sqlite3_step(s.get()) == SQLITE_ROW) columns_.insert(text_col(s.get(), 0));
}

ResultsDb::~ResultsDb() {
  if (db_) sqlite3_close(db_);
}

void ResultsDb::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw UserError(fmt::format("{}: {}", path_, msg));
  }
}

std::optional<std::string> ResultsDb::meta(const std::string& key) const {
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?", path_);
  sqlite3_bind_text(s.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) == SQLITE_ROW) return text_col(s.get(), 0);
  return std::nullopt;
}

void ResultsDb::set_meta(const std::string& key, const std::string& value) {
  Stmt s(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", path_);
  sqlite3_bind_text(s.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 2, value.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) throw UserError(fmt::format("{}: {}", path_, sqlite3_errmsg(db_)));
}

std::vector<std::string> ResultsDb::columns() const {
  std::vector<std::string> out;
  Stmt s(db_, "SELECT name FROM pragma_table_info('results')", path_);
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(text_col(s.get(), 0));
  return out;
}

void ResultsDb::ensure_column(const std::string& name, const std::string& type) {
  if (columns_.count(name)) return;
  exec(fmt::format("ALTER TABLE results ADD COLUMN {} {}", sql_ident(name), type));
  columns_.insert(name);
}

void ResultsDb::bind_spec(const nlohmann::json& canonical, const std::string& spec_hash, const std::string& spec_name,
                          const std::vector<std::pair<std::string, std::string>>& axis_types, bool allow_change) {
  const auto have = meta("spec_hash");
  if (have && *have != spec_hash) {
    nlohmann::json old;
    try {
      old = nlohmann::json::parse(meta("spec_json").value_or("{}"));
    } catch (const nlohmann::json::exception&) {
    }
    if (!allow_change)
      throw UserError(fmt::format("{}: holds results of another version of sweep '{}' ({} changed); use a new --db, "
                                  "or --allow-spec-change to keep these rows and add the new spec's points",
                                  path_, meta("spec_name").value_or("?"), describe_change(old, canonical)));
  }
  for (const auto& [name, type] : axis_types)
    for (const auto& [reserved, t] : kTailColumns)
      if (name == reserved) throw UserError(fmt::format("axis '{}' has the name of a result column; rename it", name));
  exec("BEGIN IMMEDIATE");
  try {
    if (columns_.empty()) {
      std::string cols;
      for (const auto& [n, t] : kKeyColumns) cols += sql_ident(n) + " " + t + ", ";
      for (const auto& [n, t] : axis_types) cols += sql_ident(n) + " " + t + ", ";
      for (const auto& [n, t] : kTailColumns) cols += sql_ident(n) + " " + t + ", ";
      exec(fmt::format("CREATE TABLE results ({}PRIMARY KEY (config_hash, model, schema))", cols));
      Stmt s(db_, "SELECT name FROM pragma_table_info('results')", path_);
      while (sqlite3_step(s.get()) == SQLITE_ROW) columns_.insert(text_col(s.get(), 0));
      set_meta("created_at", utc_now_iso());
    }
    for (const auto& [n, t] : axis_types) ensure_column(n, t);
    set_meta("spec_hash", spec_hash);
    set_meta("spec_json", canonical.dump());
    set_meta("spec_name", spec_name);
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

DbStatus ResultsDb::status() const {
  DbStatus st;
  if (!columns_.count("status")) return st;
  Stmt s(db_, "SELECT config_hash, model, schema, status FROM results", path_);
  while (sqlite3_step(s.get()) == SQLITE_ROW) {
    auto key = std::make_tuple(text_col(s.get(), 0), text_col(s.get(), 1), text_col(s.get(), 2));
    (text_col(s.get(), 3) == "ok" ? st.ok : st.failed).insert(std::move(key));
  }
  return st;
}

void ResultsDb::write(const ResultRow& r) {
  std::vector<std::pair<std::string, nlohmann::json>> values = {
      {"config_hash", r.config_hash}, {"model", r.model},   {"schema", r.schema}, {"point_index", r.point_index},
      {"status", r.ok ? "ok" : "failed"}, {"error", r.error}, {"wall_s", r.wall_s}, {"worker", r.worker},
      {"sim_version", H4H_VERSION},   {"started_at", r.started_at}, {"finished_at", r.finished_at}};
  for (const auto& [k, v] : r.params) values.emplace_back(k, v);
  for (const auto& [k, v] : r.metrics.items()) values.emplace_back(k, v);
  exec("BEGIN IMMEDIATE");
  try {
    std::string cols, marks;
    for (const auto& [k, v] : values) {
      if (!columns_.count(k)) ensure_column(k, v.is_number_integer() ? "INTEGER" : v.is_number() ? "REAL" : "TEXT");
      cols += (cols.empty() ? "" : ", ") + sql_ident(k);
      marks += marks.empty() ? "?" : ", ?";
    }
    Stmt s(db_, fmt::format("INSERT OR REPLACE INTO results ({}) VALUES ({})", cols, marks), path_);
    int i = 1;
    for (const auto& [k, v] : values) {
      if (v.is_null()) sqlite3_bind_null(s.get(), i);
      else if (v.is_number_integer()) sqlite3_bind_int64(s.get(), i, v.get<int64_t>());
      else if (v.is_number()) sqlite3_bind_double(s.get(), i, v.get<double>());
      else if (v.is_string()) sqlite3_bind_text(s.get(), i, v.get_ref<const std::string&>().c_str(), -1, SQLITE_TRANSIENT);
      else sqlite3_bind_text(s.get(), i, v.dump().c_str(), -1, SQLITE_TRANSIENT);
      ++i;
    }
    if (sqlite3_step(s.get()) != SQLITE_DONE) throw UserError(fmt::format("{}: {}", path_, sqlite3_errmsg(db_)));
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

int64_t ResultsDb::merge_from(const std::string& other_path) {
  if (!std::filesystem::exists(other_path)) throw UserError(fmt::format("{}: no such shard", other_path));
  ResultsDb other(other_path);
  const auto other_hash = other.meta("spec_hash");
  if (!other_hash) throw UserError(fmt::format("{}: not a sweep results database (no spec)", other_path));
  const auto mine = meta("spec_hash");
  if (!mine) {
    // An empty target takes the shard's spec and columns.
    set_meta("spec_hash", *other_hash);
    set_meta("spec_json", other.meta("spec_json").value_or("{}"));
    set_meta("spec_name", other.meta("spec_name").value_or(""));
    set_meta("created_at", other.meta("created_at").value_or(utc_now_iso()));
  } else if (*mine != *other_hash) {
    throw UserError(fmt::format("{}: a shard of another spec (spec {} vs {}); merge shards of one sweep only",
                                other_path, *other_hash, *mine));
  }
  // Column types of the shard, so the merged table keeps INTEGER/REAL/TEXT affinities.
  std::vector<std::pair<std::string, std::string>> cols;
  {
    Stmt s(other.db_, "SELECT name, type FROM pragma_table_info('results')", other_path);
    while (sqlite3_step(s.get()) == SQLITE_ROW) cols.emplace_back(text_col(s.get(), 0), text_col(s.get(), 1));
  }
  if (cols.empty()) return 0;
  {  // ATTACH is not allowed inside a transaction.
    const std::string attach_path = std::filesystem::absolute(other_path).string();
    Stmt a(db_, "ATTACH DATABASE ? AS shard", path_);
    sqlite3_bind_text(a.get(), 1, attach_path.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(a.get()) != SQLITE_DONE) throw UserError(fmt::format("{}: {}", other_path, sqlite3_errmsg(db_)));
  }
  exec("BEGIN IMMEDIATE");
  int64_t added = 0;
  try {
    if (columns_.empty()) {
      std::string defs;
      for (const auto& [n, t] : cols) defs += sql_ident(n) + " " + t + ", ";
      exec(fmt::format("CREATE TABLE results ({}PRIMARY KEY (config_hash, model, schema))", defs));
      for (const auto& [n, t] : cols) columns_.insert(n);
    }
    for (const auto& [n, t] : cols) ensure_column(n, t.empty() ? "TEXT" : t);
    std::string names;
    for (const auto& [n, t] : cols) names += (names.empty() ? "" : ", ") + sql_ident(n);
    // A row of the shard wins when the target has no row for its key, or has a failed one
    // and the shard's is ok, or both agree in status and the shard's is newer.
    exec(fmt::format(
        "INSERT OR REPLACE INTO results ({0}) SELECT {0} FROM shard.results s WHERE NOT EXISTS (SELECT 1 FROM "
        "results r WHERE r.config_hash = s.config_hash AND r.model = s.model AND r.schema = s.schema AND "
        "(r.status = 'ok' AND s.status <> 'ok' OR r.status = s.status AND r.finished_at >= s.finished_at))",
        names));
    added = sqlite3_changes(db_);
    exec("COMMIT");
    exec("DETACH DATABASE shard");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "DETACH DATABASE shard", nullptr, nullptr, nullptr);
    throw;
  }
  return added;
}

}  // namespace h4h
