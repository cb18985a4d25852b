// The weight-sharing supernet: every subnet instantiates with the ONNX builder's parameter
// count, training on a small slice lowers the loss, a seed reproduces a run, a killed run
// resumes from its checkpoint to the same weights, stand-alone training trains one subnet's
// slices only, and bad checkpoints are clear errors.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "nas/blocks.h"
#include "nas/supernet/accuracy_oracle.h"
#include "nas/supernet/trainer.h"

using namespace h4h;
using namespace h4h::nas;
namespace fs = std::filesystem;

namespace {
const SearchSpace& fmnist() {
  static const SearchSpace sp = load_search_space(bundled_space_path("h4h_fmnist"));
  return sp;
}
std::string tmp(const std::string& name) {
  return (fs::path(::testing::TempDir()) / ("supernet_" + std::to_string(::getpid()) + "_" + name)).string();
}
// A few hundred images, a few steps: what CI can afford. One thread per test process,
// since ctest runs two at once on two cores.
TrainOptions small_recipe() {
  torch::set_num_threads(1);
  TrainOptions o;
  o.threads = 1;  // a fixed pool: weights compared bit for bit, whatever else runs
  o.limit = 480;
  o.val_count = 96;
  o.batch = 32;
  o.lr = 5e-3;
  o.epochs = 3;
  o.phase1_epochs = 2;
  o.max_steps_per_epoch = 8;
  o.progress = false;
  o.seed = 3;
  return o;
}
// One epoch per phase, two steps each: enough to compare weights bit for bit.
TrainOptions two_short_epochs() {
  TrainOptions o = small_recipe();
  o.epochs = 2;
  o.phase1_epochs = 1;
  o.max_steps_per_epoch = 2;
  return o;
}
bool same_weights(Supernet& a, Supernet& b) {
  auto pa = a->named_parameters(), pb = b->named_parameters();
  for (const auto& item : pa)
    if (!torch::equal(item.value(), pb[item.key()])) return false;
  return true;
}
}  // namespace

TEST(Supernet, EverySubnetHasTheOnnxBuildersParameterCount) {
  torch::manual_seed(0);
  Supernet net(fmnist());
  std::mt19937_64 rng(5);
  std::vector<Subnet> subnets = {largest_subnet(fmnist()), smallest_subnet(fmnist())};
  for (int i = 0; i < 40; ++i) subnets.push_back(sample_subnet(fmnist(), rng));
  for (const auto& s : subnets) EXPECT_EQ(net->deployment_params(s), subnet_params(fmnist(), s)) << encode_subnet(s);
}

TEST(Supernet, EverySubnetRunsAndGivesOneLogitPerClass) {
  torch::manual_seed(0);
  Supernet net(fmnist());
  net->eval();
  torch::NoGradGuard ng;
  std::mt19937_64 rng(6);
  const auto x = torch::randn({3, 1, 28, 28});
  for (int i = 0; i < 12; ++i) {
    const Subnet s = sample_subnet(fmnist(), rng);
    const auto y = net->forward(x, s);
    EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 10})) << encode_subnet(s);
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>()) << encode_subnet(s);
  }
}

TEST(Supernet, TrainingOnASmallSliceLowersTheLossAndBeatsChance) {
  const TrainOptions o = small_recipe();
  const std::string ckpt = tmp("loss.ckpt");
  fs::remove(ckpt);
  const auto logs = train_supernet(fmnist(), o, ckpt);
  ASSERT_EQ(logs.size(), 3u);
  EXPECT_EQ(logs[0].phase, 1);
  EXPECT_EQ(logs[2].phase, 2);
  EXPECT_LT(logs[2].mean_loss, logs[0].mean_loss);
  // Each epoch's compute is measured as CPU time: positive, and no more than every CPU busy
  // for the whole epoch (plus the clock's granularity).
  for (const EpochLog& l : logs) {
    EXPECT_GT(l.cpu_seconds, 0.0);
    EXPECT_LE(l.cpu_seconds, l.seconds * std::max(1u, std::thread::hardware_concurrency()) + 0.05);
  }
  // Inherited weights, BN recalibrated: better than chance (0.1) on held-out images.
  Supernet net = load_supernet(fmnist(), ckpt);
  const FmnistData d = load_fmnist(kFmnistDefaultDir, o.val_count, o.seed, o.limit);
  const double acc = evaluate_subnet(net, largest_subnet(fmnist()), d.train, d.val, 4, 64);
  EXPECT_GT(acc, 0.25);
  EXPECT_LE(acc, 1.0);
  fs::remove(ckpt);
}

