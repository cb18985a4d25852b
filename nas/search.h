#pragma once
// Search: NSGA-II over (hardware, subnet) candidates with three objectives — score ↑
// (accuracy from an oracle, or a labelled proxy), latency ↓, energy ↓ — under optional
// latency and energy limits. With one arch config it is plain hardware-aware NAS; with
// several, the arch is one more gene and the front says which (hardware, subnet) pairs
// are Pareto-optimal (co-design).
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nas/estimator.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

namespace h4h::nas {

// Scores a subnet; higher is better. `is_accuracy` is false for proxies, so reports never
// call a proxy "accuracy".
class ScoreOracle {
 public:
  virtual ~ScoreOracle() = default;
  virtual std::string name() const = 0;      // column header, e.g. "proxy_log10_macs"
  virtual std::string describe() const = 0;  // one line for reports
  virtual bool is_accuracy() const = 0;
  virtual double score(const Subnet& s) = 0;
  // An expensive oracle (the supernet's) is not asked about candidates a limit already
  // rules out: their rank comes from the violation, never from the score.
  virtual bool skip_infeasible() const { return false; }
};

// Proxies available without a trained supernet: "proxy:macs" (log10 of MACs: capacity)
// and "proxy:params" (log10 of parameters). UserError for an unknown name.
std::unique_ptr<ScoreOracle> make_proxy_oracle(const std::string& name, const SearchSpace& space);

struct SearchOptions {
  int population = 100;
  int generations = 100;
  double mutation_rate = 0.1;   // per choice
  double crossover_prob = 0.9;
  uint64_t seed = 1;
  double max_latency_ns = 0;    // 0 = no limit
  double max_energy_pj = 0;     // 0 = no limit
  int64_t oracle_calls = 0;     // random search: distinct candidates to score (0: oracle_budget)
};

struct Candidate {
  int arch = 0;                 // index into the estimators
  Subnet subnet;
  double score = 0;    // 0 when not scored (see scored)
  bool scored = true;  // false: over a limit, and the oracle skips those
  Estimate estimate;
  double violation = 0;
};

struct SearchResult {
  std::vector<Candidate> pareto;   // feasible, non-dominated, distinct; by latency
  std::vector<Candidate> evaluated;// every distinct candidate evaluated
  int64_t evaluations = 0;         // including repeats served from the cache
  int64_t oracle_calls = 0;        // distinct candidates the oracle scored
};

SearchResult nsga2_search(const SearchSpace& space, const std::vector<const Estimator*>& archs,
                          ScoreOracle& oracle, const SearchOptions& opts,
                          const std::function<void(int generation)>& on_generation = {});

// Distinct candidates NSGA-II may score with `opts` (population x (generations + 1)): the
// budget another strategy gets, so strategies compare at equal oracle calls.
int64_t oracle_budget(const SearchOptions& opts);

// The baseline strategy: (arch, subnet) pairs drawn uniformly until oracle_budget(opts)
// distinct ones are scored (or the space runs out); the front and limits as NSGA-II's.
SearchResult random_search(const SearchSpace& space, const std::vector<const Estimator*>& archs,
                           ScoreOracle& oracle, const SearchOptions& opts,
                           const std::function<void(int generation)>& on_generation = {});

// Bayesian optimisation with a tree-structured Parzen estimator (Bergstra et al. 2011)
// over the subnet's categorical choices and the arch, made multi-objective ParEGO-style
// (Knowles 2006: a random weighting of the normalized objectives per step, augmented
// Chebyshev): after a population of extremes and uniform draws, each step ranks what was
// scored, splits off the best quarter, and scores the one of 64 proposals (mutations of good
// candidates and uniform draws) with the highest density ratio l(x) / g(x) — one oracle call
// per step, until oracle_calls (default oracle_budget) distinct candidates are scored.
SearchResult tpe_search(const SearchSpace& space, const std::vector<const Estimator*>& archs,
                        ScoreOracle& oracle, const SearchOptions& opts,
                        const std::function<void(int generation)>& on_generation = {});

}  // namespace h4h::nas
