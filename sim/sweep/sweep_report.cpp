#include "sim/sweep/sweep_report.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "sim/config/param_schema.h"
#include "sim/report/plot.h"
#include "sim/sweep/results_db.h"

namespace h4h {

namespace {

struct Row {
  std::string model, schema, color;
  double x = 0, y = 0;
  std::vector<std::string> values;  // every column, as text
};

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Indices of the rows on the lower-left front (minimize x and y), sorted by x.
std::vector<size_t> pareto_front(const std::vector<Row>& rows, const std::vector<size_t>& idx) {
  std::vector<size_t> sorted = idx;
  std::sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
    return rows[a].x != rows[b].x ? rows[a].x < rows[b].x : rows[a].y < rows[b].y;
  });
  std::vector<size_t> front;
  double best_y = 0;
  for (size_t i : sorted)
    if (front.empty() || rows[i].y < best_y) {
      front.push_back(i);
      best_y = rows[i].y;
    }
  return front;
}

std::string label_of(const std::string& column) {
  if (column == "latency_ns") return "latency [ns]";
  if (column == "energy_pj") return "energy [pJ]";
  if (column == "area_mm2") return "area [mm^2]";
  return column;
}

}  // namespace

std::string sweep_report(const std::string& db_path, const SweepReportOptions& o) {
  if (!std::filesystem::exists(db_path)) throw UserError(fmt::format("{}: no such results database", db_path));
  ResultsDb db(db_path);
  const std::vector<std::string> cols = db.columns();
  if (cols.empty()) throw UserError(fmt::format("{}: holds no results yet (run `h4hsim sweep run` first)", db_path));
  auto check = [&](const std::string& c, const char* flag) {
    if (std::find(cols.begin(), cols.end(), c) != cols.end()) return;
    const std::string best = closest_match(c, cols);
    throw UserError(fmt::format("{} {}: no such column in {}{}", flag, c, db_path,
                                best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
  };
  check(o.x, "--x");
  check(o.y, "--y");
  if (!o.color.empty()) check(o.color, "--color");

  // The parameter columns are those between point_index and status.
  std::vector<std::string> params;
  {
    bool in = false;
    for (const auto& c : cols) {
      if (c == "status") break;
      if (in) params.push_back(c);
      if (c == "point_index") in = true;
    }
  }
  std::string sql = fmt::format("SELECT model, schema, {}, {}, {}", sql_ident(o.x), sql_ident(o.y),
                                o.color.empty() ? "''" : sql_ident(o.color));
  for (const auto& p : params) sql += ", " + sql_ident(p);
  sql += " FROM results WHERE status = 'ok'";
  sql += fmt::format(" AND {} IS NOT NULL AND {} IS NOT NULL ORDER BY model, schema, point_index", sql_ident(o.x),
                     sql_ident(o.y));
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw UserError(fmt::format("{}: {}", db_path, sqlite3_errmsg(db.handle())));
  std::vector<Row> rows;
  auto text = [&](int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    Row r;
    r.model = text(0);
    r.schema = text(1);
    r.x = sqlite3_column_double(st, 2);
    r.y = sqlite3_column_double(st, 3);
    r.color = text(4);
    for (size_t i = 0; i < params.size(); ++i) r.values.push_back(text(static_cast<int>(5 + i)));
    const bool model_ok = o.models.empty() || std::count(o.models.begin(), o.models.end(), r.model);
    const bool schema_ok = o.schemas.empty() || std::count(o.schemas.begin(), o.schemas.end(), r.schema);
    if (model_ok && schema_ok) rows.push_back(std::move(r));
  }
  sqlite3_finalize(st);
  if (rows.empty()) throw UserError(fmt::format("{}: no finished rows match (models/schemas filters?)", db_path));

  // Per model: its rows and its front.
  std::map<std::string, std::vector<size_t>> by_model;
  for (size_t i = 0; i < rows.size(); ++i) by_model[rows[i].model].push_back(i);
  std::map<std::string, std::vector<size_t>> fronts;
  for (const auto& [m, idx] : by_model) fronts[m] = pareto_front(rows, idx);

  if (!o.out.empty()) {
    ScatterPlot plot;
    plot.title = fmt::format("{}: {} vs {}", std::filesystem::path(db_path).filename().string(), o.y, o.x);
    plot.x_label = label_of(o.x);
    plot.y_label = label_of(o.y);
    plot.log_x = o.log_x;
    plot.log_y = o.log_y;
    // Series: by --color value, else by model (and schema when there are several).
    std::set<std::string> schemas;
    for (const auto& r : rows) schemas.insert(r.schema);
    std::map<std::string, PlotSeries> series;
    for (const auto& r : rows) {
      std::string key = !o.color.empty() ? fmt::format("{}={}", o.color, r.color)
                                         : schemas.size() > 1 ? fmt::format("{} ({})", r.model, r.schema) : r.model;
      if (!o.color.empty() && by_model.size() > 1) key = fmt::format("{}, {}", r.model, key);
      PlotSeries& s = series[key];
      s.label = key;
      s.x.push_back(r.x);
      s.y.push_back(r.y);
    }
    // Legend order: numeric values by value (4, 8, 16, 32), anything else by name.
    std::vector<std::pair<std::string, PlotSeries>> ordered(series.begin(), series.end());
    auto number = [](const std::string& k) {
      const size_t eq = k.rfind('=');
      try {
        return std::optional<double>(std::stod(k.substr(eq == std::string::npos ? 0 : eq + 1)));
      } catch (const std::exception&) {
        return std::optional<double>();
      }
    };
    std::stable_sort(ordered.begin(), ordered.end(), [&](const auto& a, const auto& b) {
      const auto x = number(a.first), y = number(b.first);
      return x && y && a.first.substr(0, a.first.rfind('=')) == b.first.substr(0, b.first.rfind('=')) ? *x < *y
                                                                                                      : a.first < b.first;
    });
    for (auto& [k, s] : ordered) plot.series.push_back(std::move(s));
    if (o.pareto)
      for (const auto& [m, f] : fronts) {
        PlotSeries s;
        s.label = "Pareto front: " + m;
        s.line = true;
        for (size_t i : f) {
          s.x.push_back(rows[i].x);
          s.y.push_back(rows[i].y);
        }
        plot.series.push_back(std::move(s));
      }
    write_scatter_plot(plot, o.out);
  }

  std::string header = "model,schema";
  for (const auto& p : params) header += "," + csv_field(p);
  header += "," + csv_field(o.x) + "," + csv_field(o.y) + ",pareto\n";
  std::string csv = header;
  std::set<size_t> on_front;
  for (const auto& [m, f] : fronts) on_front.insert(f.begin(), f.end());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (o.pareto && !on_front.count(i)) continue;
    const Row& r = rows[i];
    std::string line = csv_field(r.model) + "," + csv_field(r.schema);
    for (const auto& v : r.values) line += "," + csv_field(v);
    line += fmt::format(",{},{},{}\n", r.x, r.y, on_front.count(i) ? 1 : 0);
    csv += line;
  }
  if (!o.csv.empty()) write_output(o.csv, csv);

  std::string out = fmt::format("{} finished rows, {} models; Pareto fronts (minimizing {} and {}):\n", rows.size(),
                                by_model.size(), o.x, o.y);
  for (const auto& [m, f] : fronts) {
    out += fmt::format("{} ({} of {} points on the front)\n", m, f.size(), by_model[m].size());
    for (size_t i : f) {
      const Row& r = rows[i];
      std::string ps;
      for (size_t k = 0; k < params.size(); ++k) ps += fmt::format(" {}={}", params[k], r.values[k]);
      out += fmt::format("  {}={:.6g} {}={:.6g} schema={}{}\n", o.x, r.x, o.y, r.y, r.schema, ps);
    }
  }
  if (!o.out.empty()) out += fmt::format("wrote {}\n", o.out);
  if (!o.csv.empty()) out += fmt::format("wrote {}\n", o.csv);
  return out;
}

}  // namespace h4h
