#include "sim/sweep/results_db.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"

namespace h4h {

namespace {

// How long a statement waits for another process's lock before it fails.
constexpr int kBusyTimeoutMs = 30000;

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
  for (const auto& key : {"latency_ns", "latency_cycles", "energy_pj", "total_macs", "dram_bytes",
                          "bus_bytes", "onchip_bytes", "fused_kernels"})
    if (j.contains(key)) m[key] = j[key];
  if (j.contains("dram_bytes_breakdown"))  // dram_weights_bytes, dram_spills_bytes, ...
    for (const auto& [k, v] : j["dram_bytes_breakdown"].items()) m["dram_" + k + "_bytes"] = v;
  if (j.contains("energy_breakdown_pj"))
    for (const auto& [k, v] : j["energy_breakdown_pj"].items()) m["energy_" + k + "_pj"] = v;
  if (j.contains("units"))
    for (const auto& [k, v] : j["units"].items())
      if (v.contains("utilization")) m["util_" + k] = v["utilization"];
  return m;
}

namespace {

// `path` as a SQLite URI with `query` ("file:/a%3Fb.db?mode=ro"): '%', '?' and '#' escaped.
std::string sqlite_uri(const std::string& path, const std::string& query) {
  std::string uri = "file:";
  for (char c : path)
    uri += c == '%' || c == '?' || c == '#' ? fmt::format("%{:02X}", static_cast<unsigned char>(c)) : std::string(1, c);
  return uri + "?" + query;
}

// The first line of a SQLite message (quick_check lists one problem per line).
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Tables of the main schema (SQLite's own sqlite_* ones left out), sorted.
std::vector<std::string> user_tables(sqlite3* db, const std::string& name) {
  std::vector<std::string> out;
  Stmt s(db,
         "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
         "ORDER BY name",
         name);
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) out.push_back(text_col(s.get(), 0));
  if (rc != SQLITE_DONE) throw UserError(fmt::format("{}: {}", name, sqlite3_errmsg(db)));
  return out;
}

int64_t pragma_int(sqlite3* db, const std::string& pragma, const std::string& name) {
  Stmt s(db, "PRAGMA " + pragma, name);
  if (sqlite3_step(s.get()) != SQLITE_ROW) throw UserError(fmt::format("{}: {}", name, sqlite3_errmsg(db)));
  return sqlite3_column_int64(s.get(), 0);
}

std::set<std::string> table_columns(sqlite3* db, const std::string& table, const std::string& name) {
  std::set<std::string> out;
  Stmt s(db, "SELECT name FROM pragma_table_info(?)", name);
  sqlite3_bind_text(s.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.insert(text_col(s.get(), 0));
  return out;
}

}  // namespace

ResultsDb::ResultsDb(const std::string& path, DbAccess access, const std::string& display_name)
    : path_(path), name_(display_name.empty() ? path : display_name) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UserError(fmt::format("{}: is a directory, not a results database", name_));
  const bool write = access == DbAccess::write;
  // A reader opens the file read-write all the same, and never writes (query_only): the last
  // connection to close then removes the -wal/-shm files a WAL database gets while open,
  // which a read-only connection would leave beside the file. SQLite opens a file it may not
  // write read-only by itself.
  open(write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE, false);
  try {
    if (!write) exec("PRAGMA query_only = 1");
    if (write && sqlite3_db_readonly(db_, "main") == 1)
      throw UserError(fmt::format("{}: cannot write the results database (the file is read-only)", name_));
    try {
      check_layout(true);
    } catch (const UserError&) {
      // A WAL database is read through its -shm file, which a reader in a directory it
      // cannot write cannot create: such a file can still be read as immutable.
      const int code = sqlite3_extended_errcode(db_);
      const int primary = code & 0xff;
      if (write || (primary != SQLITE_READONLY && primary != SQLITE_CANTOPEN)) throw;
      sqlite3_close(db_);
      db_ = nullptr;
      open(SQLITE_OPEN_READONLY, true);
      exec("PRAGMA query_only = 1");
      check_layout(true);
    }
    if (write) {
      // WAL: a crash mid-write leaves every committed transaction intact; NORMAL sync is
      // durable against process kills (the OS keeps the WAL), which is what sweeps face.
      enable_wal();
      exec("PRAGMA synchronous=NORMAL");
      initialize_layout();
    }
    refresh_columns();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void ResultsDb::open(int flags, bool immutable) {
  const std::string file = immutable ? sqlite_uri(path_, "immutable=1") : path_;
  if (sqlite3_open_v2(file.c_str(), &db_, flags | SQLITE_OPEN_URI, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw UserError(fmt::format("{}: cannot open the results database ({})", name_, msg));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);  // shards and readers may hold a lock briefly
}

// Switching a file to WAL needs it to itself, and SQLite answers BUSY at once there instead
// of calling its busy handler: processes opening one new file together retry here, for as
// long as the busy timeout lets them wait elsewhere.
void ResultsDb::enable_wal() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    Stmt s(db_, "PRAGMA journal_mode=WAL", name_);
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_ROW && text_col(s.get(), 0) == "wal") return;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline)
      throw UserError(fmt::format("{}: cannot switch the results database to WAL mode ({})", name_,
                                  rc == SQLITE_ROW ? "journal mode " + text_col(s.get(), 0) : sqlite3_errmsg(db_)));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Is this file SQLite, intact, and ours (or empty)? Reads only.
void ResultsDb::check_layout(bool quick_check) {
  std::vector<std::string> tables;
  try {
    tables = user_tables(db_, name_);
  } catch (const UserError&) {
    const int code = sqlite3_extended_errcode(db_) & 0xff;
    if (code == SQLITE_NOTADB) throw UserError(fmt::format("{}: not a results database (not an SQLite file)", name_));
    if (code == SQLITE_CORRUPT)
      throw UserError(fmt::format("{}: corrupt SQLite database ({})", name_, sqlite3_errmsg(db_)));
    throw;
  }
  if (quick_check) {
    // O(file size): 130 ms for 10^5 rows (23 MB) here; once per open, before a row is trusted.
    Stmt s(db_, "PRAGMA quick_check(1)", name_);
    const int rc = sqlite3_step(s.get());
    const std::string verdict = rc == SQLITE_ROW ? text_col(s.get(), 0) : sqlite3_errmsg(db_);
    if (verdict != "ok") {
      std::string detail = verdict;
      if (detail.rfind("*** in database main ***\n", 0) == 0) detail = detail.substr(detail.find('\n') + 1);
      throw UserError(fmt::format("{}: corrupt SQLite database ({})", name_, first_line(detail)));
    }
  }
  const int64_t app_id = pragma_int(db_, "application_id", name_);
  const int64_t layout = pragma_int(db_, "user_version", name_);
  if (app_id == 0 && tables.empty()) return;  // new (or empty): initialize_layout makes it ours
  if (app_id != 0 && app_id != kResultsApplicationId)
    throw UserError(fmt::format("{}: a SQLite database of another program (application id 0x{:08x}), not an h4hsim "
                                "results database", name_, static_cast<uint32_t>(app_id)));
  const bool ours_by_tables = std::count(tables.begin(), tables.end(), "meta") &&
                              std::all_of(tables.begin(), tables.end(), [](const std::string& t) {
                                return t == "meta" || t == "results";
                              });
  if (app_id == 0 && !ours_by_tables)
    throw UserError(fmt::format("{}: a SQLite database of another program (tables: {}), not an h4hsim results database",
                                name_, fmt::join(tables, ", ")));
  if (app_id == kResultsApplicationId && layout != kResultsLayoutVersion)
    throw UserError(fmt::format("{}: a results database of {} h4hsim (layout version {}; this h4hsim reads version {})",
                                name_, layout > kResultsLayoutVersion ? "a newer" : "an older", layout,
                                kResultsLayoutVersion));
  const std::vector<std::pair<std::string, std::vector<std::string>>> required = {
      {"meta", {"key", "value"}}, {"results", {"config_hash", "model", "schema", "status", "finished_at"}}};
  for (const auto& [table, cols] : required) {
    if (!std::count(tables.begin(), tables.end(), table)) continue;
    const std::set<std::string> have = table_columns(db_, table, name_);
    for (const auto& c : cols)
      if (!have.count(c))
        throw UserError(fmt::format("{}: table '{}' has no column '{}', which every h4hsim results database has",
                                    name_, table, c));
  }
}

// Makes a new file ours, or stamps one written before the stamp existed; under the write
// lock, re-checking first: another process may have done it since check_layout looked.
void ResultsDb::initialize_layout() {
  exec("BEGIN IMMEDIATE");
  try {
    check_layout(false);
    if (pragma_int(db_, "application_id", name_) == 0) {
      exec(fmt::format("PRAGMA application_id = {}", kResultsApplicationId));
      exec(fmt::format("PRAGMA user_version = {}", kResultsLayoutVersion));
    }
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)");
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

ResultsDb::~ResultsDb() {
  if (db_) sqlite3_close(db_);
}

void ResultsDb::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw UserError(fmt::format("{}: {}", name_, msg));
  }
}

std::optional<std::string> ResultsDb::meta(const std::string& key) const {
  if (!has_meta_) return std::nullopt;  // an empty file opened to read
  Stmt s(db_, "SELECT value FROM meta WHERE key = ?", name_);
  sqlite3_bind_text(s.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) == SQLITE_ROW) return text_col(s.get(), 0);
  return std::nullopt;
}

