#include "nas/search.h"

#include <algorithm>
#include <array>
#include <map>
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
    if (opts_.max_latency_ns > 0 && c.estimate.latency_ns > opts_.max_latency_ns)
      c.violation += c.estimate.latency_ns / opts_.max_latency_ns - 1;
    if (opts_.max_energy_pj > 0 && c.estimate.energy_pj > opts_.max_energy_pj)
      c.violation += c.estimate.energy_pj / opts_.max_energy_pj - 1;
    if (c.violation > 0 && oracle_.skip_infeasible()) {
      c.scored = false;  // ranked by its violation alone; score 0 keeps the fitness finite
    } else {
      c.score = oracle_.score(s);
      ++result_.oracle_calls;
    }
    c.subnet = std::move(s);
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

// Reports a finished "generation" each time another population's worth of distinct
// candidates is scored (the strategies without generations count them this way).
void report_progress(const SearchResult& result, const SearchOptions& opts,
                     const std::function<void(int)>& on_generation) {
  if (on_generation && result.evaluated.size() % static_cast<size_t>(opts.population) == 0)
    on_generation(static_cast<int>(result.evaluated.size() / static_cast<size_t>(opts.population)) - 1);
}

// Uniform (arch, subnet) draws, each scored once, until the oracle has been called `target`
// times (distinct candidates; without skip_infeasible, every candidate drawn); `misses` counts
// draws of seen ones, and `max_misses` of them end it (a space smaller than the target).
void draw_uniform(CandidatePool& pool, const SearchSpace& space, int n_arch, std::mt19937_64& rng,
                  int64_t target, int64_t max_misses, int64_t& misses, const SearchResult& result,
                  const SearchOptions& opts, const std::function<void(int)>& on_generation) {
  while (result.oracle_calls < target && misses < max_misses) {
    const int arch = static_cast<int>(rng() % static_cast<uint64_t>(n_arch));
    Subnet s = sample_subnet(space, rng);
    if (pool.seen(arch, s)) {
      ++misses;
      continue;
    }
    // A candidate the oracle skipped (over a limit) costs no call but counts as a miss, so
    // a limit nothing meets cannot keep the loop drawing.
    if (!pool.evaluate(arch, std::move(s)).c.scored) ++misses;
    report_progress(result, opts, on_generation);
  }
}

}  // namespace

int64_t oracle_budget(const SearchOptions& opts) {
  return static_cast<int64_t>(opts.population) * (static_cast<int64_t>(opts.generations) + 1);
}

namespace {

// A subnet as fixed-length categorical features for the TPE density model: the top-level
// choices, then per stage its width, depth and every block slot up to the stage's largest
// depth (type and options; -1 where a field does not apply, -2 for an absent block).
std::vector<int64_t> tpe_features(const SearchSpace& space, const Subnet& s) {
  std::vector<int64_t> f = {s.resolution, s.stem_width, s.head_width};
  for (size_t i = 0; i < space.stages.size(); ++i) {
    const StageChoice& st = s.stages[i];
    f.push_back(st.width);
    f.push_back(static_cast<int64_t>(st.blocks.size()));
    const int64_t max_depth = *std::max_element(space.stages[i].depths.begin(), space.stages[i].depths.end());
    for (int64_t j = 0; j < max_depth; ++j) {
      if (j >= static_cast<int64_t>(st.blocks.size())) {
        f.insert(f.end(), {-2, -2, -2});
        continue;
      }
      const BlockChoice& b = st.blocks[static_cast<size_t>(j)];
      if (b.transformer) f.insert(f.end(), {1, b.heads, b.mlp_ratio});
      else f.insert(f.end(), {0, b.kernel, b.expansion});
    }
  }
  return f;
}

}  // namespace

