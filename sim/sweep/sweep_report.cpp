#include "sim/sweep/sweep_report.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <tuple>

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

// " of model m and schemas a, b": the filters, as the messages about an empty selection say them.
std::string filter_text(const SweepReportOptions& o) {
  std::string out;
  if (!o.models.empty()) out += fmt::format(" of model{} {}", o.models.size() > 1 ? "s" : "", fmt::join(o.models, ", "));
  if (!o.schemas.empty())
    out += fmt::format(" {} schema{} {}", out.empty() ? "of" : "and", o.schemas.size() > 1 ? "s" : "",
                       fmt::join(o.schemas, ", "));
  return out;
}

// What the rows that pass the filters hold, to say why none can be drawn.
struct Census {
  int64_t rows = 0;                          // in the DB
  std::set<std::string> models, schemas;     // in the DB
  int64_t selected = 0, selected_ok = 0;     // passing the filters; of those, finished ok
  int64_t x_values = 0, y_values = 0;        // non-NULL numbers among the ok ones
  std::optional<std::string> x_text, y_text; // a text value found in the column, if any
};

void refuse_unknown_filter(const std::vector<std::string>& wanted, const std::set<std::string>& present,
                           const char* flag, const char* what, const std::string& db_path) {
  for (const auto& w : wanted)
    if (!present.count(w))
      throw UserError(fmt::format("{} {}: no {} of that name in {} ({}s there: {})", flag, w, what, db_path, what,
                                  fmt::join(present, ", ")));
}

// Called when no row can be drawn: names the first reason, in the order a user would look.
[[noreturn]] void explain_empty_selection(const Census& c, const SweepReportOptions& o, const std::string& db_path) {
  if (c.rows == 0) throw UserError(fmt::format("{}: holds no results yet (run `h4hsim sweep run` first)", db_path));
  refuse_unknown_filter(o.models, c.models, "--model", "model", db_path);
  refuse_unknown_filter(o.schemas, c.schemas, "--schema", "schema", db_path);
  const std::string filters = filter_text(o);
  if (c.selected == 0) throw UserError(fmt::format("{}: no rows{}", db_path, filters));
  if (c.selected_ok == 0)
    throw UserError(fmt::format("{}: none of its {} rows{} finished ok (all failed; their error column says why)",
                                db_path, c.selected, filters));
  for (const auto& [flag, col, values, text] : {std::tuple{"--x", o.x, c.x_values, c.x_text},
                                                std::tuple{"--y", o.y, c.y_values, c.y_text}}) {
    if (text)
      throw UserError(fmt::format("{} {}: the column holds text ('{}'), not numbers", flag, col, *text));
    if (values == 0)
      throw UserError(fmt::format("{} {}: the column is empty (NULL) in all {} finished rows{} in {}", flag, col,
                                  c.selected_ok, filters, db_path));
  }
  throw UserError(fmt::format("--x {} and --y {}: no finished row{} in {} has both", o.x, o.y, filters, db_path));
}

}  // namespace

std::vector<size_t> pareto_front_2d(const std::vector<std::pair<double, double>>& points) {
  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a] < points[b]; });
  // In (x, y) order a point is dominated exactly when an earlier point has a smaller y, or
  // the same y and a smaller x; equal points do not dominate one another.
  std::vector<size_t> front;
  for (size_t i : order) {
    if (!front.empty()) {
      const auto& last = points[front.back()];
      const bool dominated = points[i].second > last.second || (points[i].second == last.second && points[i] != last);
      if (dominated) continue;
    }
    front.push_back(i);
  }
  return front;
}

