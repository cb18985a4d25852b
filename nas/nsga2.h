#pragma once
// The generic half of NSGA-II (Deb, Pratap, Agarwal, Meyarivan, IEEE TEVC 2002): ranking by
// non-domination, crowding distance, environmental selection and the crowded binary
// tournament. It sees only fitness values, never what an individual is, so the subnet
// search and the co-design sweeps share it.
//
// Conventions: every objective is MINIMIZED (negate accuracy before passing it in), and
// constraints enter as one aggregated `violation` >= 0 (0 = feasible), compared by Deb's
// constraint-domination rule. Indices always refer to positions in the population vector.
#include <random>
#include <vector>

namespace h4h::nas {

struct Fitness {
  std::vector<double> objectives;  // all minimized; finite; same count across a population
  double violation = 0;            // total constraint violation, >= 0; 0 = feasible
};

// Constraint domination: a feasible individual beats an infeasible one; of two infeasible
// ones the smaller violation wins; of two feasible ones, Pareto dominance (no objective
// worse, at least one strictly better). Equal violations never dominate each other.
bool dominates(const Fitness& a, const Fitness& b);

// Fast non-dominated sort: fronts of population indices, front 0 = best, each front in
// ascending index order. Throws std::invalid_argument on an inconsistent population
// (differing or zero objective counts, non-finite objectives, negative or NaN violation).
std::vector<std::vector<int>> non_dominated_sort(const std::vector<Fitness>& pop);

// Crowding distance of each member of `front` (result[k] belongs to front[k]): per objective,
// the gap between its two neighbours divided by the front's range of that objective, summed.
// The extreme members of each objective get +infinity so the front's ends always survive;
// an objective on which the whole front is equal carries no spread and adds nothing.
std::vector<double> crowding_distance(const std::vector<Fitness>& pop,
                                      const std::vector<int>& front);

// Front rank and crowding distance of every individual, indexed by population position:
// the inputs of binary_tournament.
struct Ranking {
  std::vector<int> rank;
  std::vector<double> crowding;
};
Ranking rank_population(const std::vector<Fitness>& pop);

// Environmental selection: keeps `n` of `pop` (0 <= n <= pop.size(), else
// std::invalid_argument) — whole fronts while they fit, then the most crowding-distant
// members of the front that does not (ties to the lower index, so the result is
// deterministic). Returned in that order: front by front.
std::vector<int> select_survivors(const std::vector<Fitness>& pop, int n);

// Crowded binary tournament: draws two distinct population indices uniformly and returns
// the one with the lower rank, or on equal rank the larger crowding distance (the first
// drawn on a full tie). A population of one returns 0. The draw uses `rng` directly, not
// std::uniform_int_distribution (whose algorithm differs between standard libraries),
// so a seed gives the same search on every platform.
int binary_tournament(const std::vector<int>& rank, const std::vector<double>& crowd,
                      std::mt19937_64& rng);

// The feasible, non-dominated individuals, sorted by first objective (then the next
// objectives, then index). Empty when no individual is feasible.
std::vector<int> pareto_front(const std::vector<Fitness>& pop);

}  // namespace h4h::nas