SearchResult tpe_search(const SearchSpace& space, const std::vector<const Estimator*>& archs,
                        ScoreOracle& oracle, const SearchOptions& opts,
                        const std::function<void(int)>& on_generation) {
  check_search_args(archs, opts);
  std::mt19937_64 rng(opts.seed);
  SearchResult result;
  CandidatePool pool(archs, oracle, opts, result);
  const int n_arch = static_cast<int>(archs.size());
  const int64_t budget = opts.oracle_calls > 0 ? opts.oracle_calls : oracle_budget(opts);
  auto random_arch = [&]() { return static_cast<int>(rng() % static_cast<uint64_t>(n_arch)); };
  auto progress = [&]() { report_progress(result, opts, on_generation); };
  // Warm-up: the extremes on every arch, then uniform draws, up to one population.
  for (int a = 0; a < n_arch; ++a)
    for (const Subnet& s : {smallest_subnet(space), largest_subnet(space)})
      if (result.oracle_calls < budget && !pool.seen(a, s)) {
        pool.evaluate(a, s);
        progress();
      }
  int64_t misses = 0;
  draw_uniform(pool, space, n_arch, rng, std::min<int64_t>(budget, opts.population), 100 * budget, misses,
               result, opts, on_generation);
  std::uniform_real_distribution<double> unit(0, 1);
  constexpr int kCandidates = 64;   // proposals per step, ranked by l(x) / g(x)
  constexpr double kGamma = 0.25;   // the best quarter is "good"
  while (result.oracle_calls < budget && misses < 100 * budget) {
    // ParEGO: one random weighting of the three normalized objectives per step (augmented
    // Chebyshev), so successive steps pull towards different parts of the front; a limit's
    // violation ranks a candidate behind every feasible one.
    const auto& ev = result.evaluated;
    double w[3], wsum = 0;
    for (double& x : w) wsum += (x = -std::log(std::max(unit(rng), 1e-12)));
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    auto objectives = [](const Candidate& c) {
      return std::array<double, 3>{-c.score, c.estimate.latency_ns, c.estimate.energy_pj};
    };
    for (const auto& c : ev) {
      const auto o = objectives(c);
      for (int k = c.scored ? 0 : 1; k < 3; ++k)
        lo[k] = std::min(lo[k], o[k]), hi[k] = std::max(hi[k], o[k]);
    }
    std::vector<std::pair<double, size_t>> scal;
    for (size_t i = 0; i < ev.size(); ++i) {
      const auto o = objectives(ev[i]);
      double mx = 0, sum = 0;
      for (int k = 0; k < 3; ++k) {
        const double n = hi[k] > lo[k] ? (o[k] - lo[k]) / (hi[k] - lo[k]) : 0;
        mx = std::max(mx, w[k] / wsum * n);
        sum += w[k] / wsum * n;
      }
      scal.push_back({mx + 0.05 * sum + (ev[i].violation > 0 ? 10 + ev[i].violation : 0), i});
    }
    std::sort(scal.begin(), scal.end());
    const size_t n_good = std::max<size_t>(1, static_cast<size_t>(kGamma * static_cast<double>(ev.size())));
    // Per feature, how often each value occurs among the good and the bad (with their arch
    // as feature 0).
    std::vector<std::vector<int64_t>> feats(ev.size());
    for (size_t i = 0; i < ev.size(); ++i) {
      feats[i] = tpe_features(space, ev[i].subnet);
      feats[i].insert(feats[i].begin(), ev[i].arch);
    }
    const size_t nf = feats[0].size();
    std::vector<std::map<int64_t, double>> good(nf), bad(nf);
    for (size_t r = 0; r < scal.size(); ++r)
      for (size_t k = 0; k < nf; ++k) (r < n_good ? good : bad)[k][feats[scal[r].second][k]] += 1;
    const double n_bad = static_cast<double>(ev.size() - n_good);
    auto log_ratio = [&](const std::vector<int64_t>& f) {
      double v = 0;
      for (size_t k = 0; k < nf; ++k) {
        // Laplace smoothing over the values seen at this feature (+1 for an unseen one).
        const double values = static_cast<double>(std::max(good[k].size(), bad[k].size()) + 1);
        const auto gi = good[k].find(f[k]), bi = bad[k].find(f[k]);
        const double l = ((gi == good[k].end() ? 0 : gi->second) + 1) / (static_cast<double>(n_good) + values);
        const double g = ((bi == bad[k].end() ? 0 : bi->second) + 1) / (n_bad + values);
        v += std::log(l) - std::log(g);
      }
      return v;
    };
    // Proposals: mutations of good candidates and uniform draws; the best unseen one by
    // l/g is scored.
    double best_v = -INFINITY;
    int best_arch = 0;
    Subnet best;
    bool found = false;
    for (int c = 0; c < kCandidates; ++c) {
      int a;
      Subnet s;
      if (c % 2 == 0) {
        const Candidate& parent = ev[scal[static_cast<size_t>(rng() % n_good)].second];
        s = mutate_subnet(space, parent.subnet, 0.2, rng);
        a = n_arch > 1 && unit(rng) < 0.2 ? random_arch() : parent.arch;
      } else {
        s = sample_subnet(space, rng);
        a = random_arch();
      }
      if (pool.seen(a, s)) continue;
      std::vector<int64_t> f = tpe_features(space, s);
      f.insert(f.begin(), a);
      const double v = log_ratio(f);
      if (!found || v > best_v) {
        best_v = v;
        best = std::move(s);
        best_arch = a;
        found = true;
      }
    }
    if (!found) {
      ++misses;
      continue;
    }
    if (!pool.evaluate(best_arch, std::move(best)).c.scored) ++misses;
    progress();
  }
  pool.finish();
  return result;
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
  draw_uniform(pool, space, n_arch, rng, budget, 100 * budget, misses, result, opts, on_generation);
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
