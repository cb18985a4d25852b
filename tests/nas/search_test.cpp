// NSGA-II search over subnets with a LUT estimator: the front is non-dominated and
// feasible, limits hold, a seed reproduces the search, and proxies never pose as accuracy.
#include <gtest/gtest.h>

#include "tests/nas/nas_test_util.h"

#include "frontend/user_error.h"
#include "nas/estimator.h"
#include "nas/search.h"

using namespace h4h;
using namespace h4h::nas;

namespace {
const SearchSpace& fmnist() { return h4h::test::fmnist_space(); }
// A synthetic table (no simulation): latency ∝ MACs plus a fixed cost per block, energy
// ∝ parameters — enough structure for the search to have a real trade-off.
LutTable synthetic_table(double ns_per_mac, double pj_per_param) {
  LutTable t;
  t.arch_name = "synthetic";
  for (const auto& b : all_block_instances(fmnist())) {
    LutEntry e;
    e.latency_ns = ns_per_mac * static_cast<double>(b.macs()) + 1000;
    e.energy_pj = pj_per_param * static_cast<double>(b.params()) + 50 * static_cast<double>(b.macs());
    t.entries[b.key()] = e;
  }
  return t;
}
bool weakly_dominates(const Candidate& a, const Candidate& b) {
  const bool no_worse = a.score >= b.score && a.estimate.latency_ns <= b.estimate.latency_ns &&
                        a.estimate.energy_pj <= b.estimate.energy_pj;
  const bool better = a.score > b.score || a.estimate.latency_ns < b.estimate.latency_ns ||
                      a.estimate.energy_pj < b.estimate.energy_pj;
  return no_worse && better;
}
}  // namespace

TEST(Search, ParetoSetIsNonDominatedOverEverythingEvaluated) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  auto oracle = make_proxy_oracle("proxy:macs", fmnist());
  SearchOptions o;
  o.population = 40;
  o.generations = 20;
  const SearchResult r = nsga2_search(fmnist(), {&est}, *oracle, o);
  EXPECT_EQ(r.evaluations, 40 * 21);
  ASSERT_FALSE(r.pareto.empty());
  for (const auto& p : r.pareto)
    for (const auto& c : r.evaluated) EXPECT_FALSE(weakly_dominates(c, p)) << encode_subnet(p.subnet);
}

// Counts oracle calls: strategies are compared at equal calls, the expensive resource.
class CountingOracle : public ScoreOracle {
 public:
  explicit CountingOracle(std::unique_ptr<ScoreOracle> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  std::string describe() const override { return inner_->describe(); }
  bool is_accuracy() const override { return false; }
  double score(const Subnet& s) override {
    ++calls;
    return inner_->score(s);
  }
  bool skip_infeasible() const override { return skip; }
  int64_t calls = 0;
  bool skip = false;  // as the supernet oracle: not asked about candidates over a limit

 private:
  std::unique_ptr<ScoreOracle> inner_;
};

TEST(Search, RandomSearchScoresItsBudgetOfDistinctCandidatesAndKeepsTheFrontAndLimits) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  CountingOracle oracle(make_proxy_oracle("proxy:macs", fmnist()));
  SearchOptions o;
  o.population = 10;
  o.generations = 4;
  o.max_latency_ns = est.estimate(largest_subnet(fmnist())).latency_ns / 2;
  const SearchResult r = random_search(fmnist(), {&est}, oracle, o);
  EXPECT_EQ(oracle_budget(o), 50);
  EXPECT_EQ(r.evaluated.size(), 50u);
  EXPECT_EQ(oracle.calls, 50);  // each distinct candidate scored once
  ASSERT_FALSE(r.pareto.empty());
  for (const auto& p : r.pareto) {
    EXPECT_LE(p.estimate.latency_ns, o.max_latency_ns);
    for (const auto& c : r.evaluated) EXPECT_FALSE(weakly_dominates(c, p)) << encode_subnet(p.subnet);
  }
  o.oracle_calls = 7;
  EXPECT_EQ(random_search(fmnist(), {&est}, oracle, o).evaluated.size(), 7u);
}

