#pragma once
// `h4hsim sweep report`: scatter plots and Pareto fronts of a results DB, rendered by
// gnuplot (sim/report/plot.h), plus the rows as CSV and the Pareto points listed with their
// parameters. Pareto fronts minimize both axes and are taken per model (comparing the
// latency of two different networks is not a trade-off an architect can make).
#include <string>
#include <vector>

namespace h4h {

struct SweepReportOptions {
  std::string x = "latency_ns", y = "energy_pj";
  std::string color;                 // a column whose values split the points into series
  bool pareto = false;               // draw each model's front; CSV and listing hold only it
  bool log_x = false, log_y = false;
  std::vector<std::string> models, schemas;  // filters (empty: all)
  std::string out;                   // .png or .svg ("" = no plot)
  std::string csv;                   // "" = no CSV
};

// Reads the DB, writes what `o` asks and returns the listing to print. UserError for a
// missing DB, an unknown column (closest one suggested) or no finished rows.
std::string sweep_report(const std::string& db_path, const SweepReportOptions& o);

}  // namespace h4h
