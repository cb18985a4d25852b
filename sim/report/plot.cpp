#include "sim/report/plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"

extern char** environ;

namespace h4h {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGnuplotMissing =
    "gnuplot not found: install gnuplot-nox (scripts/setup.sh does)";

PlotFormat format_of(const std::string& out_path) {
  // Standard output has no extension: SVG, the plot format that is text.
  if (names_standard_output(out_path)) return PlotFormat::kSvg;
  std::string ext = fs::path(out_path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".png") return PlotFormat::kPng;
  if (ext == ".svg") return PlotFormat::kSvg;
  if (ext.empty())
    throw UserError(
        fmt::format("{}: no file extension; plots are written as .png or .svg", out_path));
  throw UserError(fmt::format("{}: unknown plot format '{}'; use .png or .svg", out_path,
                              fs::path(out_path).extension().string()));
}

// Every series of every panel.
std::vector<const PlotSeries*> all_series(const ScatterPlot& p) {
  std::vector<const PlotSeries*> out;
  for (const PlotSeries& s : p.series) out.push_back(&s);
  for (const PlotPanel& panel : p.panels)
    for (const PlotSeries& s : panel.series) out.push_back(&s);
  return out;
}

void check_series(const ScatterPlot& p) {
  if (!p.series.empty() && !p.panels.empty())
    throw std::invalid_argument(fmt::format("plot '{}': series and panels both given", p.title));
  for (const PlotLimit& l : p.limits)
    if ((l.axis != 'x' && l.axis != 'y') || !std::isfinite(l.value))
      throw std::invalid_argument(
          fmt::format("plot '{}': limit '{}' is malformed", p.title, l.label));
  for (const PlotSeries* sp : all_series(p)) {
    const PlotSeries& s = *sp;
    if (s.x.size() != s.y.size())
      throw std::invalid_argument(fmt::format("plot '{}': series '{}' has {} x and {} y values",
                                              p.title, s.label, s.x.size(), s.y.size()));
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i]))
        throw std::invalid_argument(
            fmt::format("plot '{}': series '{}' point {} is not finite", p.title, s.label, i));
      // A logarithmic axis is the user's choice; gnuplot would silently drop these points.
      if (p.log_x && s.x[i] <= 0)
        throw UserError(
            fmt::format("plot '{}': series '{}' has x = {}, which a logarithmic "
                        "x axis cannot show (needs > 0)",
                        p.title, s.label, s.x[i]));
      if (p.log_y && s.y[i] <= 0)
        throw UserError(
            fmt::format("plot '{}': series '{}' has y = {}, which a logarithmic "
                        "y axis cannot show (needs > 0)",
                        p.title, s.label, s.y[i]));
    }
  }
}

// A gnuplot single-quoted string is literal except that '' stands for one quote. A line
// break would end the command mid-string, so labels lose theirs.
std::string gp_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out + "'";
}

// A title for gnuplot: double-quoted so that a '\n' in it breaks the line.
std::string gp_title(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r') continue;
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

// One gnuplot data block: "x y" lines, in x order for a connected series.
std::string data_block(const PlotSeries& s) {
  std::vector<size_t> order(s.x.size());
  std::iota(order.begin(), order.end(), size_t{0});
  if (s.line)
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return s.x[a] < s.x[b]; });
  std::string out;
  // {} prints the shortest text that reads back as the same double.
  for (size_t i : order) fmt::format_to(std::back_inserter(out), "{} {}\n", s.x[i], s.y[i]);
  return out;
}

