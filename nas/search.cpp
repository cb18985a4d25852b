#include "nas/search.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "frontend/user_error.h"
#include "nas/blocks.h"
#include "nas/nsga2.h"

namespace h4h::nas {

namespace {

class MacsProxy : public ScoreOracle {
 public:
  MacsProxy(const SearchSpace& sp, bool params) : space_(sp), params_(params) {}
  std::string name() const override { return params_ ? "proxy_log10_params" : "proxy_log10_macs"; }
  std::string describe() const override {
    return params_ ? "proxy: log10(parameters) — capacity, not accuracy"
                   : "proxy: log10(MACs) — capacity, not accuracy";
  }
  bool is_accuracy() const override { return false; }
  double score(const Subnet& s) override {
    const int64_t v = params_ ? subnet_params(space_, s) : subnet_macs(space_, s);
    return std::log10(static_cast<double>(std::max<int64_t>(v, 1)));
  }

 private:
  const SearchSpace& space_;
  bool params_;
};

struct Individual {
  Candidate c;
  Fitness f;
};

}  // namespace

std::unique_ptr<ScoreOracle> make_proxy_oracle(const std::string& name, const SearchSpace& space) {
  if (name == "proxy:macs") return std::make_unique<MacsProxy>(space, false);
  if (name == "proxy:params") return std::make_unique<MacsProxy>(space, true);
  throw UserError(fmt::format("unknown accuracy oracle '{}' (known: supernet:CKPT, proxy:macs, "
                              "proxy:params)", name));
}

namespace {

// Evaluates candidates once each (the oracle may be expensive) and keeps every distinct one;
// shared by the strategies, so they report alike.
class CandidatePool {
 public:
  CandidatePool(const std::vector<const Estimator*>& archs, ScoreOracle& oracle,
                const SearchOptions& opts, SearchResult& result)
      : archs_(archs), oracle_(oracle), opts_(opts), result_(result) {}

  Individual evaluate(int arch, Subnet s) {
    ++result_.evaluations;
    const std::string key = fmt::format("{}|{}", arch, encode_subnet(s));
    auto it = seen_.find(key);
    if (it != seen_.end()) return individual(result_.evaluated[it->second]);
    Candidate c;
    c.arch = arch;
    c.estimate = archs_[static_cast<size_t>(arch)]->estimate(s);
    c.score = oracle_.score(s);
    c.subnet = std::move(s);
    if (opts_.max_latency_ns > 0 && c.estimate.latency_ns > opts_.max_latency_ns)
      c.violation += c.estimate.latency_ns / opts_.max_latency_ns - 1;
    if (opts_.max_energy_pj > 0 && c.estimate.energy_pj > opts_.max_energy_pj)
      c.violation += c.estimate.energy_pj / opts_.max_energy_pj - 1;
    seen_.emplace(key, result_.evaluated.size());
    result_.evaluated.push_back(c);
    return individual(c);
  }
  bool seen(int arch, const Subnet& s) const {
    return seen_.count(fmt::format("{}|{}", arch, encode_subnet(s))) > 0;
  }

  // The front over everything evaluated: nothing found is lost.
  void finish() {
    std::vector<Fitness> all;
    for (const auto& c : result_.evaluated) all.push_back(individual(c).f);
    for (int i : pareto_front(all)) result_.pareto.push_back(result_.evaluated[static_cast<size_t>(i)]);
    std::sort(result_.pareto.begin(), result_.pareto.end(), [](const Candidate& a, const Candidate& b) {
      return a.estimate.latency_ns < b.estimate.latency_ns;
    });
  }