void ResultsDb::set_meta(const std::string& key, const std::string& value) {
  Stmt s(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", name_);
  sqlite3_bind_text(s.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.get(), 2, value.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.get()) != SQLITE_DONE) throw UserError(fmt::format("{}: {}", name_, sqlite3_errmsg(db_)));
}

std::vector<std::string> ResultsDb::columns() const {
  std::vector<std::string> out;
  Stmt s(db_, "SELECT name FROM pragma_table_info('results')", name_);
  while (sqlite3_step(s.get()) == SQLITE_ROW) out.push_back(text_col(s.get(), 0));
  return out;
}

void ResultsDb::refresh_columns() {
  columns_ = table_columns(db_, "results", name_);
  has_meta_ = !table_columns(db_, "meta", name_).empty();
}

// Called under the write lock: the cache is re-read before a column is added, since another
// process writing the same DB may have added it since.
void ResultsDb::ensure_column(const std::string& name, const std::string& type) {
  if (columns_.count(name)) return;
  refresh_columns();
  if (columns_.count(name)) return;
  exec(fmt::format("ALTER TABLE results ADD COLUMN {} {}", sql_ident(name), type));
  columns_.insert(name);
}

void ResultsDb::bind_spec(const nlohmann::json& canonical, const std::string& spec_hash, const std::string& spec_name,
                          const std::vector<std::pair<std::string, std::string>>& axis_types, bool allow_change) {
  for (const auto& [name, type] : axis_types)
    for (const auto& [reserved, t] : kTailColumns)
      if (name == reserved) throw UserError(fmt::format("axis '{}' has the name of a result column; rename it", name));
  // Everything below reads and changes the schema under the write lock: two runs binding
  // one new file at once see one another's table, never "table results already exists".
  exec("BEGIN IMMEDIATE");
  try {
    refresh_columns();
    const auto have = meta("spec_hash");
    if (have && *have != spec_hash && !allow_change) {
      nlohmann::json old;
      try {
        old = nlohmann::json::parse(meta("spec_json").value_or("{}"));
      } catch (const nlohmann::json::exception&) {
      }
      throw UserError(fmt::format("{}: holds results of another version of sweep '{}' ({} changed); use a new --db, "
                                  "or --allow-spec-change to keep these rows and add the new spec's points",
                                  name_, meta("spec_name").value_or("?"), describe_change(old, canonical)));
    }
    if (columns_.empty()) {
      std::string cols;
      for (const auto& [n, t] : kKeyColumns) cols += sql_ident(n) + " " + t + ", ";
      for (const auto& [n, t] : axis_types) cols += sql_ident(n) + " " + t + ", ";
      for (const auto& [n, t] : kTailColumns) cols += sql_ident(n) + " " + t + ", ";
      exec(fmt::format("CREATE TABLE results ({}PRIMARY KEY (config_hash, model, schema))", cols));
      refresh_columns();
      set_meta("created_at", utc_now_iso());
    }
    for (const auto& [n, t] : axis_types) ensure_column(n, t);
    set_meta("spec_hash", spec_hash);
    set_meta("spec_json", canonical.dump());
    set_meta("spec_name", spec_name);
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

DbStatus ResultsDb::status() const {
  DbStatus st;
  if (!columns_.count("status")) return st;
  Stmt s(db_, "SELECT config_hash, model, schema, status FROM results", name_);
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    auto key = std::make_tuple(text_col(s.get(), 0), text_col(s.get(), 1), text_col(s.get(), 2));
    (text_col(s.get(), 3) == "ok" ? st.ok : st.failed).insert(std::move(key));
  }
  // A read that stops early must not pass for "these are all the rows" (a resume would redo them).
  if (rc != SQLITE_DONE) throw UserError(fmt::format("{}: {}", name_, sqlite3_errmsg(db_)));
  return st;
}

nlohmann::json ResultsDb::rows_json() const {
  nlohmann::json rows = nlohmann::json::array();
  if (!columns_.count("status")) return rows;  // a new, empty DB
  Stmt s(db_, "SELECT * FROM results ORDER BY point_index, model, schema", name_);
  const int n = sqlite3_column_count(s.get());
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    nlohmann::json row = nlohmann::json::object();
    for (int i = 0; i < n; ++i) {
      const std::string col = sqlite3_column_name(s.get(), i);
      switch (sqlite3_column_type(s.get(), i)) {
        case SQLITE_INTEGER:
          row[col] = static_cast<int64_t>(sqlite3_column_int64(s.get(), i));
          break;
        case SQLITE_FLOAT:
          row[col] = sqlite3_column_double(s.get(), i);
          break;
        case SQLITE_NULL:
          row[col] = nullptr;
          break;
        default:
          row[col] = text_col(s.get(), i);
      }
    }
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) throw UserError(fmt::format("{}: {}", name_, sqlite3_errmsg(db_)));
  return rows;
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
    Stmt s(db_, fmt::format("INSERT OR REPLACE INTO results ({}) VALUES ({})", cols, marks), name_);
    int i = 1;
    for (const auto& [k, v] : values) {
      if (v.is_null()) sqlite3_bind_null(s.get(), i);
      else if (v.is_number_integer()) sqlite3_bind_int64(s.get(), i, v.get<int64_t>());
      else if (v.is_number()) sqlite3_bind_double(s.get(), i, v.get<double>());
      else if (v.is_string()) sqlite3_bind_text(s.get(), i, v.get_ref<const std::string&>().c_str(), -1, SQLITE_TRANSIENT);
      else sqlite3_bind_text(s.get(), i, v.dump().c_str(), -1, SQLITE_TRANSIENT);
      ++i;
    }
    if (sqlite3_step(s.get()) != SQLITE_DONE) throw UserError(fmt::format("{}: {}", name_, sqlite3_errmsg(db_)));
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int64_t ResultsDb::merge_from(const std::string& other_path) {
  std::error_code ec;
  if (!std::filesystem::exists(other_path, ec)) throw UserError(fmt::format("{}: no such shard", other_path));
  ResultsDb other(other_path, DbAccess::read);
  const auto other_hash = other.meta("spec_hash");
  if (!other_hash) throw UserError(fmt::format("{}: not a sweep results database (no spec)", other_path));
  const auto mine = meta("spec_hash");
  if (mine && *mine != *other_hash)
    throw UserError(fmt::format("{}: a shard of another spec (spec {} vs {} in {}); merge shards of one sweep only",
                                other_path, *other_hash, *mine, name_));
  // Column types of the shard, so the merged table keeps INTEGER/REAL/TEXT affinities.
  std::vector<std::pair<std::string, std::string>> cols;
  {
    Stmt s(other.db_, "SELECT name, type FROM pragma_table_info('results')", other_path);
    while (sqlite3_step(s.get()) == SQLITE_ROW) cols.emplace_back(text_col(s.get(), 0), text_col(s.get(), 1));
  }
  int64_t added = 0;
  try {
    exec("BEGIN IMMEDIATE");
    if (!mine) {
      // An empty target takes the shard's spec and columns.
      set_meta("spec_hash", *other_hash);
      set_meta("spec_json", other.meta("spec_json").value_or("{}"));
      set_meta("spec_name", other.meta("spec_name").value_or(""));
      set_meta("created_at", other.meta("created_at").value_or(utc_now_iso()));
    }
    if (!cols.empty()) {
      refresh_columns();
      if (columns_.empty()) {
        std::string defs;
        for (const auto& [n, t] : cols) defs += sql_ident(n) + " " + t + ", ";
        exec(fmt::format("CREATE TABLE results ({}PRIMARY KEY (config_hash, model, schema))", defs));
        refresh_columns();
      }
      for (const auto& [n, t] : cols) ensure_column(n, t.empty() ? "TEXT" : t);
      added = copy_rows_from(other, cols);
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return added;
}

// Row by row through both connections (each file read or written only by its own: the
// shard's stays read-only), values copied with their SQLite types.
int64_t ResultsDb::copy_rows_from(const ResultsDb& other,
                                  const std::vector<std::pair<std::string, std::string>>& cols) {
  std::string names, params;
  int key[5] = {0, 0, 0, 0, 0};  // parameter numbers of config_hash, model, schema, status, finished_at
  const char* key_names[5] = {"config_hash", "model", "schema", "status", "finished_at"};
  for (size_t i = 0; i < cols.size(); ++i) {
    names += (i ? ", " : "") + sql_ident(cols[i].first);
    params += fmt::format("{}?{}", i ? ", " : "", i + 1);
    for (int k = 0; k < 5; ++k)
      if (cols[i].first == key_names[k]) key[k] = static_cast<int>(i + 1);
  }
  // A row of the shard wins when the target has no row for its key, or has a failed one and
  // the shard's is ok, or both agree in status and the shard's is newer.
  Stmt insert(db_,
              fmt::format("INSERT OR REPLACE INTO results ({}) SELECT {} WHERE NOT EXISTS (SELECT 1 FROM results r "
                          "WHERE r.config_hash = ?{} AND r.model = ?{} AND r.schema = ?{} AND (r.status = 'ok' AND "
                          "?{} <> 'ok' OR r.status = ?{} AND r.finished_at >= ?{}))",
                          names, params, key[0], key[1], key[2], key[3], key[3], key[4]),
              name_);
  Stmt select(other.db_, fmt::format("SELECT {} FROM results", names), other.name_);
  int64_t added = 0;
  int rc;
  while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
    sqlite3_reset(insert.get());
    for (size_t i = 0; i < cols.size(); ++i)
      sqlite3_bind_value(insert.get(), static_cast<int>(i + 1),
                         sqlite3_column_value(select.get(), static_cast<int>(i)));
    if (sqlite3_step(insert.get()) != SQLITE_DONE)
      throw UserError(fmt::format("{}: {}", name_, sqlite3_errmsg(db_)));
    added += sqlite3_changes(db_);
  }
  if (rc != SQLITE_DONE) throw UserError(fmt::format("{}: {}", other.name_, sqlite3_errmsg(other.db_)));
  return added;
}

namespace {

// The device and inode `path` names, symlinks followed; nullopt when there is none.
std::optional<std::pair<dev_t, ino_t>> file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

// Refuses a merge whose output is one of its inputs (the output module's rule, with the
// CLI's words), or that names one input twice (it would be merged twice).
void refuse_same_files(const std::vector<std::string>& inputs, const std::string& target) {
  std::vector<FileArg> in;
  for (const auto& path : inputs) in.push_back({"shards", path});
  check_distinct_files(in, {{"--db", target}});
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto id = file_identity(inputs[i]);
    if (!id) continue;  // "no such shard", when its turn comes
    for (size_t j = 0; j < i; ++j)
      if (id == file_identity(inputs[j]))
        throw UserError(fmt::format("sweep merge: input {} is the same file as input {}", inputs[i], inputs[j]));
  }
}

// SQLite's companions of a database file (-wal, -shm, -journal), removed when the merge's
// temporary is abandoned; the temporary itself is a PendingOutput.
class SqliteCompanions {
 public:
  explicit SqliteCompanions(std::string db) : db_(std::move(db)) {}
  ~SqliteCompanions() {
    for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((db_ + suffix).c_str());
  }
  SqliteCompanions(const SqliteCompanions&) = delete;
  SqliteCompanions& operator=(const SqliteCompanions&) = delete;

 private:
  std::string db_;
};

}  // namespace

int64_t merge_results(const std::vector<std::string>& inputs, const std::string& target) {
  refuse_same_files(inputs, target);
  check_output_writable(target);
  std::error_code ec;
  const bool extend = std::filesystem::exists(target, ec);
  if (extend) {
    // Opened for writing (checked like any DB, and its WAL checkpointed into it when this is
    // the last connection). A WAL left after that belongs to a process still writing it:
    // renaming the merge over the file would lose that process's rows.
    { ResultsDb existing(target, DbAccess::write); }
    if (std::filesystem::exists(target + "-wal", ec))
      throw UserError(fmt::format("sweep merge: --db {} is open in another process ({}-wal exists); merge when it has "
                                  "finished", target, target));
  }
  // The merge goes to a temporary beside the target (same rules as every output: symlinks
  // followed, a name that fits NAME_MAX), renamed over it when every connection is closed.
  PendingOutput temp(target);
  const SqliteCompanions companions(temp.temp_path());
  int64_t added = 0;
  {
    ResultsDb out(temp.temp_path(), DbAccess::write, target);
    if (extend && ResultsDb(target, DbAccess::read).meta("spec_hash")) out.merge_from(target);
    for (const auto& input : inputs) added += out.merge_from(input);
  }
  temp.commit();
  return added;
}

}  // namespace h4h
