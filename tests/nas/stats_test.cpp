// Estimator-quality metrics against values worked out by hand (the same examples appear in
// scipy.stats' documentation, so the references are also what scipy prints).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

#include "nas/stats.h"

namespace h4h::nas {
namespace {

using Vec = std::vector<double>;

TEST(Stats, MapeIsMeanRelativeErrorInPercent) {
  // |110-100|/100 = 10 %, |45-50|/50 = 10 %, |200-200|/200 = 0 %, |-3-(-4)|/4 = 25 %
  // -> mean 45/4 = 11.25 %, max 25 %. A negative ref counts by its magnitude.
  const Vec est{110, 45, 200, -3};
  const Vec ref{100, 50, 200, -4};
  EXPECT_DOUBLE_EQ(mape_pct(est, ref), 11.25);
  EXPECT_DOUBLE_EQ(max_abs_err_pct(est, ref), 25.0);
}

TEST(Stats, ErrorsOfAPerfectEstimateAreZero) {
  const Vec v{1, 2, 3};
  EXPECT_EQ(mape_pct(v, v), 0.0);
  EXPECT_EQ(max_abs_err_pct(v, v), 0.0);
}

TEST(Stats, ZeroReferenceIsRejected) {
  EXPECT_THROW(mape_pct({1, 2}, {1, 0}), std::invalid_argument);
  EXPECT_THROW(max_abs_err_pct({1, 2}, {0, 1}), std::invalid_argument);
}

TEST(Stats, LengthMismatchShortAndNonFiniteInputsAreRejected) {
  EXPECT_THROW(pearson_r({1, 2, 3}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(kendall_tau({1}, {1}), std::invalid_argument);
  EXPECT_THROW(spearman_rho({}, {}), std::invalid_argument);
  EXPECT_THROW(fit_line({1}, {2}), std::invalid_argument);
  EXPECT_THROW(mape_pct({1, NAN}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(kendall_tau({1, INFINITY}, {1, 2}), std::invalid_argument);
}

TEST(Stats, KendallTauWithoutTies) {
  // x = 1..5, y = {3,1,2,5,4}: of the 10 pairs, 7 are concordant and 3 discordant
  // ((1,2), (1,3), (4,5) by position), so tau = (7-3)/10 = 0.4.
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4, 5}, {3, 1, 2, 5, 4}), 0.4);
}

TEST(Stats, KendallTauBCorrectsForTies) {
  // scipy's kendalltau example: x = {12,2,1,12,2}, y = {1,4,7,1,0}. Of 10 pairs, x ties 2
  // (12,12 and 2,2), y ties 1 (1,1 — the same pair as x's 12,12); concordant - discordant
  // = 2 - 6 = -4, so tau_b = -4 / sqrt((10-2) * (10-1)) = -4 / sqrt(72) = -0.4714045...
  EXPECT_NEAR(kendall_tau({12, 2, 1, 12, 2}, {1, 4, 7, 1, 0}), -0.47140452079103173, 1e-15);
}

TEST(Stats, PerfectAndReversedOrderGivePlusAndMinusOne) {
  const Vec x{1, 2, 3, 4, 5, 6};
  const Vec up{10, 20, 25, 40, 100, 1000};  // monotone but not linear
  const Vec down(up.rbegin(), up.rend());
  EXPECT_DOUBLE_EQ(kendall_tau(x, up), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau(x, down), -1.0);
  EXPECT_DOUBLE_EQ(spearman_rho(x, up), 1.0);
  EXPECT_DOUBLE_EQ(spearman_rho(x, down), -1.0);
  EXPECT_DOUBLE_EQ(pearson_r(x, {3, 5, 7, 9, 11, 13}), 1.0);
  EXPECT_DOUBLE_EQ(pearson_r(x, {0, -1, -2, -3, -4, -5}), -1.0);
  EXPECT_LT(pearson_r(x, up), 1.0);  // Pearson sees the non-linearity; the ranks do not
}

TEST(Stats, CorrelationOfAConstantVectorIsUndefined) {
  const Vec x{1, 2, 3};
  const Vec flat{0.1 * 3, 0.1 * 3, 0.1 * 3};
  EXPECT_TRUE(std::isnan(kendall_tau(x, flat)));
  EXPECT_TRUE(std::isnan(spearman_rho(flat, x)));
  EXPECT_TRUE(std::isnan(pearson_r(x, flat)));
}

TEST(Stats, TiedValuesShareTheirAverageRank) {
  EXPECT_EQ(average_ranks({10, 20, 20, 30}), (Vec{1, 2.5, 2.5, 4}));
  EXPECT_EQ(average_ranks({7, 5, 7, 5, 7}), (Vec{4, 1.5, 4, 1.5, 4}));
}

TEST(Stats, SpearmanRhoIsPearsonOfAverageRanks) {
  // scipy's spearmanr example: x = 1..5, y = {5,6,7,8,7} -> y ranks {1,2,3.5,5,3.5}.
  // Centred sums: sxy = 8, sxx = 10, syy = 9.5, so rho = 8 / sqrt(95) = 0.8207826...
  EXPECT_NEAR(spearman_rho({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 0.8207826816681233, 1e-15);
}

TEST(Stats, PearsonMatchesHandComputedValue) {
  // scipy's pearsonr example: x = 1..7, y = {10,9,2.5,6,4,3,2}. Centred sums: sxy = -34.5,
  // sxx = 28, syy = 61.9286 (867/14), so r = -34.5 / sqrt(1734) = -0.8285038...
  EXPECT_NEAR(pearson_r({1, 2, 3, 4, 5, 6, 7}, {10, 9, 2.5, 6, 4, 3, 2}), -0.828503883588428,
              1e-14);
}

TEST(Stats, PearsonIsExactForLargeCloseValues) {
  // Cycle counts near 1e9 that differ by a few: the one-pass formula would cancel to noise.
  const Vec x{1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4};
  const Vec y{2e9 + 2, 2e9 + 4, 2e9 + 6, 2e9 + 8};
  EXPECT_DOUBLE_EQ(pearson_r(x, y), 1.0);
}

TEST(Stats, FitLineIsLeastSquares) {
  // x = 0..3, y = {1,3,2,5}: mean x 1.5, mean y 2.75, sxy = 5.5, sxx = 5 -> slope 1.1,
  // intercept 2.75 - 1.1 * 1.5 = 1.1.
  const LinearFit f = fit_line({0, 1, 2, 3}, {1, 3, 2, 5});
  EXPECT_NEAR(f.slope, 1.1, 1e-12);
  EXPECT_NEAR(f.intercept, 1.1, 1e-12);
  const LinearFit exact = fit_line({1, 2, 4}, {5, 7, 11});  // y = 2x + 3
  EXPECT_DOUBLE_EQ(exact.slope, 2.0);
  EXPECT_DOUBLE_EQ(exact.intercept, 3.0);
}

TEST(Stats, FitLineFallsBackToInterceptOnlyWhenXIsConstant) {
  const LinearFit f = fit_line({0.1 * 3, 0.1 * 3, 0.1 * 3}, {1, 2, 6});
  EXPECT_EQ(f.slope, 0.0);
  EXPECT_DOUBLE_EQ(f.intercept, 3.0);
}

// tau_b written as the correlation of pairwise sign matrices — an independent formulation
// of the same quantity — to cross-check the counting implementation on data with ties.
double kendall_tau_by_sign_matrix(const Vec& x, const Vec& y) {
  auto sgn = [](double d) { return static_cast<double>((d > 0) - (d < 0)); };
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    for (size_t j = 0; j < x.size(); ++j) {
      const double a = sgn(x[i] - x[j]), b = sgn(y[i] - y[j]);
      sxy += a * b;
      sxx += a * a;
      syy += b * b;
    }
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(Stats, KendallTauAgreesWithSignMatrixFormOnRandomTiedData) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> small(0, 9);  // few distinct values: many ties
  Vec x(300), y(300);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = small(rng);
    y[i] = x[i] + small(rng);  // positively related, with ties on both sides
  }
  const double tau = kendall_tau(x, y);
  EXPECT_NEAR(tau, kendall_tau_by_sign_matrix(x, y), 1e-12);
  EXPECT_GT(tau, 0.3);
}

TEST(Stats, KendallTauOnTwoThousandPointsIsFast) {
  // The NAS ranks ~2000 validation subnets; O(n^2) = 2e6 pairs must stay interactive.
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0.0, 1.0);
  Vec x(2000), y(2000);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<double>(i);
    y[i] = static_cast<double>(i) + 200.0 * noise(rng);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const double tau = kendall_tau(x, y);
  const double elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GT(tau, 0.7);
  EXPECT_LT(tau, 1.0);
  EXPECT_LT(elapsed_s, 1.0);  // ~5 ms in practice; the bound only catches a blow-up
}

}  // namespace
}  // namespace h4h::nas