TEST(Supernet, SameSeedTrainsTheSameWeights) {
  const TrainOptions o = two_short_epochs();
  const std::string a = tmp("a.ckpt"), b = tmp("b.ckpt");
  fs::remove(a);
  fs::remove(b);
  train_supernet(fmnist(), o, a);
  train_supernet(fmnist(), o, b);
  Supernet na = load_supernet(fmnist(), a), nb = load_supernet(fmnist(), b);
  EXPECT_TRUE(same_weights(na, nb));
  fs::remove(a);
  fs::remove(b);
}

TEST(Supernet, AKilledRunResumesFromItsCheckpointToTheSameWeights) {
  const TrainOptions o = two_short_epochs();
  const std::string whole = tmp("whole.ckpt"), cut = tmp("cut.ckpt");
  fs::remove(whole);
  fs::remove(cut);
  train_supernet(fmnist(), o, whole);
  TrainOptions first = o;
  first.stop_after_epoch = true;  // as if killed after the first checkpoint
  EXPECT_EQ(train_supernet(fmnist(), first, cut).size(), 1u);
  const auto rest = train_supernet(fmnist(), o, cut);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].epoch, 2);
  Supernet nw = load_supernet(fmnist(), whole), nc = load_supernet(fmnist(), cut);
  EXPECT_TRUE(same_weights(nw, nc));
  // Nothing but the checkpoints is left behind.
  for (const auto& e : fs::directory_iterator(fs::path(cut).parent_path()))
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  fs::remove(whole);
  fs::remove(cut);
}

TEST(Supernet, BadCheckpointsAndRecipesAreClearErrors) {
  const std::string junk = tmp("junk.ckpt");
  std::ofstream(junk) << "not a checkpoint";
  EXPECT_THROW(load_supernet(fmnist(), junk), UserError);
  EXPECT_THROW(load_supernet(fmnist(), tmp("missing.ckpt")), UserError);
  // A checkpoint of one recipe is not resumed with another.
  TrainOptions o = small_recipe();
  o.epochs = 2;
  o.phase1_epochs = 1;
  o.max_steps_per_epoch = 1;
  const std::string ck = tmp("recipe.ckpt");
  fs::remove(ck);
  train_supernet(fmnist(), o, ck);
  o.lr *= 2;
  try {
    train_supernet(fmnist(), o, ck);
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("another recipe"), std::string::npos) << e.what();
  }
  TrainOptions bad = small_recipe();
  bad.phase1_epochs = 3;  // not < epochs
  EXPECT_THROW(train_supernet(fmnist(), bad, tmp("x.ckpt")), UserError);
  // One epoch cannot hold two phases: said as such, not as an empty --phase1-epochs range.
  TrainOptions one_epoch = small_recipe();
  one_epoch.epochs = 1;
  one_epoch.phase1_epochs = 1;
  try {
    train_supernet(fmnist(), one_epoch, tmp("x.ckpt"));
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--epochs 1: two-phase training needs at least 2 epochs"),
              std::string::npos)
        << e.what();
  }
  fs::remove(junk);
  fs::remove(ck);
}

TEST(Supernet, StandAloneTrainingMovesOnlyItsSubnetsWeightsAndLowersItsLoss) {
  TrainOptions o = small_recipe();
  o.epochs = 2;
  o.subnet = encode_subnet(smallest_subnet(fmnist()));  // conv only: no transformer weight is used
  const std::string ck = tmp("standalone.ckpt");
  fs::remove(ck);
  const auto logs = train_supernet(fmnist(), o, ck);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0].phase, 0);
  EXPECT_LT(logs[1].mean_loss, logs[0].mean_loss);
  EXPECT_EQ(checkpoint_subnet(checkpoint_recipe(ck)), o.subnet);
  torch::manual_seed(o.seed);
  Supernet fresh(fmnist());
  Supernet trained = load_supernet(fmnist(), ck);
  auto before = fresh->named_parameters();
  int moved = 0;
  for (const auto& p : trained->named_parameters()) {
    const bool same = torch::equal(p.value(), before[p.key()]);
    // Transformer weights (and the unused tails of sliced tensors) never see a gradient.
    if (p.key().find("qkv") != std::string::npos || p.key().find("fc1") != std::string::npos) {
      EXPECT_TRUE(same) << p.key();
    }
    moved += same ? 0 : 1;
  }
  EXPECT_GT(moved, 10);
  // A stand-alone checkpoint is not a supernet: the search refuses it by name.
  try {
    make_supernet_oracle(fmnist(), ck, OracleOptions{});
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("stand-alone"), std::string::npos) << e.what();
  }
  fs::remove(ck);
}

