#pragma once
// Scatter plots (Pareto fronts, estimate-vs-simulation) rendered by gnuplot into .png or .svg.
// gnuplot runs as a separate process on a data file and a script in a private temp dir; the
// image is rendered beside the output and renamed onto it, so a failed run never leaves a
// partial file. Every failure the user can fix (format, missing gnuplot, unwritable output)
// is a one-line UserError; malformed series (the caller's bug) are std::invalid_argument.
#include <optional>
#include <string>
#include <vector>

namespace h4h {

// What a series is decides how it is drawn, so every plot reads alike: data points take a
// colour and a marker from their style index (the same index looks the same in every panel:
// one colour family per category, e.g. per array size); a front is a thick dark line with
// open markers, drawn over the data; infeasible points are small grey crosses, under it.
enum class SeriesRole { data, front, infeasible };

struct PlotSeries {
  std::string label;  // legend entry; empty = not in the legend
  std::vector<double> x, y;
  bool line = false;  // connect the points in x order, e.g. a Pareto front
  SeriesRole role = SeriesRole::data;
  int style = -1;  // data: colour/marker index; -1: its position among the panel's data
};

// A constraint drawn as a dashed red line across every panel, with its label, and kept in
// view (the axis range stretches to it).
struct PlotLimit {
  char axis = 'x';  // 'x': a vertical line at x = value; 'y': a horizontal one
  double value = 0;
  std::string label;
};

// One panel of a multi-panel plot: its own title and its own axis ranges.
struct PlotPanel {
  std::string title;
  std::vector<PlotSeries> series;
};

struct ScatterPlot {
  std::string title, x_label, y_label;  // a title may hold '\n' (a second line)
  std::vector<PlotSeries> series;       // one panel ...
  // ... or several (then `series` is empty), side by side two to a row, each scaled to its
  // own data: networks whose latencies differ 10x do not share a squashed axis.
  std::vector<PlotPanel> panels;
  std::vector<PlotLimit> limits;
  bool diagonal = false;  // y = x reference line, for estimate-vs-simulation plots
  bool log_x = false, log_y = false;
  std::optional<double> x_max;  // cut the x axis here (points beyond are not shown)
};

// The unit that shows values up to `max_abs` between 1 and 1000: for base units "ns"
// (µs, ms, s), "pJ" (nJ, µJ, mJ, J) and "B" (KB, MB, GB; decimal); any other unit as is.
// Values are multiplied by `scale` to be shown in `unit`.
struct DisplayUnit {
  double scale = 1;
  std::string unit;
};
DisplayUnit display_unit(const std::string& base_unit, double max_abs);

// Renders `p` into `out_path`; the format follows the extension (.png or .svg, any case).
void write_scatter_plot(const ScatterPlot& p, const std::string& out_path);

// The gnuplot script and data file write_scatter_plot would run, without running gnuplot:
// exposed so tests can check what is asked of gnuplot on machines without it.
enum class PlotFormat { kPng, kSvg };
struct GnuplotJob {
  std::string script;
  std::string data;
};
GnuplotJob gnuplot_job(const ScatterPlot& p, PlotFormat format, const std::string& data_path,
                       const std::string& image_path);

}  // namespace h4h
