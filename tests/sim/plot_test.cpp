// Scatter plots through gnuplot: real .svg/.png files when gnuplot is installed, and every
// failure a one-line UserError that leaves no file behind (these run without gnuplot too,
// using an empty or fake PATH).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "frontend/user_error.h"
#include "sim/report/plot.h"

namespace h4h {
namespace {

namespace fs = std::filesystem;

bool gnuplot_installed() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ::access((fs::path(dir) / "gnuplot").c_str(), X_OK) == 0) return true;
  return false;
}

#define H4H_REQUIRE_GNUPLOT() \
  if (!gnuplot_installed()) GTEST_SKIP() << "gnuplot is not installed (scripts/setup.sh)"

// A fresh directory per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "h4h-plot-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    const char* old = std::getenv(name);
    had_old_ = old != nullptr;
    if (had_old_) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_old_)
      ::setenv(name_, old_.c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_old_ = false;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string error_of(const ScatterPlot& p, const std::string& out) {
  try {
    write_scatter_plot(p, out);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

ScatterPlot pareto_plot() {
  ScatterPlot p;
  p.title = "Pareto front: latency_ms vs error";
  p.x_label = "latency [ms]";
  p.y_label = "top-1 error [%]";
  p.series.push_back({"all subnets", {3, 1, 2, 4, 5}, {30, 40, 20, 25, 10}, false});
  p.series.push_back({"front", {5, 2, 1}, {10, 20, 40}, true});
  return p;
}

TEST(Plot, SvgHasTheTitleAndAnSvgElement) {
  H4H_REQUIRE_GNUPLOT();
  ScratchDir dir;
  write_scatter_plot(pareto_plot(), dir / "front.svg");
  const std::string svg = slurp(dir / "front.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("Pareto front: latency_ms vs error"), std::string::npos);  // noenhanced
  EXPECT_NE(svg.find("front"), std::string::npos);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"front.svg"}));  // no temp file left
}

// `-` is standard output: an SVG (text), written through the descriptor, not a file "-".
TEST(Plot, StandardOutputGetsAnSvg) {
  H4H_REQUIRE_GNUPLOT();
  ScratchDir dir;
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  const int sink = ::open((dir / "stdout.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(sink, 0);
  ::dup2(sink, STDOUT_FILENO);
  ::close(sink);
  std::string error;
  try {
    write_scatter_plot(pareto_plot(), "-");
  } catch (const UserError& e) {
    error = e.what();
  }
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  EXPECT_EQ(error, "");
  EXPECT_NE(slurp(dir / "stdout.txt").find("<svg"), std::string::npos);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"stdout.txt"}));  // no file named "-"
}

TEST(Plot, PngStartsWithPngMagicBytes) {
  H4H_REQUIRE_GNUPLOT();
  ScratchDir dir;
  ScatterPlot p = pareto_plot();
  p.diagonal = true;
  p.log_x = p.log_y = true;
  write_scatter_plot(p, dir / "front.PNG");  // the extension is matched in any case
  const std::string png = slurp(dir / "front.PNG");
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"front.PNG"}));
}

TEST(Plot, RewritingReplacesTheOldImage) {
  H4H_REQUIRE_GNUPLOT();
  ScratchDir dir;
  { std::ofstream(dir / "p.svg") << "old"; }
  ScatterPlot p = pareto_plot();
  p.title = "second version";
  write_scatter_plot(p, dir / "p.svg");
  EXPECT_NE(slurp(dir / "p.svg").find("second version"), std::string::npos);
}

TEST(Plot, PlotWithoutPointsStillRenders) {
  H4H_REQUIRE_GNUPLOT();
  ScratchDir dir;
  ScatterPlot p;
  p.title = "no feasible subnet";
  p.series.push_back({"front", {}, {}, true});
  p.diagonal = true;
  write_scatter_plot(p, dir / "empty.svg");
  EXPECT_NE(slurp(dir / "empty.svg").find("no feasible subnet"), std::string::npos);
}

TEST(Plot, UnknownExtensionIsAUserErrorNamingIt) {
  ScratchDir dir;
  const std::string e = error_of(pareto_plot(), dir / "front.pdf");
  EXPECT_NE(e.find("unknown plot format '.pdf'"), std::string::npos) << e;
  EXPECT_NE(e.find(".png or .svg"), std::string::npos) << e;
  EXPECT_NE(error_of(pareto_plot(), dir / "front").find("no file extension"), std::string::npos);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Plot, UnwritableOutputIsAUserErrorAndLeavesNoFile) {
  ScratchDir dir;
  const std::string missing_dir = error_of(pareto_plot(), dir / "no/such/dir/p.svg");
  EXPECT_NE(missing_dir.find("p.svg: cannot be written (no such directory)"), std::string::npos)
      << missing_dir;
  { std::ofstream(dir / "a_file") << "x"; }
  const std::string under_file = error_of(pareto_plot(), dir / "a_file/p.png");
  EXPECT_NE(under_file.find("cannot be written"), std::string::npos) << under_file;
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a_file"}));

  // A read-only directory: root ignores the permission bits, so only checked as a user.
  fs::create_directory(dir / "ro");
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  if (::access((dir / "ro").c_str(), W_OK) != 0) {
    const std::string read_only = error_of(pareto_plot(), dir / "ro/p.svg");
    EXPECT_NE(read_only.find("cannot be written (Permission denied)"), std::string::npos)
        << read_only;
    EXPECT_TRUE(fs::is_empty(dir / "ro"));
  }
}