TEST(Supernet, DefaultLearningRateIsTheModesTunedOneAndTheRecipeRecordsIt) {
  EXPECT_EQ(with_defaults(TrainOptions{}).lr, kSupernetLr);
  TrainOptions alone;
  alone.subnet = "smallest";
  EXPECT_EQ(with_defaults(alone).lr, kStandaloneLr);
  alone.lr = 1e-3;  // given: kept
  EXPECT_EQ(with_defaults(alone).lr, 1e-3);
  TrainOptions o = small_recipe();
  o.lr = 0;
  o.epochs = 2;
  o.phase1_epochs = 1;
  o.max_steps_per_epoch = 1;
  const std::string ckpt = tmp("default_lr.ckpt");
  fs::remove(ckpt);
  train_supernet(fmnist(), o, ckpt);
  EXPECT_NE(checkpoint_recipe(ckpt).find(fmt::format(" lr={} ", kSupernetLr)), std::string::npos)
      << checkpoint_recipe(ckpt);
  fs::remove(ckpt);
}

TEST(Supernet, StandAloneTrainingOfABadEncodingIsAUserError) {
  TrainOptions o = small_recipe();
  o.subnet = "r28_nonsense";
  EXPECT_THROW(train_supernet(fmnist(), o, tmp("bad_subnet.ckpt")), UserError);
  EXPECT_FALSE(fs::exists(tmp("bad_subnet.ckpt")));
}

// d = width / heads: a q/k/v row means something else under 2 and 4 heads, so each head
// count has its own projection; expansion 1 skips the expand conv, so its depthwise and
// projection see the block input and have weights of their own.
TEST(Supernet, EachHeadCountHasItsOwnQkvAndExpansionOneItsOwnDepthwise) {
  torch::set_num_threads(1);
  torch::manual_seed(5);
  Supernet net(fmnist());
  Subnet s = largest_subnet(fmnist());
  s.stages[0].blocks[0].expansion = 1;  // stage 0 offers expansion 1
  BlockChoice t;
  t.transformer = true;
  t.heads = 2;
  t.mlp_ratio = 1;
  s.stages[2].blocks[1] = t;  // a hybrid position
  check_subnet(fmnist(), s);
  net->forward(torch::rand({4, 1, 28, 28}), s).sum().backward();
  auto grad_moves = [&](const std::string& name) {
    const auto p = net->named_parameters()[name];
    return p.grad().defined() && p.grad().abs().sum().item<double>() > 0;
  };
  EXPECT_TRUE(grad_moves("s2b1_qkv2_w"));
  EXPECT_FALSE(grad_moves("s2b1_qkv4_w"));
  EXPECT_TRUE(grad_moves("s0b0_dw1"));
  EXPECT_TRUE(grad_moves("s0b0_project1"));
  EXPECT_FALSE(grad_moves("s0b0_dw"));
  EXPECT_FALSE(grad_moves("s0b0_expand"));
  // Every subnet still has the ONNX builder's parameter count (the extra weights are
  // alternatives, never used together).
  EXPECT_EQ(net->deployment_params(s), subnet_params(fmnist(), s));
}

