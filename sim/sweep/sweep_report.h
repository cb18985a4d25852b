#pragma once
// `h4hsim sweep report`: scatter plots and Pareto fronts of a results DB, rendered by
// gnuplot (sim/report/plot.h), plus the rows as CSV and the Pareto points listed with their
// parameters. Pareto fronts minimize both axes and are taken per model (comparing the
// latency of two different networks is not a trade-off an architect can make).
#include <cstddef>
#include <string>
#include <utility>
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

// Reads the DB (never writing it), writes what `o` asks and returns the listing to print.
// UserError for a missing DB, an unknown column (closest one suggested), or nothing to draw,
// saying why: no rows, a --model/--schema the DB does not hold, no finished row, or an
// --x/--y column that is empty (NULL) or text in every finished row.
std::string sweep_report(const std::string& db_path, const SweepReportOptions& o);

// Indices of the points no other point dominates when minimizing both coordinates (a
// point dominates another when it is no worse in both and better in one), ordered by x,
// then y, then index. Equal points do not dominate one another: ties are all listed.
std::vector<size_t> pareto_front_2d(const std::vector<std::pair<double, double>>& points);

}  // namespace h4h
