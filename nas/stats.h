#pragma once
// How well an estimate tracks a reference: error and rank-correlation metrics between two
// equally long vectors (e.g. LUT-estimated vs. simulated latency of the same subnets). The
// NAS only needs the estimator to *order* candidates right, hence the rank correlations
// next to the plain error figures.
//
// Every function takes (est, ref) or (x, y) of the same length >= 2 with finite values and
// throws std::invalid_argument otherwise: these are the caller's bugs, not user input.
#include <vector>

namespace h4h::nas {

// 100 * mean(|est - ref| / |ref|), in percent. Every ref must be non-zero.
double mape_pct(const std::vector<double>& est, const std::vector<double>& ref);

// 100 * max(|est - ref| / |ref|), in percent. Every ref must be non-zero.
double max_abs_err_pct(const std::vector<double>& est, const std::vector<double>& ref);

// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - tx) * (n0 - ty)), where n0 counts
// all pairs and tx / ty the pairs tied in x / y (same definition as scipy.stats.kendalltau).
// O(n^2) over pairs without allocation: n = 2000 takes a few milliseconds.
// NaN when either vector is constant (the correlation is undefined), as scipy does.
double kendall_tau(const std::vector<double>& x, const std::vector<double>& y);

// Spearman's rho: Pearson correlation of the ranks, tied values sharing their average rank.
// NaN when either vector is constant.
double spearman_rho(const std::vector<double>& x, const std::vector<double>& y);

// Pearson's correlation coefficient, clamped to [-1, 1] against rounding.
// NaN when either vector is constant.
double pearson_r(const std::vector<double>& x, const std::vector<double>& y);

// Ranks 1..n in input order; tied values get the average of the ranks they span
// (e.g. {10, 20, 20, 30} -> {1, 2.5, 2.5, 4}). Exposed because Spearman is built on it.
std::vector<double> average_ranks(const std::vector<double>& v);

// y ~= slope * x + intercept by ordinary least squares.
struct LinearFit {
  double slope = 0;
  double intercept = 0;
};

// When every x is the same the slope is undefined: the fit falls back to slope 0 and
// intercept mean(y), the best constant predictor, instead of dividing by zero.
LinearFit fit_line(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace h4h::nas