TEST(Supernet, SandwichAnchorsFollowTheStepsBlockTypes) {
  const SearchSpace& sp = fmnist();
  std::vector<std::vector<char>> none(sp.stages.size(), std::vector<char>(3, 0)), all = none;
  for (size_t i = 0; i < sp.stages.size(); ++i)
    if (sp.stages[i].kind == StageKind::hybrid) std::fill(all[i].begin(), all[i].end(), 1);
  EXPECT_EQ(encode_subnet(anchor_of_types(sp, none, true)), encode_subnet(largest_subnet(sp)));
  EXPECT_EQ(encode_subnet(anchor_of_types(sp, none, false)), encode_subnet(smallest_subnet(sp)));
  const Subnet big = anchor_of_types(sp, all, true), small = anchor_of_types(sp, all, false);
  check_subnet(sp, big);
  check_subnet(sp, small);
  int transformers = 0;
  for (size_t i = 0; i < sp.stages.size(); ++i)
    for (size_t j = 0; j < big.stages[i].blocks.size(); ++j) {
      const BlockChoice& b = big.stages[i].blocks[j];
      // Block 0 of a stage changes the width: always MBConv.
      EXPECT_EQ(b.transformer, sp.stages[i].kind == StageKind::hybrid && j > 0) << i << "." << j;
      if (b.transformer) {
        ++transformers;
        EXPECT_EQ(b.heads, 4);
        EXPECT_EQ(b.mlp_ratio, 2);
      }
    }
  EXPECT_EQ(transformers, 4);  // two hybrid stages of depth 3
  // The smallest has depth 1 in the hybrid stages: no position to fill.
  EXPECT_EQ(encode_subnet(small), encode_subnet(smallest_subnet(sp)));
}

// --split-seed fixes the validation images across seeds (an ablation's seeds are then
// scored on the same split); the checkpoint's recipe carries it to `nas eval` and the oracle.
TEST(Supernet, SplitSeedKeepsTheValidationSplitAcrossSeeds) {
  TrainOptions o = two_short_epochs();
  o.epochs = 2;
  o.max_steps_per_epoch = 1;
  const std::string a = tmp("split_a.ckpt"), b = tmp("split_b.ckpt"), c = tmp("split_c.ckpt");
  for (const auto& f : {a, b, c}) fs::remove(f);
  o.seed = 3;
  o.split_seed = 7;
  train_supernet(fmnist(), o, a);
  o.seed = 4;
  train_supernet(fmnist(), o, b);
  o.split_seed = 0;
  train_supernet(fmnist(), o, c);
  const FmnistData da = load_recipe_data(checkpoint_recipe(a), o.data_dir),
                   db = load_recipe_data(checkpoint_recipe(b), o.data_dir),
                   dc = load_recipe_data(checkpoint_recipe(c), o.data_dir);
  ASSERT_GT(da.val.size(), 0);
  EXPECT_TRUE(torch::equal(da.val.images, db.val.images));
  EXPECT_FALSE(torch::equal(db.val.images, dc.val.images));  // seed 4's own split
  // Different seeds still train different weights.
  Supernet na = load_supernet(fmnist(), a), nb = load_supernet(fmnist(), b);
  EXPECT_FALSE(same_weights(na, nb));
  for (const auto& f : {a, b, c}) fs::remove(f);
}

// The conflict measurement: a subnet's gradient against itself has cosine 1; the report has
// one cosine per batch for each pair, each in [-1, 1].
TEST(Supernet, GradientConflictReportsOneCosinePerBatchInRange) {
  torch::set_num_threads(1);
  torch::manual_seed(2);
  Supernet net(fmnist());
  const FmnistData data = load_fmnist(kFmnistDefaultDir, 96, 3, 480);
  const torch::Tensor x = data.train.images.narrow(0, 0, 32),
                      y = data.train.labels.narrow(0, 0, 32);
  const Subnet s = largest_subnet(fmnist());
  EXPECT_NEAR(gradient_cosine(net, x, y, s, s), 1.0, 1e-9);
  const ConflictReport r = gradient_conflict(net, fmnist(), data.train, 3, 32, 5);
  ASSERT_EQ(r.cross.size(), 3u);
  ASSERT_EQ(r.same.size(), 3u);
  for (double v : r.cross) EXPECT_TRUE(v >= -1 && v <= 1) << v;
  for (double v : r.same) EXPECT_TRUE(v >= -1 && v <= 1) << v;
  // The transformer changes what the head sees more than another kernel does.
  EXPECT_NE(r.cross[0], r.same[0]);
}
