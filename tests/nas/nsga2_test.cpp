// NSGA-II's generic machinery on hand-made point sets whose fronts and crowding distances
// are worked out in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "nas/nsga2.h"

namespace h4h::nas {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Fronts = std::vector<std::vector<int>>;

Fitness pt(std::vector<double> objectives, double violation = 0) {
  return Fitness{std::move(objectives), violation};
}

TEST(Nsga2, ParetoDominanceNeedsOneStrictlyBetterAndNoneWorse) {
  EXPECT_TRUE(dominates(pt({1, 2}), pt({2, 2})));
  EXPECT_FALSE(dominates(pt({2, 2}), pt({1, 2})));
  EXPECT_FALSE(dominates(pt({1, 3}), pt({2, 2})));  // a trade-off: neither dominates
  EXPECT_FALSE(dominates(pt({2, 2}), pt({1, 3})));
  EXPECT_FALSE(dominates(pt({1, 2}), pt({1, 2})));  // equal points do not dominate
}

TEST(Nsga2, FeasibleBeatsInfeasibleThenLowerViolationWins) {
  const Fitness feasible_but_poor = pt({10, 10});
  const Fitness infeasible_great = pt({0, 0}, 0.5);
  const Fitness less_infeasible_poor = pt({9, 9}, 0.2);
  EXPECT_TRUE(dominates(feasible_but_poor, infeasible_great));
  EXPECT_FALSE(dominates(infeasible_great, feasible_but_poor));
  EXPECT_TRUE(dominates(less_infeasible_poor, infeasible_great));  // objectives ignored
  EXPECT_FALSE(dominates(infeasible_great, less_infeasible_poor));
  EXPECT_FALSE(dominates(pt({0, 0}, 0.5), pt({1, 1}, 0.5)));  // equal violation: no one wins
}

TEST(Nsga2, TwoObjectiveFrontsMatchHandSort) {
  // 0 (1,5), 1 (2,3), 2 (4,1) trade off: front 0. 3 (3,4) is dominated by 1; 5 (2,6) by 0;
  // neither dominates the other: front 1. 4 (5,5) is dominated by 3: front 2.
  const std::vector<Fitness> pop{pt({1, 5}), pt({2, 3}), pt({4, 1}),
                                 pt({3, 4}), pt({5, 5}), pt({2, 6})};
  EXPECT_EQ(non_dominated_sort(pop), (Fronts{{0, 1, 2}, {3, 5}, {4}}));
}

TEST(Nsga2, ThreeObjectiveFrontsMatchHandSort) {
  // 0 (1,2,3), 1 (3,2,1), 2 (2,2,2) trade off, and 5 duplicates 0 (equal points stay in one
  // front). 3 (2,3,3) is dominated by 0 and 2; 4 (3,3,3) by 3 as well.
  const std::vector<Fitness> pop{pt({1, 2, 3}), pt({3, 2, 1}), pt({2, 2, 2}),
                                 pt({2, 3, 3}), pt({3, 3, 3}), pt({1, 2, 3})};
  EXPECT_EQ(non_dominated_sort(pop), (Fronts{{0, 1, 2, 5}, {3}, {4}}));
}

TEST(Nsga2, InfeasibleIndividualsRankBehindFeasibleOnesByViolation) {
  // 1 and 3 are feasible (a trade-off); 0 has the best objectives but violates the most.
  const std::vector<Fitness> pop{pt({0, 0}, 2.0), pt({5, 1}), pt({0, 1}, 0.5), pt({1, 5}),
                                 pt({9, 9}, 0.5)};
  EXPECT_EQ(non_dominated_sort(pop), (Fronts{{1, 3}, {2, 4}, {0}}));
}

TEST(Nsga2, EmptyPopulationHasNoFronts) {
  EXPECT_TRUE(non_dominated_sort({}).empty());
  EXPECT_TRUE(select_survivors({}, 0).empty());
  EXPECT_TRUE(pareto_front({}).empty());
}

TEST(Nsga2, CrowdingOnFourPointFrontMatchesHand) {
  // Front A (0,10), B (1,6), C (4,2), D (10,0); both objectives span 10.
  // Objective 1 order A B C D: B gets (4-0)/10 = 0.4, C gets (10-1)/10 = 0.9.
  // Objective 2 order D C B A: C gets (6-0)/10 = 0.6, B gets (10-2)/10 = 0.8.
  // So B = 1.2, C = 1.5 and the extremes A, D are infinite.
  // Population order is shuffled (plus a dominated point) to check index bookkeeping.
  const std::vector<Fitness> pop{pt({4, 2}), pt({20, 20}), pt({0, 10}), pt({10, 0}), pt({1, 6})};
  const std::vector<int> front{2, 4, 0, 3};  // A B C D
  const std::vector<double> d = crowding_distance(pop, front);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0], kInf);
  EXPECT_DOUBLE_EQ(d[1], 1.2);
  EXPECT_DOUBLE_EQ(d[2], 1.5);
  EXPECT_EQ(d[3], kInf);
}