namespace {

// A column's axis: its values' scale and label in the unit that reads best (latency_ns
// in ms for networks, energy_pj in mJ or µJ, *_bytes in MB ...).
struct Axis {
  double scale = 1;
  std::string label;
};
Axis axis_of(const std::string& column, const std::vector<Row>& rows, bool x) {
  double max_abs = 0;
  for (const Row& r : rows) max_abs = std::max(max_abs, std::abs(x ? r.x : r.y));
  auto ends = [&](const std::string& suffix) {
    return column.size() > suffix.size() &&
           column.compare(column.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::string name = column, base;
  for (const auto& [suffix, unit] :
       {std::pair{"_ns", "ns"}, std::pair{"_pj", "pJ"}, std::pair{"_bytes", "B"},
        std::pair{"_mm2", "mm²"}, std::pair{"_mw", "mW"}, std::pair{"_cycles", "cycles"}})
    if (ends(suffix)) {
      name = column.substr(0, column.size() - std::string(suffix).size());
      base = unit;
      break;
    }
  std::replace(name.begin(), name.end(), '_', ' ');
  if (base.empty()) return {1, column};
  const DisplayUnit u = display_unit(base, max_abs);
  return {u.scale, fmt::format("{} ({})", name, u.unit)};
}

// The plot: one panel per model (each on its own scale) when there are several; within a
// panel one series per --color value (else per schema), each value with the same colour and
// marker in every panel; each model's Pareto front over its points.
ScatterPlot report_plot(const std::string& db_path, const SweepReportOptions& o,
                        const std::vector<Row>& rows,
                        const std::map<std::string, std::vector<size_t>>& by_model,
                        const std::map<std::string, std::vector<size_t>>& fronts) {
  const Axis ax = axis_of(o.x, rows, true), ay = axis_of(o.y, rows, false);
  ScatterPlot plot;
  plot.title = fmt::format("{}: {} vs {}{}", std::filesystem::path(db_path).filename().string(),
                           ay.label, ax.label, o.pareto ? ", Pareto fronts (minimizing both)" : "");
  plot.x_label = ax.label;
  plot.y_label = ay.label;
  plot.log_x = o.log_x;
  plot.log_y = o.log_y;
  // Series keys: the --color value, else the schema; styles follow the keys' order, numbers
  // by value (4, 8, 16, 32), anything else by name.
  std::set<std::string> schemas;
  for (const auto& r : rows) schemas.insert(r.schema);
  auto key_of = [&](const Row& r) {
    return !o.color.empty()     ? fmt::format("{} = {}", o.color, r.color)
           : schemas.size() > 1 ? r.schema
                                : "";
  };
  std::vector<std::string> keys;
  for (const auto& r : rows)
    if (std::find(keys.begin(), keys.end(), key_of(r)) == keys.end()) keys.push_back(key_of(r));
  auto number = [](const std::string& k) {
    const size_t eq = k.rfind('=');
    try {
      size_t used = 0;
      const std::string v = k.substr(eq == std::string::npos ? 0 : eq + 1);
      const double d = std::stod(v, &used);
      return used == v.size() || v.find_first_not_of(' ', used) == std::string::npos
                 ? std::optional<double>(d)
                 : std::optional<double>();
    } catch (const std::exception&) {
      return std::optional<double>();
    }
  };
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    const auto x = number(a), y = number(b);
    return x && y ? *x < *y : a < b;
  });
  for (const auto& [model, idx] : by_model) {
    PlotPanel panel;
    panel.title = std::filesystem::path(model).filename().string();
    for (size_t k = 0; k < keys.size(); ++k) {
      PlotSeries ser;
      ser.label = keys[k].empty() ? (by_model.size() > 1 ? "runs" : model) : keys[k];
      ser.style = static_cast<int>(k);
      for (size_t i : idx)
        if (key_of(rows[i]) == keys[k]) {
          ser.x.push_back(rows[i].x * ax.scale);
          ser.y.push_back(rows[i].y * ay.scale);
        }
      panel.series.push_back(std::move(ser));
    }
    if (o.pareto) {
      PlotSeries f;
      f.label = "Pareto front";
      f.role = SeriesRole::front;
      f.line = true;
      for (size_t i : fronts.at(model)) {
        f.x.push_back(rows[i].x * ax.scale);
        f.y.push_back(rows[i].y * ay.scale);
      }
      panel.series.push_back(std::move(f));
    }
    plot.panels.push_back(std::move(panel));
  }
  if (plot.panels.size() == 1) {  // one model: one panel, its name in the title
    plot.title += "\n" + plot.panels.front().title;
    plot.series = std::move(plot.panels.front().series);
    plot.panels.clear();
  }
  return plot;
}

}  // namespace