TEST(Search, TpeScoresItsBudgetOnceEachKeepsLimitsAndIsReproducible) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  CountingOracle oracle(make_proxy_oracle("proxy:macs", fmnist()));
  SearchOptions o;
  o.population = 12;
  o.generations = 5;
  o.seed = 4;
  o.max_latency_ns = est.estimate(largest_subnet(fmnist())).latency_ns / 2;
  const SearchResult r = tpe_search(fmnist(), {&est}, oracle, o);
  EXPECT_EQ(r.evaluated.size(), 72u);
  EXPECT_EQ(oracle.calls, 72);
  ASSERT_FALSE(r.pareto.empty());
  for (const auto& p : r.pareto) {
    EXPECT_LE(p.estimate.latency_ns, o.max_latency_ns);
    for (const auto& c : r.evaluated) EXPECT_FALSE(weakly_dominates(c, p)) << encode_subnet(p.subnet);
  }
  const SearchResult again = tpe_search(fmnist(), {&est}, oracle, o);
  ASSERT_EQ(again.evaluated.size(), r.evaluated.size());
  for (size_t i = 0; i < r.evaluated.size(); ++i) EXPECT_EQ(again.evaluated[i].subnet, r.evaluated[i].subnet);
}

// The surrogate learns: after its warm-up, what TPE scores lies closer to the front than
// uniform draws do — a larger share of its candidates is feasible under a tight limit.
TEST(Search, TpeProposalsAreMoreOftenFeasibleThanUniformDraws) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  auto oracle = make_proxy_oracle("proxy:macs", fmnist());
  SearchOptions o;
  o.population = 20;
  o.generations = 9;
  o.max_latency_ns = est.estimate(largest_subnet(fmnist())).latency_ns / 4;
  auto feasible_after_warmup = [&](const SearchResult& r) {
    int n = 0;
    for (size_t i = static_cast<size_t>(o.population); i < r.evaluated.size(); ++i) n += r.evaluated[i].violation == 0;
    return n;
  };
  const int tpe = feasible_after_warmup(tpe_search(fmnist(), {&est}, *oracle, o));
  const int rnd = feasible_after_warmup(random_search(fmnist(), {&est}, *oracle, o));
  EXPECT_GT(tpe, rnd) << "tpe " << tpe << ", random " << rnd;
}

TEST(Search, LatencyAndEnergyLimitsHoldOnTheFront) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  auto oracle = make_proxy_oracle("proxy:params", fmnist());
  const double mid_ns = est.estimate(largest_subnet(fmnist())).latency_ns / 3;
  SearchOptions o;
  o.population = 30;
  o.generations = 15;
  o.max_latency_ns = mid_ns;
  const SearchResult r = nsga2_search(fmnist(), {&est}, *oracle, o);
  ASSERT_FALSE(r.pareto.empty());
  for (const auto& p : r.pareto) EXPECT_LE(p.estimate.latency_ns, mid_ns);
}

TEST(Search, SameSeedSameFront) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  auto oracle = make_proxy_oracle("proxy:macs", fmnist());
  SearchOptions o;
  o.population = 20;
  o.generations = 10;
  o.seed = 5;
  const SearchResult a = nsga2_search(fmnist(), {&est}, *oracle, o);
  const SearchResult b = nsga2_search(fmnist(), {&est}, *oracle, o);
  ASSERT_EQ(a.pareto.size(), b.pareto.size());
  for (size_t i = 0; i < a.pareto.size(); ++i) EXPECT_EQ(a.pareto[i].subnet, b.pareto[i].subnet);
}

TEST(Search, CoDesignFrontKeepsNoPairDominatedByTheSameSubnetOnAFasterArch) {
  const LutTable slow = synthetic_table(1.0, 3.0), fast = synthetic_table(0.25, 1.0);
  const Estimator e_slow(fmnist(), slow), e_fast(fmnist(), fast);
  auto oracle = make_proxy_oracle("proxy:macs", fmnist());
  SearchOptions o;
  o.population = 30;
  o.generations = 15;
  const SearchResult r = nsga2_search(fmnist(), {&e_slow, &e_fast}, *oracle, o);
  ASSERT_FALSE(r.pareto.empty());
  // A subnet on the slow arch is dominated by the same subnet on the fast one, so it can be
  // on the front only if that pair was never evaluated.
  size_t on_fast = 0;
  for (const auto& p : r.pareto) {
    on_fast += p.arch == 1;
    if (p.arch != 0) continue;
    for (const auto& c : r.evaluated) EXPECT_FALSE(c.arch == 1 && c.subnet == p.subnet) << encode_subnet(p.subnet);
  }
  EXPECT_GT(on_fast, 0u);
  bool evaluated_slow = false;
  for (const auto& c : r.evaluated) evaluated_slow |= c.arch == 0;
  EXPECT_TRUE(evaluated_slow);
}

