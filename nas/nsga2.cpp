#include "nas/nsga2.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace h4h::nas {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void validate(const std::vector<Fitness>& pop) {
  if (pop.empty()) return;
  const size_t objective_count = pop.front().objectives.size();
  if (objective_count == 0) throw std::invalid_argument("nsga2: an individual has no objectives");
  for (size_t i = 0; i < pop.size(); ++i) {
    const Fitness& f = pop[i];
    const std::string who = "nsga2: individual " + std::to_string(i);
    if (f.objectives.size() != objective_count)
      throw std::invalid_argument(who + " has " + std::to_string(f.objectives.size()) +
                                  " objectives, individual 0 has " +
                                  std::to_string(objective_count));
    for (double v : f.objectives)
      if (!std::isfinite(v))
        throw std::invalid_argument(who +
                                    " has a non-finite objective (express an "
                                    "impossible design as a violation instead)");
    if (!(f.violation >= 0) || !std::isfinite(f.violation))
      throw std::invalid_argument(who + " has violation " + std::to_string(f.violation) +
                                  "; it must be finite and >= 0");
  }
}

bool pareto_dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool strictly_better_somewhere = false;
  for (size_t m = 0; m < a.size(); ++m) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) strictly_better_somewhere = true;
  }
  return strictly_better_somewhere;
}

// Uniform integer in [0, n) by rejection: 2^64 - t draws are accepted, t = 2^64 mod n,
// a multiple of n, so every residue is equally likely.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  assert(n > 0);
  const uint64_t t = (0 - n) % n;  // = 2^64 mod n in unsigned arithmetic
  uint64_t r = rng();
  while (r < t) r = rng();
  return r % n;
}

}  // namespace

bool dominates(const Fitness& a, const Fitness& b) {
  assert(a.objectives.size() == b.objectives.size());
  const bool a_feasible = a.violation == 0;
  const bool b_feasible = b.violation == 0;
  if (a_feasible != b_feasible) return a_feasible;
  if (!a_feasible) return a.violation < b.violation;
  return pareto_dominates(a.objectives, b.objectives);
}

std::vector<std::vector<int>> non_dominated_sort(const std::vector<Fitness>& pop) {
  validate(pop);
  const int n = static_cast<int>(pop.size());
  std::vector<std::vector<int>> dominated_by(n);  // S_p: who p dominates
  std::vector<int> domination_count(n, 0);        // n_p: how many dominate p
  for (int p = 0; p < n; ++p) {
    for (int q = p + 1; q < n; ++q) {
      if (dominates(pop[p], pop[q])) {
        dominated_by[p].push_back(q);
        ++domination_count[q];
      } else if (dominates(pop[q], pop[p])) {
        dominated_by[q].push_back(p);
        ++domination_count[p];
      }
    }
  }
  std::vector<std::vector<int>> fronts;
  std::vector<int> current;
  for (int p = 0; p < n; ++p)
    if (domination_count[p] == 0) current.push_back(p);
  while (!current.empty()) {
    std::vector<int> next;
    for (int p : current)
      for (int q : dominated_by[p])
        if (--domination_count[q] == 0) next.push_back(q);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<Fitness>& pop,
                                      const std::vector<int>& front) {
  const size_t k = front.size();
  std::vector<double> distance(k, 0.0);
  if (k == 0) return distance;
  if (k <= 2) return std::vector<double>(k, kInf);  // every member is an extreme
  const size_t objective_count = pop.at(front.front()).objectives.size();
  std::vector<size_t> order(k);  // positions in `front`, sorted per objective
  for (size_t m = 0; m < objective_count; ++m) {
    auto value = [&](size_t pos) { return pop.at(front[pos]).objectives.at(m); };
    std::iota(order.begin(), order.end(), size_t{0});
    // Stable on front position so equal values give the same extremes on every run.
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return value(a) < value(b); });
    const double range = value(order.back()) - value(order.front());
    if (range == 0) continue;
    distance[order.front()] = kInf;
    distance[order.back()] = kInf;
    for (size_t i = 1; i + 1 < k; ++i)
      distance[order[i]] += (value(order[i + 1]) - value(order[i - 1])) / range;
  }
  return distance;
}

Ranking rank_population(const std::vector<Fitness>& pop) {
  Ranking r{std::vector<int>(pop.size(), 0), std::vector<double>(pop.size(), 0.0)};
  const std::vector<std::vector<int>> fronts = non_dominated_sort(pop);
  for (size_t f = 0; f < fronts.size(); ++f) {
    const std::vector<double> crowd = crowding_distance(pop, fronts[f]);
    for (size_t k = 0; k < fronts[f].size(); ++k) {
      r.rank[fronts[f][k]] = static_cast<int>(f);
      r.crowding[fronts[f][k]] = crowd[k];
    }
  }
  return r;
}

std::vector<int> select_survivors(const std::vector<Fitness>& pop, int n) {
  if (n < 0 || static_cast<size_t>(n) > pop.size())
    throw std::invalid_argument("select_survivors: cannot keep " + std::to_string(n) + " of " +
                                std::to_string(pop.size()) + " individuals");
  std::vector<int> survivors;
  survivors.reserve(n);
  for (const std::vector<int>& front : non_dominated_sort(pop)) {
    const size_t room = static_cast<size_t>(n) - survivors.size();
    if (room == 0) break;
    if (front.size() <= room) {
      survivors.insert(survivors.end(), front.begin(), front.end());
      continue;
    }
    // The front that does not fit: keep its least crowded (most isolated) members.
    const std::vector<double> crowd = crowding_distance(pop, front);
    std::vector<size_t> order(front.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return crowd[a] > crowd[b]; });
    for (size_t i = 0; i < room; ++i) survivors.push_back(front[order[i]]);
    break;
  }
  return survivors;
}

int binary_tournament(const std::vector<int>& rank, const std::vector<double>& crowd,
                      std::mt19937_64& rng) {
  if (rank.empty() || rank.size() != crowd.size())
    throw std::invalid_argument(
        "binary_tournament: needs one rank and one crowding distance "
        "per individual (got " +
        std::to_string(rank.size()) + " and " + std::to_string(crowd.size()) + ")");
  const uint64_t n = rank.size();
  if (n == 1) return 0;
  const uint64_t a = uniform_below(rng, n);
  const uint64_t b = (a + 1 + uniform_below(rng, n - 1)) % n;  // any index but a
  if (rank[a] != rank[b]) return static_cast<int>(rank[a] < rank[b] ? a : b);
  return static_cast<int>(crowd[b] > crowd[a] ? b : a);
}

std::vector<int> pareto_front(const std::vector<Fitness>& pop) {
  validate(pop);
  std::vector<int> front;
  for (size_t i = 0; i < pop.size(); ++i) {
    if (pop[i].violation != 0) continue;
    bool dominated = false;
    for (size_t j = 0; j < pop.size() && !dominated; ++j)
      dominated = pop[j].violation == 0 && pareto_dominates(pop[j].objectives, pop[i].objectives);
    if (!dominated) front.push_back(static_cast<int>(i));
  }
  std::sort(front.begin(), front.end(), [&](int a, int b) {
    if (pop[a].objectives != pop[b].objectives) return pop[a].objectives < pop[b].objectives;
    return a < b;
  });
  return front;
}

}  // namespace h4h::nas
