#pragma once
// ResultsDb: a sweep's results in SQLite — one row per (point, model, schema), keyed by the
// point's config hash, with every swept parameter as its own column. Every row is written
// in its own transaction (WAL journal, synchronous=NORMAL): a SIGKILL of any process loses
// at most the row being written, never a committed one, and a re-run sees exactly what is
// done. The `meta` table keeps the canonical spec the rows belong to, so running another
// spec against the same file is detected and explained instead of mixing results.
//
// The file says it is ours: SQLite's header carries `application_id` 'H4HS' and
// `user_version` = the layout version (kResultsLayoutVersion). Every open checks, before a
// row is read or written, that the file is SQLite, passes `PRAGMA quick_check`, and is an
// h4hsim results DB of this layout (or empty): anything else is a UserError naming the file,
// so a corrupt or foreign file is refused before a sweep simulates anything. Schema changes
// (creating the tables, adding a column) happen only under SQLite's write lock (BEGIN
// IMMEDIATE, waiting up to the busy timeout) after re-reading the schema, so processes
// opening one new file at once never race on them.
//
// Table `results` (columns only ever added):
//   config_hash, model, schema            the key
//   point_index                           the point's index in the spec's grid
//   "<axis>" ...                          one column per axis, named by its key path or bundle name
//   status ('ok' | 'failed'), error       why a row failed (worker crash, model does not fit ...)
//   latency_ns, latency_cycles, energy_pj, energy_<part>_pj ..., area_mm2 (the chip's modelled area, sim/engine/chip_area),
//   total_macs, dram_bytes, bus_bytes, util_<unit> ...
//   wall_s, worker, sim_version, started_at, finished_at (UTC, ISO 8601)
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace h4h {

struct ResultRow {
  std::string config_hash, model, schema;
  int64_t point_index = 0;
  std::vector<std::pair<std::string, std::string>> params;  // axis → value text
  bool ok = false;
  std::string error;
  nlohmann::json metrics;       // flat: column → number (latency_ns, energy_pj, ...)
  double wall_s = 0;
  std::string worker, started_at, finished_at;
};

// What a spec's rows look like in the DB: which keys are done, which failed.
struct DbStatus {
  std::set<std::tuple<std::string, std::string, std::string>> ok, failed;
};

// 'H4HS': marks a SQLite file as an h4hsim results DB (PRAGMA application_id).
constexpr int32_t kResultsApplicationId = 0x48344853;
// The layout of the tables above (PRAGMA user_version). A DB written before the stamp
// existed (application_id 0, tables meta/results only) is layout 1 and is stamped when
// opened for writing.
constexpr int32_t kResultsLayoutVersion = 1;

// `read` never changes the file (report, merge's inputs); `write` creates it if needed
// (run, merge's output).
enum class DbAccess { read, write };

class ResultsDb {
 public:
  // Opens the database at `path` (creating it with `write`), checked as described above.
  // Errors name `display_name` (default: `path`), e.g. the --db a temporary file stands for.
  explicit ResultsDb(const std::string& path, DbAccess access = DbAccess::write, const std::string& display_name = "");
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }

  // Binds the DB to a spec. A new DB records it; an existing one must hold the same spec
  // (canonical JSON), else a UserError saying what changed — unless `allow_change`, which
  // records the new spec and keeps the old rows (their keys still identify them).
  // `axis_types` gives each axis column its SQL type (INTEGER, REAL or TEXT).
  void bind_spec(const nlohmann::json& canonical, const std::string& spec_hash, const std::string& spec_name,
                 const std::vector<std::pair<std::string, std::string>>& axis_types, bool allow_change);

  DbStatus status() const;
  // Every row of `results` as an object (column → number, text or null), ordered by point,
  // model and schema: what the Python package's read_sweep() returns.
  nlohmann::json rows_json() const;
  // Inserts or replaces (a retried failure) one row, in its own transaction.
  void write(const ResultRow& row);

  std::optional<std::string> meta(const std::string& key) const;
  void set_meta(const std::string& key, const std::string& value);
  std::vector<std::string> columns() const;
  sqlite3* handle() const { return db_; }

  // Copies every row of `other` (another shard of the same spec, opened read-only) into
  // this DB; returns the rows added. A key present in both keeps the 'ok' row (or the newer
  // one when both are).
  int64_t merge_from(const std::string& other_path);

 private:
  void open(int flags, bool immutable);
  void check_layout(bool quick_check);
  void enable_wal();
  void initialize_layout();
  void exec(const std::string& sql) const;
  void refresh_columns();
  int64_t copy_rows_from(const ResultsDb& other, const std::vector<std::pair<std::string, std::string>>& cols);
  void ensure_column(const std::string& name, const std::string& type);
  std::string path_, name_;
  bool has_meta_ = false;  // an empty file opened to read has no meta table
  sqlite3* db_ = nullptr;
  std::set<std::string> columns_;
};

// `h4hsim sweep merge`: merges `inputs` (shards of one spec) and, when it exists, `target`
// into a temporary DB next to `target`, then renames it over `target`. An input is only
// read; `target` changes only by that rename, so a failure leaves it as it was and no
// temporary behind. An input that is the same file as `target` or as another input (same
// device and inode: symlinks and hard links count) is refused. Returns the rows the inputs
// added.
int64_t merge_results(const std::vector<std::string>& inputs, const std::string& target);

// "2026-11-25T14:53:30Z"
std::string utc_now_iso();
// The flat metrics of a run summary (run_to_json) stored per row.
nlohmann::json metrics_of_summary(const nlohmann::json& summary);
// SQL-quoted identifier ("npu.array.rows" → "\"npu.array.rows\"").
std::string sql_ident(const std::string& name);

}  // namespace h4h