TEST(Plot, MissingGnuplotSaysHowToInstallIt) {
  ScratchDir dir;
  fs::create_directory(dir / "empty_bin");
  ScopedEnv path("PATH", dir / "empty_bin");
  EXPECT_EQ(error_of(pareto_plot(), dir / "p.svg"),
            "gnuplot not found: install gnuplot-nox (scripts/setup.sh does)");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"empty_bin"}));
}

TEST(Plot, FailingGnuplotIsQuotedAndLeavesNoFile) {
  // A stand-in gnuplot that fails the way the real one does: echo of the command, caret,
  // then the diagnostic line.
  ScratchDir dir;
  fs::create_directory(dir / "bin");
  {
    std::ofstream fake(dir / "bin/gnuplot");
    fake << "#!/bin/sh\n"
            "echo '' >&2\n"
            "echo 'plot sin(' >&2\n"
            "echo '         ^' >&2\n"
            "echo '\"plot.gp\" line 9: invalid expression ' >&2\n"
            "exit 1\n";
  }
  fs::permissions(dir / "bin/gnuplot", fs::perms::owner_all);
  ScopedEnv path("PATH", dir / "bin");
  const std::string e = error_of(pareto_plot(), dir / "p.png");
  EXPECT_NE(e.find("gnuplot failed to render"), std::string::npos) << e;
  EXPECT_NE(e.find("\"plot.gp\" line 9: invalid expression"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"bin"}));
}

TEST(Plot, NonPositiveValueOnALogAxisIsAUserError) {
  ScatterPlot p = pareto_plot();
  p.log_y = true;
  p.series[0].y[2] = 0;
  ScratchDir dir;
  const std::string e = error_of(p, dir / "p.svg");
  EXPECT_NE(e.find("series 'all subnets' has y = 0"), std::string::npos) << e;
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Plot, MalformedSeriesIsTheCallersBug) {
  ScatterPlot p = pareto_plot();
  p.series[0].y.pop_back();
  EXPECT_THROW(write_scatter_plot(p, "/tmp/never.svg"), std::invalid_argument);
  p = pareto_plot();
  p.series[1].x[0] = NAN;
  EXPECT_THROW(write_scatter_plot(p, "/tmp/never.svg"), std::invalid_argument);
  EXPECT_FALSE(fs::exists("/tmp/never.svg"));
}