// Endpoints of the y = x line: it spans every value on either axis, so the reference covers
// the data; on a logarithmic axis it starts at the smallest positive value.
std::pair<double, double> diagonal_span(const ScatterPlot& p,
                                        const std::vector<PlotSeries>& series) {
  const bool positive_only = p.log_x || p.log_y;
  double lo = INFINITY, hi = -INFINITY;
  for (const PlotSeries& s : series) {
    for (const std::vector<double>* axis : {&s.x, &s.y}) {
      for (double v : *axis) {
        if (positive_only && v <= 0) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  return {lo, hi};
}

std::string terminal_command(PlotFormat format, int width, int height) {
  // pngcairo draws anti-aliased; the libgd png terminal is the fallback on builds without
  // cairo. noenhanced: labels such as "latency_ms" must not turn "_" into a subscript.
  if (format == PlotFormat::kPng)
    return fmt::format(
        "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {{\n"
        "  set terminal pngcairo size {0},{1} noenhanced font ',10'\n"
        "}} else {{\n"
        "  set terminal png size {0},{1} noenhanced\n"
        "}}\n",
        width, height);
  return fmt::format(
      "set terminal svg size {},{} noenhanced font 'Helvetica,12' background rgb 'white'\n", width,
      height);
}

// Colour-blind-safe colours (Okabe & Ito) with a distinct filled marker each: a category
// reads by shape as well as colour, in print too. Style k uses linetype k % 8 + 1.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#8C564B"};
constexpr int kMarkers[] = {7, 5, 9, 13, 11, 15, 7, 5};
constexpr int kStyles = 8;

// The most useful single line of gnuplot's stderr: its diagnostics read
// '"script" line N: message' after an echo of the offending command and a caret line, so
// that line is preferred; otherwise the first non-blank one.
std::string first_diagnostic(const std::string& err) {
  std::istringstream in(err);
  std::string line, first_non_blank;
  while (std::getline(in, line)) {
    if (line.find("\" line ") != std::string::npos) return line;
    if (first_non_blank.empty() && line.find_first_not_of(" \t^") != std::string::npos)
      first_non_blank = line;
  }
  return first_non_blank.empty() ? "(no message)" : first_non_blank;
}

// A private directory for the script, the data and gnuplot's stderr; removed on every exit.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string tmpl = (base / "h4h-plot-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw UserError(fmt::format("cannot create a temporary directory in {}: {}", base.string(),
                                  std::strerror(errno)));
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Runs `gnuplot script` with stdin and stdout on /dev/null and stderr into a file.
// posix_spawnp takes an argument vector, so no path ever passes through a shell.
void run_gnuplot(const std::string& script_path, const std::string& stderr_path,
                 const std::string& out_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::string arg0 = "gnuplot", arg1 = script_path;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, "gnuplot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error == ENOENT) throw UserError(kGnuplotMissing);
  if (spawn_error != 0)
    throw UserError(fmt::format("cannot run gnuplot: {}", std::strerror(spawn_error)));

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw UserError(fmt::format("waiting for gnuplot failed: {}", std::strerror(errno)));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  // 127 is how a spawn whose exec failed reports a missing program on some C libraries.
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) throw UserError(kGnuplotMissing);
  if (WIFSIGNALED(status))
    throw UserError(fmt::format("gnuplot was killed by signal {} while rendering {}",
                                WTERMSIG(status), out_path));
  std::string err;
  try {
    err = read_user_file(stderr_path, "gnuplot's error log");
  } catch (const UserError&) {
    // Nothing to quote; the exit status below still says what happened.
  }
  throw UserError(fmt::format("gnuplot failed to render {} (exit status {}): {}", out_path,
                              WEXITSTATUS(status), first_diagnostic(err)));
}

}  // namespace

