"""bench/supernet_stats.py against references: Kendall tau-b worked by hand and as published
(scipy.stats.kendalltau's documented example), Student t quantiles from the standard table,
pooled SDs worked by hand."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
from supernet_stats import partial_tau_b, pooled_sd, t975, tau_b  # noqa: E402


class TauB(unittest.TestCase):
    def test_identical_orders_give_one_and_reversed_minus_one(self):
        self.assertEqual(tau_b([1, 2, 3, 4], [10, 20, 30, 40]), 1.0)
        self.assertEqual(tau_b([1, 2, 3, 4], [40, 30, 20, 10]), -1.0)

    def test_ties_shrink_the_denominator_as_in_scipy(self):
        # scipy.stats.kendalltau's docstring example: x = [12, 2, 1, 12, 2],
        # y = [1, 4, 7, 1, 0] gives tau-b = -0.47140452079103173.
        self.assertAlmostEqual(tau_b([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), -0.47140452079103173, places=12)

    def test_one_discordant_pair_of_six_by_hand(self):
        # 4 items, 6 pairs: swapping the last two makes 5 concordant, 1 discordant -> 4/6.
        self.assertAlmostEqual(tau_b([1, 2, 3, 4], [1, 2, 4, 3]), 4 / 6)


class PartialTau(unittest.TestCase):
    def test_a_shared_linear_trend_is_taken_out(self):
        # x and y are both the trend z plus residuals of opposite order: raw tau is high,
        # the partial tau sees only the residuals' reversed order.
        z = [1.0, 2.0, 3.0, 4.0, 5.0]
        r = [0.3, -0.1, 0.2, -0.3, -0.1]
        x = [a + b for a, b in zip(z, r)]
        y = [a - b for a, b in zip(z, r)]
        self.assertGreater(tau_b(x, y), 0.5)
        self.assertAlmostEqual(partial_tau_b(x, y, z), -1.0)


class StudentT(unittest.TestCase):
    def test_quantiles_match_the_standard_table(self):
        for df, q in [(1, 12.71), (2, 4.30), (5, 2.57), (10, 2.23), (30, 2.04)]:
            self.assertEqual(t975(df), q)

    def test_beyond_the_table_quantiles_are_rounded_or_conservative(self):
        # True two-sided 95 % quantiles: 2.021 at 40, 2.014 at 45, 2.000 at 60, 1.980 at 120.
        for df, true in [(40, 2.021), (45, 2.014), (60, 2.000), (120, 1.980)]:
            self.assertGreaterEqual(t975(df), true - 0.005)
        self.assertEqual(t975(10**6), 1.96)


class PooledSd(unittest.TestCase):
    def test_groups_of_one_add_no_degrees_of_freedom(self):
        # (1, 3): SS 2; (5, 5, 8): SS 6 -> 8 / 3 df.
        sd, df = pooled_sd([[1.0, 3.0], [5.0, 5.0, 8.0], [7.0]])
        self.assertEqual(df, 3)
        self.assertAlmostEqual(sd, (8 / 3) ** 0.5)

    def test_no_group_of_two_gives_no_estimate(self):
        self.assertEqual(pooled_sd([[1.0], [2.0]]), (0.0, 0))


if __name__ == "__main__":
    unittest.main()