 private:
  static Individual individual(const Candidate& c) {
    return {c, Fitness{{-c.score, c.estimate.latency_ns, c.estimate.energy_pj}, c.violation}};
  }
  const std::vector<const Estimator*>& archs_;
  ScoreOracle& oracle_;
  const SearchOptions& opts_;
  SearchResult& result_;
  std::unordered_map<std::string, size_t> seen_;
};

void check_search_args(const std::vector<const Estimator*>& archs, const SearchOptions& opts) {
  if (archs.empty()) throw UserError("search: at least one arch config is needed");
  if (opts.population < 4) throw UserError(fmt::format("--population must be >= 4, got {}", opts.population));
  if (opts.generations < 0) throw UserError(fmt::format("--generations must be >= 0, got {}", opts.generations));
}

}  // namespace

int64_t oracle_budget(const SearchOptions& opts) {
  return static_cast<int64_t>(opts.population) * (static_cast<int64_t>(opts.generations) + 1);
}

SearchResult random_search(const SearchSpace& space, const std::vector<const Estimator*>& archs,
                           ScoreOracle& oracle, const SearchOptions& opts,
                           const std::function<void(int)>& on_generation) {
  check_search_args(archs, opts);
  std::mt19937_64 rng(opts.seed);
  SearchResult result;
  CandidatePool pool(archs, oracle, opts, result);
  const int n_arch = static_cast<int>(archs.size());
  const int64_t budget = opts.oracle_calls > 0 ? opts.oracle_calls : oracle_budget(opts);
  // Uniform draws until the budget of distinct candidates (oracle calls) is spent; a space
  // smaller than the budget ends when draws stop finding new candidates.
  int64_t misses = 0;
  while (static_cast<int64_t>(result.evaluated.size()) < budget && misses < 100 * budget) {
    const int arch = static_cast<int>(rng() % static_cast<uint64_t>(n_arch));
    Subnet s = sample_subnet(space, rng);
    if (pool.seen(arch, s)) {
      ++misses;
      continue;
    }
    pool.evaluate(arch, std::move(s));
    if (on_generation && result.evaluated.size() % static_cast<size_t>(opts.population) == 0)
      on_generation(static_cast<int>(result.evaluated.size() / static_cast<size_t>(opts.population)) - 1);
  }
  pool.finish();
  return result;
}

SearchResult nsga2_search(const SearchSpace& space, const std::vector<const Estimator*>& archs,
                          ScoreOracle& oracle, const SearchOptions& opts,
                          const std::function<void(int)>& on_generation) {
  check_search_args(archs, opts);
  std::mt19937_64 rng(opts.seed);
  SearchResult result;
  CandidatePool pool(archs, oracle, opts, result);
  auto evaluate = [&](int arch, Subnet s) { return pool.evaluate(arch, std::move(s)); };

  const int n_arch = static_cast<int>(archs.size());
  auto random_arch = [&]() { return static_cast<int>(rng() % static_cast<uint64_t>(n_arch)); };
  std::vector<Individual> pop;
  // Seed the extremes on every arch so the front's ends are reachable from generation 0.
  for (int a = 0; a < n_arch && static_cast<int>(pop.size()) + 2 <= opts.population; ++a) {
    pop.push_back(evaluate(a, smallest_subnet(space)));
    pop.push_back(evaluate(a, largest_subnet(space)));
  }
  while (static_cast<int>(pop.size()) < opts.population) pop.push_back(evaluate(random_arch(), sample_subnet(space, rng)));

  std::uniform_real_distribution<double> unit(0, 1);
  for (int gen = 0; gen < opts.generations; ++gen) {
    std::vector<Fitness> fit;
    for (const auto& ind : pop) fit.push_back(ind.f);
    const Ranking rk = rank_population(fit);
    std::vector<Individual> next = pop;
    while (static_cast<int>(next.size()) < 2 * opts.population) {
      const Individual& p1 = pop[static_cast<size_t>(binary_tournament(rk.rank, rk.crowding, rng))];
      const Individual& p2 = pop[static_cast<size_t>(binary_tournament(rk.rank, rk.crowding, rng))];
      Subnet child = unit(rng) < opts.crossover_prob ? crossover_subnets(p1.c.subnet, p2.c.subnet, rng) : p1.c.subnet;
      child = mutate_subnet(space, child, opts.mutation_rate, rng);
      int arch = unit(rng) < 0.5 ? p1.c.arch : p2.c.arch;
      if (n_arch > 1 && unit(rng) < opts.mutation_rate) arch = random_arch();
      next.push_back(evaluate(arch, std::move(child)));
    }
    std::vector<Fitness> next_fit;
    for (const auto& ind : next) next_fit.push_back(ind.f);
    std::vector<Individual> survivors;
    for (int i : select_survivors(next_fit, opts.population)) survivors.push_back(next[static_cast<size_t>(i)]);
    pop = std::move(survivors);
    if (on_generation) on_generation(gen + 1);
  }

  pool.finish();
  return result;
}

}  // namespace h4h::nas