TEST(Search, ProxiesAreNeverCalledAccuracy) {
  for (const char* name : {"proxy:macs", "proxy:params"}) {
    auto o = make_proxy_oracle(name, fmnist());
    EXPECT_FALSE(o->is_accuracy());
    EXPECT_EQ(o->name().find("accuracy"), std::string::npos);
    EXPECT_NE(o->describe().find("not accuracy"), std::string::npos);
  }
  EXPECT_THROW(make_proxy_oracle("supernet", fmnist()), UserError);
}

TEST(Estimator, SteadyStateChargesReprogrammingOnceTheClusterIsTaken) {
  // Every block alone pins 3 macros and costs 1 ns warm, 10 ns cold; the cluster has 7
  // macros, so the first two blocks stay resident and every later one is reprogrammed.
  LutTable t;
  t.metric = "steady";
  t.cim_macros = 7;
  for (const auto& b : all_block_instances(fmnist())) {
    LutEntry e;
    e.latency_ns = 1;
    e.energy_pj = 2;
    e.cold_latency_ns = 10;
    e.cold_energy_pj = 20;
    e.resident_macros = 3;
    t.entries[b.key()] = e;
  }
  const Estimator est(fmnist(), t);
  const Subnet s = largest_subnet(fmnist());
  const auto blocks = static_cast<double>(subnet_blocks(fmnist(), s).size());
  const Estimate e = est.estimate(s);
  EXPECT_DOUBLE_EQ(e.sum_latency_ns, 2 * 1 + (blocks - 2) * 10);
  EXPECT_DOUBLE_EQ(e.sum_energy_pj, 2 * 2 + (blocks - 2) * 20);
  // A cold table ignores residency: every block costs its entry.
  t.metric = "cold";
  const Estimator cold(fmnist(), t);
  EXPECT_DOUBLE_EQ(cold.estimate(s).sum_latency_ns, blocks * 1);
}

// An expensive oracle is not asked about candidates over a limit: they rank by violation
// alone, and the random and TPE budgets count the calls actually made.
TEST(Search, AnOracleThatSkipsInfeasibleCandidatesIsCalledOnlyForFeasibleOnes) {
  const LutTable t = synthetic_table(0.5, 3.0);
  const Estimator est(fmnist(), t);
  SearchOptions o;
  o.population = 10;
  o.generations = 3;
  o.seed = 2;
  o.max_latency_ns = est.estimate(largest_subnet(fmnist())).latency_ns / 2;
  for (const std::string strategy : {"nsga2", "random", "tpe"}) {
    CountingOracle oracle(make_proxy_oracle("proxy:macs", fmnist()));
    oracle.skip = true;
    const SearchResult r = strategy == "nsga2"    ? nsga2_search(fmnist(), {&est}, oracle, o)
                           : strategy == "random" ? random_search(fmnist(), {&est}, oracle, o)
                                                  : tpe_search(fmnist(), {&est}, oracle, o);
    int64_t scored = 0, skipped = 0;
    for (const auto& c : r.evaluated) {
      EXPECT_EQ(c.scored, c.violation == 0) << strategy << " " << encode_subnet(c.subnet);
      scored += c.scored;
      skipped += !c.scored;
    }
    EXPECT_EQ(oracle.calls, scored) << strategy;
    EXPECT_EQ(r.oracle_calls, scored) << strategy;
    EXPECT_GT(skipped, 0) << strategy;  // the limit rules out part of the space
    if (strategy != "nsga2") {
      EXPECT_EQ(scored, oracle_budget(o)) << strategy;  // calls, not draws
    }
    ASSERT_FALSE(r.pareto.empty());
    for (const auto& p : r.pareto) EXPECT_TRUE(p.scored) << strategy;
  }
}
