#include "nas/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace h4h::nas {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_pair(const std::vector<double>& a, const std::vector<double>& b, const char* fn) {
  if (a.size() != b.size())
    throw std::invalid_argument(std::string(fn) + ": vectors differ in length (" +
                                std::to_string(a.size()) + " vs " + std::to_string(b.size()) + ")");
  if (a.size() < 2)
    throw std::invalid_argument(std::string(fn) + ": needs at least 2 values, got " +
                                std::to_string(a.size()));
  auto finite = [](double v) { return std::isfinite(v); };
  if (!std::all_of(a.begin(), a.end(), finite) || !std::all_of(b.begin(), b.end(), finite))
    throw std::invalid_argument(std::string(fn) + ": values must be finite");
}

// Relative errors |est - ref| / |ref|, as fractions (not percent).
std::vector<double> relative_errors(const std::vector<double>& est, const std::vector<double>& ref,
                                    const char* fn) {
  check_pair(est, ref, fn);
  std::vector<double> rel(est.size());
  for (size_t i = 0; i < est.size(); ++i) {
    if (ref[i] == 0)
      throw std::invalid_argument(std::string(fn) + ": ref[" + std::to_string(i) +
                                  "] is 0, relative error undefined");
    rel[i] = std::abs(est[i] - ref[i]) / std::abs(ref[i]);
  }
  return rel;
}

// Checked by value, not by a zero variance: the mean of n equal doubles can round away from
// them, leaving a tiny non-zero variance that would turn "undefined" into noise.
bool is_constant(const std::vector<double>& v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return *lo == *hi;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

int sign(double d) { return (d > 0) - (d < 0); }

}  // namespace

double mape_pct(const std::vector<double>& est, const std::vector<double>& ref) {
  return 100.0 * mean(relative_errors(est, ref, "mape_pct"));
}

double max_abs_err_pct(const std::vector<double>& est, const std::vector<double>& ref) {
  const std::vector<double> rel = relative_errors(est, ref, "max_abs_err_pct");
  return 100.0 * *std::max_element(rel.begin(), rel.end());
}

double kendall_tau(const std::vector<double>& x, const std::vector<double>& y) {
  check_pair(x, y, "kendall_tau");
  if (is_constant(x) || is_constant(y)) return kNaN;
  // Pair counts reach n^2/2 = 5e7 at n = 10k: 64-bit integers keep them exact.
  const size_t n = x.size();
  long long concordant_minus_discordant = 0;
  long long untied_x = 0;  // pairs with x_i != x_j
  long long untied_y = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const int sx = sign(x[i] - x[j]);
      const int sy = sign(y[i] - y[j]);
      concordant_minus_discordant += sx * sy;
      untied_x += sx != 0;
      untied_y += sy != 0;
    }
  }
  // n0 - tx = untied_x and n0 - ty = untied_y: pairs tied in both are excluded from each.
  return static_cast<double>(concordant_minus_discordant) /
         std::sqrt(static_cast<double>(untied_x) * static_cast<double>(untied_y));
}

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;  // [start, end) is one run of equal values
    while (end < order.size() && v[order[end]] == v[order[start]]) ++end;
    // Ranks are 1-based: the run covers ranks start+1 .. end, whose average is this.
    const double shared_rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (size_t k = start; k < end; ++k) rank[order[k]] = shared_rank;
    start = end;
  }
  return rank;
}

double spearman_rho(const std::vector<double>& x, const std::vector<double>& y) {
  check_pair(x, y, "spearman_rho");
  return pearson_r(average_ranks(x), average_ranks(y));
}

double pearson_r(const std::vector<double>& x, const std::vector<double>& y) {
  check_pair(x, y, "pearson_r");
  if (is_constant(x) || is_constant(y)) return kNaN;
  // Two passes (means first, then centred sums) avoid the cancellation of the one-pass
  // sum-of-squares formula when values are large and close (cycle counts, say).
  const double mx = mean(x);
  const double my = mean(y);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double dx = x[i] - mx;
    const double dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
}

LinearFit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  check_pair(x, y, "fit_line");
  const double mx = mean(x);
  const double my = mean(y);
  if (is_constant(x)) return LinearFit{0.0, my};
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  const double slope = sxy / sxx;
  return LinearFit{slope, my - slope * mx};
}

}  // namespace h4h::nas