GnuplotJob gnuplot_job(const ScatterPlot& p, PlotFormat format, const std::string& data_path,
                       const std::string& image_path) {
  GnuplotJob job;
  std::vector<PlotPanel> panels = p.panels;
  if (panels.empty()) panels.push_back({"", p.series});
  const int n = static_cast<int>(panels.size());
  const int cols = n == 1 ? 1 : 2, rows = (n + cols - 1) / cols;
  const int width = n == 1 ? 1000 : 640 * cols, height = n == 1 ? 700 : 540 * rows + 40;

  std::string& s = job.script;
  s += terminal_command(format, width, height);
  s += "set encoding utf8\n";
  s += "set output " + gp_quote(image_path) + "\n";
  for (int k = 0; k < kStyles; ++k)
    s += fmt::format("set linetype {} lc rgb '{}' pt {} ps 1.1 lw 1.5\n", k + 1, kPalette[k],
                     kMarkers[k]);
  s += "set xlabel " + gp_quote(p.x_label) + "\n";
  s += "set ylabel " + gp_quote(p.y_label) + "\n";
  // Light grid; the legend below the plot, never over the data; plain numbers on the ticks
  // (the axes carry the unit); a margin inside the axes so no point sits on the frame.
  s += "set grid lc rgb '#dddddd'\n";
  s += "set key outside below center horizontal maxcols 3 samplen 2 spacing 1.2 width 2\n";
  s += "set format x '%g'\nset format y '%g'\n";
  s += "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n";
  if (p.log_x) s += "set logscale x\n";
  if (p.log_y) s += "set logscale y\n";
  if (n > 1)
    s += fmt::format("set multiplot layout {},{} title {}\n", rows, cols, gp_title(p.title));

  int block = 0;  // gnuplot's `index` counts the blocks separated by two blank lines
  auto add_block = [&](const std::string& data) {
    job.data += data + "\n\n";
    return block++;
  };
  for (const PlotPanel& panel : panels) {
    s += "unset arrow\nunset label\n";
    s += "set title " + gp_title(n > 1 ? panel.title : p.title) + "\n";
    std::vector<std::string> clauses;
    // Draw order: infeasible points under everything, the data, the reference line, the
    // fronts on top.
    for (const PlotSeries& ser : panel.series) {
      if (ser.x.empty() || ser.role != SeriesRole::infeasible) continue;
      clauses.push_back(fmt::format("{} index {} with points pt 2 ps 0.7 lc rgb '#a0a0a0' title {}",
                                    gp_quote(data_path), add_block(data_block(ser)),
                                    gp_quote(ser.label)));
    }
    int position = 0;
    for (const PlotSeries& ser : panel.series) {
      if (ser.role != SeriesRole::data) continue;
      const int style = (ser.style >= 0 ? ser.style : position) % kStyles + 1;
      ++position;
      // An empty block would make gnuplot fail the whole plot ("no valid points").
      if (ser.x.empty()) continue;
      clauses.push_back(fmt::format("{} index {} with {} lt {} title {}", gp_quote(data_path),
                                    add_block(data_block(ser)), ser.line ? "linespoints" : "points",
                                    style, gp_quote(ser.label)));
    }
    bool any = false;
    for (const PlotSeries& ser : panel.series) any = any || !ser.x.empty();
    if (p.diagonal && any) {
      const auto [lo, hi] = diagonal_span(p, panel.series);
      clauses.push_back(fmt::format("{} index {} with lines dt 2 lc rgb 'gray40' title 'y = x'",
                                    gp_quote(data_path),
                                    add_block(fmt::format("{} {}\n{} {}\n", lo, lo, hi, hi))));
    }
    int fronts = 0;
    for (const PlotSeries& ser : panel.series) {
      if (ser.x.empty() || ser.role != SeriesRole::front) continue;
      // A front in more than two objectives (a NAS Pareto set) is not a line in 2-D: points.
      clauses.push_back(
          fmt::format("{} index {} with {} lc rgb '#1a1a1a' lw 2.5 dt {} pt 6 ps 1.6 title {}",
                      gp_quote(data_path), add_block(data_block(ser)),
                      ser.line ? "linespoints" : "points", ++fronts, gp_quote(ser.label)));
    }
    // Limits: a dashed red line with its label; an invisible point at the limit keeps it in
    // the autoscaled range.
    int tag = 0;
    for (const PlotLimit& l : p.limits) {
      ++tag;
      const bool vertical = l.axis == 'x';
      const std::string v = fmt::format("{}", l.value);
      s += fmt::format("set arrow {} from {} to {} nohead lc rgb '#C00000' dt 3 lw 2 front\n", tag,
                       vertical ? v + ", graph 0" : "graph 0, first " + v,
                       vertical ? v + ", graph 1" : "graph 1, first " + v);
      s += fmt::format("set label {} {} at {} left offset {} tc rgb '#C00000' front\n", tag,
                       gp_quote(l.label), vertical ? v + ", graph 0.97" : "graph 0.02, first " + v,
                       vertical ? "character 0.6, 0" : "0, character 0.7");
      if (any) {
        const PlotSeries* ref = nullptr;
        for (const PlotSeries& ser : panel.series)
          if (!ser.x.empty()) ref = ref ? ref : &ser;
        const double x = l.axis == 'x' ? l.value : ref->x.front();
        const double y = l.axis == 'y' ? l.value : ref->y.front();
        clauses.push_back(fmt::format("{} index {} with dots lc rgb 'white' notitle",
                                      gp_quote(data_path),
                                      add_block(fmt::format("{} {}\n", x, y))));
      }
    }
    if (!any) {
      // Nothing to draw: still a panel with the title and axes, on a fixed range because
      // autoscaling over no points is an error in gnuplot.
      s += "set xrange [1:10]\nset yrange [1:10]\nplot NaN notitle\nset autoscale\n";
      continue;
    }
    if (p.x_max) s += fmt::format("set xrange [*:{}]\n", *p.x_max);
    s += "plot ";
    for (size_t i = 0; i < clauses.size(); ++i) s += (i ? ", \\\n     " : "") + clauses[i];
    s += "\n";
  }
  if (n > 1) s += "unset multiplot\n";
  return job;
}