TEST(Nsga2, CrowdingOfTinyAndFlatFronts) {
  const std::vector<Fitness> pop{pt({1, 2}), pt({2, 1}), pt({3, 3}), pt({3, 3}), pt({3, 3})};
  EXPECT_EQ(crowding_distance(pop, {0, 1}), (std::vector<double>{kInf, kInf}));
  EXPECT_EQ(crowding_distance(pop, {0}), (std::vector<double>{kInf}));
  EXPECT_TRUE(crowding_distance(pop, {}).empty());
  // Three identical points: no objective has any spread, so none is an extreme.
  EXPECT_EQ(crowding_distance(pop, {2, 3, 4}), (std::vector<double>{0, 0, 0}));
}

TEST(Nsga2, SurvivorsKeepTheWholeFirstFrontWhenItFits) {
  // Front 0 = {0, 1, 2}; front 1 = {3, 5}; front 2 = {4} (as in TwoObjectiveFronts...).
  const std::vector<Fitness> pop{pt({1, 5}), pt({2, 3}), pt({4, 1}),
                                 pt({3, 4}), pt({5, 5}), pt({2, 6})};
  EXPECT_EQ(select_survivors(pop, 3), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(select_survivors(pop, 5), (std::vector<int>{0, 1, 2, 3, 5}));
  // Four: front 0 plus one of front 1, whose two members are both extremes (infinite
  // crowding), so the lower index wins.
  EXPECT_EQ(select_survivors(pop, 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(select_survivors(pop, 6).size(), 6u);
  EXPECT_TRUE(select_survivors(pop, 0).empty());
}

TEST(Nsga2, SurvivorsFromAnOverfullFrontAreTheLeastCrowded) {
  // One front on x + y = 4: A (0,4), B (1,3), C (1.5,2.5), D (4,0); ranges 4 and 4.
  // B: 2 * (1.5-0)/4 = 0.75; C: 2 * (4-1)/4 = 1.5. Keeping 3: the extremes A, D, then C.
  const std::vector<Fitness> pop{pt({0, 4}), pt({1, 3}), pt({1.5, 2.5}), pt({4, 0})};
  EXPECT_EQ(select_survivors(pop, 3), (std::vector<int>{0, 3, 2}));
}

TEST(Nsga2, SelectingMoreThanThePopulationIsRejected) {
  const std::vector<Fitness> pop{pt({1}), pt({2})};
  EXPECT_THROW(select_survivors(pop, 3), std::invalid_argument);
  EXPECT_THROW(select_survivors(pop, -1), std::invalid_argument);
}

TEST(Nsga2, InconsistentPopulationsAreRejected) {
  EXPECT_THROW(non_dominated_sort({pt({1, 2}), pt({1})}), std::invalid_argument);
  EXPECT_THROW(non_dominated_sort({pt({})}), std::invalid_argument);
  EXPECT_THROW(non_dominated_sort({pt({NAN})}), std::invalid_argument);
  EXPECT_THROW(non_dominated_sort({pt({1}, -0.5)}), std::invalid_argument);
  EXPECT_THROW(pareto_front({pt({1}, NAN)}), std::invalid_argument);
}

TEST(Nsga2, RankPopulationGivesFrontIndexAndCrowdingPerIndividual) {
  const std::vector<Fitness> pop{pt({4, 2}), pt({20, 20}), pt({0, 10}), pt({10, 0}), pt({1, 6})};
  const Ranking r = rank_population(pop);
  EXPECT_EQ(r.rank, (std::vector<int>{0, 1, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(r.crowding[0], 1.5);
  EXPECT_EQ(r.crowding[1], kInf);  // alone in its front
  EXPECT_DOUBLE_EQ(r.crowding[4], 1.2);
}

TEST(Nsga2, TournamentPrefersLowerRankThenLargerCrowding) {
  std::mt19937_64 rng(3);
  // Two individuals: the tournament always draws both, so the better one always wins.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(binary_tournament({1, 0}, {kInf, 0.0}, rng), 1);
    EXPECT_EQ(binary_tournament({0, 0}, {0.5, 2.0}, rng), 1);
  }
  EXPECT_EQ(binary_tournament({7}, {0.0}, rng), 0);
  EXPECT_THROW(binary_tournament({}, {}, rng), std::invalid_argument);
  EXPECT_THROW(binary_tournament({0, 1}, {0.0}, rng), std::invalid_argument);
}

TEST(Nsga2, TournamentWinRatesFollowFromUniformPairs) {
  // Ranks {0, 1, 1, 2}: index 0 wins every pair it is in (3 of 6 pairs = 1/2), index 3 none.
  std::mt19937_64 rng(11);
  const std::vector<int> rank{0, 1, 1, 2};
  const std::vector<double> crowd{0, 0, 0, 0};
  std::vector<int> wins(4, 0);
  const int draws = 20000;
  for (int i = 0; i < draws; ++i) ++wins[binary_tournament(rank, crowd, rng)];
  EXPECT_NEAR(wins[0] / double(draws), 0.5, 0.02);
  EXPECT_EQ(wins[3], 0);
  // 1 and 2 tie on rank and crowding: 1 wins half of (1,2) and all of (1,3) = 1/12 + 1/6.
  EXPECT_NEAR(wins[1] / double(draws), 0.25, 0.02);
}

TEST(Nsga2, SameSeedGivesTheSameTournaments) {
  const std::vector<int> rank{0, 1, 0, 2, 1, 0, 3, 1};
  const std::vector<double> crowd{kInf, 0.3, 0.7, kInf, 1.1, 0.2, kInf, 0.9};
  auto run = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<int> picks;
    for (int i = 0; i < 50; ++i) picks.push_back(binary_tournament(rank, crowd, rng));
    return picks;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

TEST(Nsga2, ParetoFrontIsFeasibleNonDominatedSortedByFirstObjective) {
  // Feasible: 1 (4,1), 2 (1,5), 3 (2,3), 5 (3,4, dominated by 3). 0 and 4 are infeasible,
  // 0 even with objectives that would dominate everything.
  const std::vector<Fitness> pop{pt({0, 0}, 0.1), pt({4, 1}),          pt({1, 5}),
                                 pt({2, 3}),      pt({0.5, 0.5}, 3.0), pt({3, 4})};
  EXPECT_EQ(pareto_front(pop), (std::vector<int>{2, 3, 1}));
  EXPECT_TRUE(pareto_front({pt({1}, 1.0), pt({2}, 0.5)}).empty());
}

}  // namespace
}  // namespace h4h::nas