std::string sweep_report(const std::string& db_path, const SweepReportOptions& o) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) throw UserError(fmt::format("{}: no such results database", db_path));
  ResultsDb db(db_path, DbAccess::read);
  const std::vector<std::string> cols = db.columns();
  if (cols.empty()) explain_empty_selection(Census{}, o, db_path);
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
  // Every row is read (filters applied here), so an empty selection can say why it is empty.
  std::string sql = fmt::format("SELECT model, schema, status, {}, {}, {}", sql_ident(o.x), sql_ident(o.y),
                                o.color.empty() ? "''" : sql_ident(o.color));
  for (const auto& p : params) sql += ", " + sql_ident(p);
  // A total order, so ties (on the front, in the CSV) always come out the same way.
  sql += " FROM results ORDER BY model, schema, point_index, config_hash";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    throw UserError(fmt::format("{}: {}", db_path, sqlite3_errmsg(db.handle())));
  std::vector<Row> rows;
  Census census;
  auto text = [&](int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  // A number of column i, or nullopt (NULL; text is noted in `seen_text`).
  auto number = [&](int i, std::optional<std::string>& seen_text) -> std::optional<double> {
    const int type = sqlite3_column_type(st, i);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) return sqlite3_column_double(st, i);
    if (type != SQLITE_NULL && !seen_text) seen_text = text(i);
    return std::nullopt;
  };
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    Row r;
    r.model = text(0);
    r.schema = text(1);
    ++census.rows;
    census.models.insert(r.model);
    census.schemas.insert(r.schema);
    const bool model_ok = o.models.empty() || std::count(o.models.begin(), o.models.end(), r.model);
    const bool schema_ok = o.schemas.empty() || std::count(o.schemas.begin(), o.schemas.end(), r.schema);
    if (!model_ok || !schema_ok) continue;
    ++census.selected;
    if (text(2) != "ok") continue;
    ++census.selected_ok;
    const std::optional<double> x = number(3, census.x_text), y = number(4, census.y_text);
    census.x_values += x.has_value();
    census.y_values += y.has_value();
    if (!x || !y) continue;
    r.x = *x;
    r.y = *y;
    r.color = text(5);
    for (size_t i = 0; i < params.size(); ++i) r.values.push_back(text(static_cast<int>(6 + i)));
    rows.push_back(std::move(r));
  }
  const std::string step_error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db.handle());
  sqlite3_finalize(st);
  if (!step_error.empty()) throw UserError(fmt::format("{}: {}", db_path, step_error));
  // A --model or --schema the DB does not hold is a typo even when the others match rows.
  if (census.rows > 0) {
    refuse_unknown_filter(o.models, census.models, "--model", "model", db_path);
    refuse_unknown_filter(o.schemas, census.schemas, "--schema", "schema", db_path);
  }
  if (census.x_text || census.y_text || rows.empty()) explain_empty_selection(census, o, db_path);

  // Per model: its rows and its front.
  std::map<std::string, std::vector<size_t>> by_model;
  for (size_t i = 0; i < rows.size(); ++i) by_model[rows[i].model].push_back(i);
  std::map<std::string, std::vector<size_t>> fronts;
  for (const auto& [m, idx] : by_model) {
    std::vector<std::pair<double, double>> points;
    for (size_t i : idx) points.emplace_back(rows[i].x, rows[i].y);
    for (size_t k : pareto_front_2d(points)) fronts[m].push_back(idx[k]);
  }

  if (!o.out.empty()) write_scatter_plot(report_plot(db_path, o, rows, by_model, fronts), o.out);

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
  if (census.selected_ok > static_cast<int64_t>(rows.size()))
    out += fmt::format("({} finished rows without a value of {} or {} are left out)\n",
                       census.selected_ok - static_cast<int64_t>(rows.size()), o.x, o.y);
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