DisplayUnit display_unit(const std::string& base_unit, double max_abs) {
  struct Step {
    double scale;
    const char* unit;
  };
  static const std::vector<Step> ns = {{1, "ns"}, {1e-3, "µs"}, {1e-6, "ms"}, {1e-9, "s"}};
  static const std::vector<Step> pj = {
      {1, "pJ"}, {1e-3, "nJ"}, {1e-6, "µJ"}, {1e-9, "mJ"}, {1e-12, "J"}};
  static const std::vector<Step> b = {{1, "B"}, {1e-3, "KB"}, {1e-6, "MB"}, {1e-9, "GB"}};
  const std::vector<Step>* steps = base_unit == "ns"   ? &ns
                                   : base_unit == "pJ" ? &pj
                                   : base_unit == "B"  ? &b
                                                       : nullptr;
  if (!steps || !(max_abs > 0) || !std::isfinite(max_abs)) return {1, base_unit};
  Step pick = steps->front();
  for (const Step& st : *steps)
    if (max_abs * st.scale >= 1) pick = st;
  return {pick.scale, pick.unit};
}

void write_scatter_plot(const ScatterPlot& p, const std::string& out_path) {
  const PlotFormat format = format_of(out_path);
  if (out_path.find_first_of("\n\r") != std::string::npos)
    throw UserError("plot output path contains a line break");
  check_series(p);
  PendingOutput image(out_path);  // gnuplot draws into its temporary; renamed when done
  TempDir dir;
  const std::string data_path = dir.file("plot.dat");
  const std::string script_path = dir.file("plot.gp");
  const GnuplotJob job = gnuplot_job(p, format, data_path, image.temp_path());
  write_output(data_path, job.data);
  write_output(script_path, job.script);
  run_gnuplot(script_path, dir.file("stderr.txt"), out_path);
  struct stat st {};
  if (::stat(image.temp_path().c_str(), &st) != 0 || st.st_size == 0)
    throw UserError(fmt::format("{}: gnuplot exited cleanly but drew nothing", out_path));
  image.commit();
}

}  // namespace h4h
