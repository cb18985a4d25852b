#pragma once
// Scatter plots (Pareto fronts, estimate-vs-simulation) rendered by gnuplot into .png or .svg.
// gnuplot runs as a separate process on a data file and a script in a private temp dir; the
// image is rendered beside the output and renamed onto it, so a failed run never leaves a
// partial file. Every failure the user can fix (format, missing gnuplot, unwritable output)
// is a one-line UserError; malformed series (the caller's bug) are std::invalid_argument.
#include <string>
#include <vector>

namespace h4h {

struct PlotSeries {
  std::string label;  // legend entry; empty = not in the legend
  std::vector<double> x, y;
  bool line = false;  // connect the points in x order, e.g. a Pareto front
};

struct ScatterPlot {
  std::string title, x_label, y_label;
  std::vector<PlotSeries> series;
  bool diagonal = false;  // y = x reference line, for estimate-vs-simulation plots
  bool log_x = false, log_y = false;
};

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
