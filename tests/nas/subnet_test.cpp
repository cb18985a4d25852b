// Subnet encodings: stable text that round-trips, validated against the space; sampling,
// mutation and crossover stay inside the space and are reproducible from a seed.
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "tests/nas/nas_test_util.h"

#include "frontend/user_error.h"
#include "nas/blocks.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

using namespace h4h;
using namespace h4h::nas;

namespace {
const SearchSpace& fmnist() { return h4h::test::fmnist_space(); }
const SearchSpace& edge() {
  static const SearchSpace sp = load_search_space(bundled_space_path("h4h_edge"));
  return sp;
}
std::string error_of(const SearchSpace& sp, const std::string& enc) {
  try {
    decode_subnet(sp, enc);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Subnet, EncodingHasTheDocumentedForm) {
  const Subnet s = decode_subnet(fmnist(), "r28_s8_w16-k3e1_w24-k5e6.k3e3_w32-k3e4.t2m2_w48-k5e3.t4m1.k3e6_h128");
  EXPECT_EQ(s.resolution, 28);
  EXPECT_EQ(s.stem_width, 8);
  ASSERT_EQ(s.stages.size(), 4u);
  EXPECT_EQ(s.stages[1].blocks.size(), 2u);
  EXPECT_TRUE(s.stages[2].blocks[1].transformer);
  EXPECT_EQ(s.stages[2].blocks[1].heads, 2);
  EXPECT_EQ(s.stages[2].blocks[1].mlp_ratio, 2);
  EXPECT_EQ(s.stages[3].blocks[0].kernel, 5);
  EXPECT_EQ(s.head_width, 128);
}

TEST(Subnet, EncodeDecodeRoundTripsForRandomSubnets) {
  std::mt19937_64 rng(7);
  for (const SearchSpace* sp : {&fmnist(), &edge()})
    for (int i = 0; i < 500; ++i) {
      const Subnet s = sample_subnet(*sp, rng);
      const std::string enc = encode_subnet(s);
      EXPECT_EQ(decode_subnet(*sp, enc), s) << enc;
      EXPECT_EQ(encode_subnet(decode_subnet(*sp, enc)), enc);
    }
}

TEST(Subnet, SamplingIsReproducibleFromTheSeed) {
  std::mt19937_64 a(42), b(42);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sample_subnet(edge(), a), sample_subnet(edge(), b));
}

TEST(Subnet, SamplingReachesEveryBlockTypeAndDepth) {
  std::mt19937_64 rng(1);
  std::set<size_t> depths;
  int transformers = 0, mbconvs_in_hybrid = 0;
  for (int i = 0; i < 2000; ++i) {
    const Subnet s = sample_subnet(fmnist(), rng);
    depths.insert(s.stages[2].blocks.size());
    for (size_t j = 1; j < s.stages[2].blocks.size(); ++j)
      (s.stages[2].blocks[j].transformer ? transformers : mbconvs_in_hybrid)++;
  }
  EXPECT_EQ(depths, (std::set<size_t>{1, 2, 3}));
  EXPECT_GT(transformers, 100);
  EXPECT_GT(mbconvs_in_hybrid, 100);
}

TEST(Subnet, MutationAndCrossoverStayInTheSpace) {
  std::mt19937_64 rng(3);
  int changed = 0;
  for (int i = 0; i < 500; ++i) {
    const Subnet a = sample_subnet(edge(), rng), b = sample_subnet(edge(), rng);
    const Subnet m = mutate_subnet(edge(), a, 0.2, rng);
    const Subnet c = crossover_subnets(a, b, rng);
    EXPECT_NO_THROW(check_subnet(edge(), m)) << encode_subnet(m);
    EXPECT_NO_THROW(check_subnet(edge(), c)) << encode_subnet(c);
    changed += !(m == a);
  }
  EXPECT_GT(changed, 400);
  std::mt19937_64 r2(3);
  const Subnet a = sample_subnet(edge(), r2);
  EXPECT_EQ(mutate_subnet(edge(), a, 0.0, r2), a);
}

TEST(Subnet, LargestAndSmallestAreMembers) {
  for (const SearchSpace* sp : {&fmnist(), &edge()}) {
    EXPECT_NO_THROW(check_subnet(*sp, largest_subnet(*sp)));
    EXPECT_NO_THROW(check_subnet(*sp, smallest_subnet(*sp)));
  }
  EXPECT_EQ(encode_subnet(smallest_subnet(fmnist())),
            "r24_s8_w16-k3e1_w24-k3e3_w32-k3e3_w48-k3e3_h128");
}

TEST(Subnet, BadEncodingsNameThePartAtFault) {
  struct Case { const char* enc; const char* expect; };
  const Case cases[] = {
      {"", "empty"},
      {"r28_s8", "expected r<resolution>"},
      {"r27_s8_w16-k3e1_w24-k3e3_w32-k3e3_w48-k3e3_h128", "resolution 27 is not in the space (24, 28)"},
      {"r28_s8_w16-k3e1_w24-k3e3_w32-k3e3_h128", "has 3 stages"},
      {"r28_s8_w16-k3e1_w24-k3e3_w32-t2m2_w48-k3e3_h128", "stage 2 block 0: the first block of a stage is an MBConv"},
      {"r28_s8_w16-k3e1.t2m1_w24-k3e3_w32-k3e3_w48-k3e3_h128", "stage 0 block 1: transformer blocks exist only in hybrid stages"},
      {"r28_s8_w16-k3e1_w24-k3e3_w32-k3e3.t3m1_w48-k3e3_h128", "stage 2 block 1: 3 heads is not a choice (2, 4)"},
      {"r28_s8_w16-k3e1_w24-k7e3_w32-k3e3_w48-k3e3_h128", "stage 1 block 0: kernel 7 is not a choice"},
      {"r28_s8_w16-k3e1_w24-k3e3.k3e3.k3e3.k3e3_w32-k3e3_w48-k3e3_h128", "stage 1: depth 4 is not a choice"},
      {"r28_s8_w16-x3_w24-k3e3_w32-k3e3_w48-k3e3_h128", "'x3' is not a block"},
      {"r28_s8_16-k3e1_w24-k3e3_w32-k3e3_w48-k3e3_h128", "'16-k3e1' is not w<width>"},
      {"r28_s8_w16-k3e1_w24-k3e3_w32-k3e3_w48-k3e3_h99", "head width 99 is not in the space"},
  };
  for (const auto& c : cases) {
    const std::string e = error_of(fmnist(), c.enc);
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.enc << "\n got: " << e;
  }
}

// Stratified sampling puts one subnet in each equal-width bin of the key's range (from the
// smallest subnet's key to the largest's), where uniform draws crowd the middle.
TEST(Subnet, StratifiedSamplingPutsOneSubnetInEachBinOfTheKeysRange) {
  const SearchSpace& sp = fmnist();
  auto macs = [&](const Subnet& s) { return static_cast<double>(subnet_macs(sp, s)); };
  const int n = 10;
  std::mt19937_64 rng(11);
  const std::vector<Subnet> picked = sample_stratified(sp, n, 5000, macs, rng);
  ASSERT_EQ(picked.size(), static_cast<size_t>(n));
  std::set<std::string> distinct;
  for (const Subnet& s : picked) {
    check_subnet(sp, s);
    distinct.insert(encode_subnet(s));
  }
  EXPECT_EQ(distinct.size(), picked.size());
  // The bins over the range the pool spans: each bin's pick falls in it, in order.
  std::mt19937_64 pool_rng(11);
  double lo = macs(smallest_subnet(sp)), hi = macs(largest_subnet(sp));
  for (int i = 0; i < 5000; ++i) {
    const double m = macs(sample_subnet(sp, pool_rng));
    lo = std::min(lo, m);
    hi = std::max(hi, m);
  }
  const double width = (hi - lo) / n;
  int in_own_bin = 0;
  for (int b = 0; b < n; ++b) {
    const double m = macs(picked[static_cast<size_t>(b)]);
    in_own_bin += m >= lo + width * b - 1 && m <= lo + width * (b + 1) + 1;
  }
  // An empty bin takes the nearest draw instead; the top of the range is sparse.
  EXPECT_GE(in_own_bin, n - 2);
  // Uniform draws of the same size miss the top of the range.
  std::mt19937_64 uni(11);
  double uniform_max = 0, stratified_max = 0;
  for (int i = 0; i < n; ++i) uniform_max = std::max(uniform_max, macs(sample_subnet(sp, uni)));
  for (const Subnet& s : picked) stratified_max = std::max(stratified_max, macs(s));
  EXPECT_GT(stratified_max, uniform_max);
  // Reproducible from the seed.
  std::mt19937_64 again(11);
  const std::vector<Subnet> twice = sample_stratified(sp, n, 5000, macs, again);
  for (int i = 0; i < n; ++i)
    EXPECT_EQ(picked[static_cast<size_t>(i)], twice[static_cast<size_t>(i)]);
}