TEST(Plot, ScriptSortsLineSeriesAndQuotesLabels) {
  ScatterPlot p = pareto_plot();
  p.series[1].label = "it's the front";
  p.series.insert(p.series.begin() + 1, PlotSeries{"nothing yet", {}, {}, false});
  p.diagonal = true;
  const GnuplotJob job = gnuplot_job(p, PlotFormat::kSvg, "/t/d.dat", "/o/it's.svg");
  // Blocks: scatter points as given, the front in x order, then the y = x line spanning
  // every value on either axis (1 .. 40). The empty series has no block.
  EXPECT_EQ(job.data,
            "3 30\n1 40\n2 20\n4 25\n5 10\n\n\n"
            "1 40\n2 20\n5 10\n\n\n"
            "1 1\n40 40\n\n\n");
  EXPECT_NE(job.script.find("set output '/o/it''s.svg'"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("index 1 with linespoints"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("title 'it''s the front'"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("index 2 with lines dt 2"), std::string::npos) << job.script;
  EXPECT_EQ(job.script.find("nothing yet"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("set terminal svg"), std::string::npos);
  EXPECT_NE(gnuplot_job(p, PlotFormat::kPng, "d", "o").script.find("pngcairo"), std::string::npos);
}

// Several networks: one panel each, on its own scale, in one image.
TEST(Plot, PanelsAreOneMultiplotEachWithItsOwnTitleAndAxes) {
  ScatterPlot p;
  p.title = "sweep";
  p.x_label = "latency (ms)";
  p.y_label = "energy (mJ)";
  p.panels.push_back({"small net", {{"16x16", {1, 2}, {0.1, 0.2}, false}}});
  p.panels.push_back({"large net", {{"16x16", {100, 200}, {10, 20}, false}}});
  const GnuplotJob job = gnuplot_job(p, PlotFormat::kSvg, "d", "o.svg");
  EXPECT_NE(job.script.find("set multiplot layout 1,2 title \"sweep\""), std::string::npos)
      << job.script;
  EXPECT_NE(job.script.find("set title \"small net\""), std::string::npos);
  EXPECT_NE(job.script.find("set title \"large net\""), std::string::npos);
  EXPECT_NE(job.script.find("unset multiplot"), std::string::npos);
  // The same style index in both panels: the same colour and marker (linetype 1).
  EXPECT_NE(job.script.find("index 0 with points lt 1"), std::string::npos) << job.script;
  EXPECT_NE(job.script.find("index 1 with points lt 1"), std::string::npos) << job.script;
  // The legend sits below the axes, never over the data.
  EXPECT_NE(job.script.find("set key outside below"), std::string::npos);
  ScatterPlot both = p;
  both.series.push_back({"x", {1}, {1}, false});
  EXPECT_THROW(write_scatter_plot(both, "/tmp/never.svg"), std::invalid_argument);
}

TEST(Plot, InfeasibleGoUnderTheDataAndFrontsOverIt) {
  ScatterPlot p;
  p.series.push_back({"front", {1, 2}, {2, 1}, true, SeriesRole::front});
  p.series.push_back({"feasible", {1, 2, 3}, {3, 2, 1}, false});
  p.series.push_back({"over a limit", {9}, {9}, false, SeriesRole::infeasible});
  const std::string script = gnuplot_job(p, PlotFormat::kSvg, "d", "o").script;
  const size_t infeasible = script.find("pt 2 ps 0.7 lc rgb '#a0a0a0' title 'over a limit'");
  const size_t data = script.find("title 'feasible'");
  const size_t front = script.find("lw 2.5 dt 1 pt 6 ps 1.6 title 'front'");
  ASSERT_NE(infeasible, std::string::npos) << script;
  ASSERT_NE(data, std::string::npos) << script;
  ASSERT_NE(front, std::string::npos) << script;
  EXPECT_LT(infeasible, data);
  EXPECT_LT(data, front);
}

TEST(Plot, ALimitIsALabelledLineKeptInView) {
  ScatterPlot p;
  p.series.push_back({"points", {1, 2}, {5, 6}, false});
  p.limits.push_back({'x', 4, "max latency 4 ms"});
  p.limits.push_back({'y', 7, "min score 7"});
  const GnuplotJob job = gnuplot_job(p, PlotFormat::kSvg, "d", "o");
  EXPECT_NE(job.script.find("set arrow 1 from 4, graph 0 to 4, graph 1 nohead"), std::string::npos)
      << job.script;
  EXPECT_NE(job.script.find("set label 1 'max latency 4 ms' at 4,"), std::string::npos);
  EXPECT_NE(job.script.find("set arrow 2 from graph 0, first 7 to graph 1, first 7"),
            std::string::npos);
  // Invisible points at the limits stretch the autoscaled axes to them.
  EXPECT_NE(job.data.find("4 5\n"), std::string::npos) << job.data;
  EXPECT_NE(job.data.find("1 7\n"), std::string::npos) << job.data;
  p.x_max = 8;
  EXPECT_NE(gnuplot_job(p, PlotFormat::kSvg, "d", "o").script.find("set xrange [*:8]"),
            std::string::npos);
}

TEST(Plot, DisplayUnitKeepsValuesBetweenOneAndAThousand) {
  EXPECT_EQ(display_unit("ns", 2.5e6).unit, "ms");
  EXPECT_EQ(display_unit("ns", 2.5e6).scale, 1e-6);
  EXPECT_EQ(display_unit("ns", 800).unit, "ns");
  EXPECT_EQ(display_unit("ns", 4e9).unit, "s");
  EXPECT_EQ(display_unit("pJ", 4e8).unit, "µJ");  // 0.4 mJ reads as 400 µJ
  EXPECT_EQ(display_unit("pJ", 5.5e9).unit, "mJ");
  EXPECT_EQ(display_unit("B", 3e6).unit, "MB");
  EXPECT_EQ(display_unit("mm²", 12).unit, "mm²");  // not a scaled unit: as is
  EXPECT_EQ(display_unit("ns", 0).unit, "ns");
  EXPECT_EQ(display_unit("ns", 0.5).unit, "ns");  // below the smallest unit: the smallest
}

TEST(Plot, ATitleLineBreakIsKeptAndQuotesAreEscaped) {
  ScatterPlot p = pareto_plot();
  p.title = "first \"line\"\nsecond";
  EXPECT_NE(gnuplot_job(p, PlotFormat::kSvg, "d", "o")
                .script.find("set title \"first \\\"line\\\"\\nsecond\""),
            std::string::npos);
}

}  // namespace
}  // namespace h4h
