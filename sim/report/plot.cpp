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

void check_series(const ScatterPlot& p) {
  for (const PlotSeries& s : p.series) {
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
std::pair<double, double> diagonal_span(const ScatterPlot& p) {
  const bool positive_only = p.log_x || p.log_y;
  double lo = INFINITY, hi = -INFINITY;
  for (const PlotSeries& s : p.series) {
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

std::string terminal_command(PlotFormat format) {
  // pngcairo draws anti-aliased; the libgd png terminal is the fallback on builds without
  // cairo. noenhanced: labels such as "latency_ms" must not turn "_" into a subscript.
  if (format == PlotFormat::kPng)
    return "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
           "  set terminal pngcairo size 1000,700 noenhanced\n"
           "} else {\n"
           "  set terminal png size 1000,700 noenhanced\n"
           "}\n";
  return "set terminal svg size 1000,700 noenhanced background rgb 'white'\n";
}

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
  std::vector<std::string> clauses;
  int block = 0;  // gnuplot's `index` counts the blocks separated by two blank lines
  for (const PlotSeries& s : p.series) {
    // An empty block would make gnuplot fail the whole plot ("no valid points").
    if (s.x.empty()) continue;
    job.data += data_block(s) + "\n\n";
    const char* style = s.line ? "linespoints pt 7 ps 0.8 lw 1.5" : "points pt 7 ps 0.8";
    clauses.push_back(fmt::format("{} index {} with {} title {}", gp_quote(data_path), block++,
                                  style, gp_quote(s.label)));
  }
  if (p.diagonal && block > 0) {
    const auto [lo, hi] = diagonal_span(p);
    job.data += fmt::format("{} {}\n{} {}\n\n\n", lo, lo, hi, hi);
    clauses.push_back(fmt::format("{} index {} with lines dt 2 lc rgb 'gray40' title 'y = x'",
                                  gp_quote(data_path), block++));
  }

  std::string& s = job.script;
  s += terminal_command(format);
  s += "set output " + gp_quote(image_path) + "\n";
  s += "set title " + gp_quote(p.title) + "\n";
  s += "set xlabel " + gp_quote(p.x_label) + "\n";
  s += "set ylabel " + gp_quote(p.y_label) + "\n";
  s += "set grid\nset key top left\n";
  if (p.log_x) s += "set logscale x\n";
  if (p.log_y) s += "set logscale y\n";
  if (clauses.empty()) {
    // Nothing to draw: still an image with the title and axes, on a fixed range because
    // autoscaling over no points is an error in gnuplot.
    s += "set xrange [1:10]\nset yrange [1:10]\nplot NaN notitle\n";
  } else {
    s += "plot ";
    for (size_t i = 0; i < clauses.size(); ++i) s += (i ? ", \\\n     " : "") + clauses[i];
    s += "\n";
  }
  return job;
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
