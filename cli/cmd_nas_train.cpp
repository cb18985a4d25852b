// `h4hsim nas train|eval`: the weight-sharing supernet (libtorch) — two-phase incremental
// training on Fashion-MNIST, and a subnet's accuracy with inherited weights.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/file_args.h"
#include "cli/nas_common.h"
#include "cli/number_flags.h"
#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "nas/subnet.h"
#include "nas/supernet/train_options.h"
#ifdef H4H_HAVE_TORCH
#include "nas/supernet/trainer.h"
#endif

namespace h4h::cli {

// Both commands declare their options in every build, so `--help` lists them; without
// libtorch in this binary the callback hands the command line to h4hsim-torch (see
// cli/CMakeLists.txt), which parses it again.
void register_nas_train(CLI::App& nas) {
  struct Args {
    std::string space = "h4h_fmnist", out;
    nas::TrainOptions o;
    bool quiet = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = nas.add_subcommand("train", "Train the weight-sharing supernet of a space (two-phase incremental)");
  auto files = std::make_shared<FileArgs>(cmd);
  files->input("--space", a->space, "Space YAML or bundled name (default h4h_fmnist)");
  cmd->add_option("--data", a->o.data_dir, "Fashion-MNIST directory (Debian's dataset-fashion-mnist)");
  cmd->add_option("--epochs,-e", a->o.epochs, "Epochs in all")->check(CLI::Range(1, 10000));
  auto* phase1 = cmd->add_option("--phase1-epochs", a->o.phase1_epochs,
                                 "Epochs of phase 1 (the convolutional supernet; default: half of --epochs, rounded up)")
                     ->check(CLI::Range(1, 10000));
  cmd->add_flag("--one-phase", a->o.one_phase, "Baseline: the full hybrid space from scratch, one phase");
  cmd->add_option("--subnet", a->o.subnet,
                  "Stand-alone: train only this subnet (encoding, 'largest' or 'smallest') from scratch")
      ->excludes("--one-phase");
  cmd->add_option("--batch", a->o.batch, "Batch size")->check(CLI::Range(1, 65536));
  // The default depends on the mode (0 in TrainOptions until with_defaults): shown as the
  // supernet's, with the stand-alone one in the text.
  cmd->add_option(
         "--lr", a->o.lr,
         fmt::format("Peak learning rate (AdamW, cosine decay); {} for a --subnet trained alone",
                     nas::kStandaloneLr))
      ->check(positive_number())
      ->default_str(fmt::format("{}", nas::kSupernetLr));
  cmd->add_option("--inherited-lr-scale", a->o.inherited_lr_scale, "Phase 2 learning rate of inherited weights")
      ->check(number_in(0.0, 1.0));
  cmd->add_option("--random-subnets", a->o.random_subnets,
                  "Random subnets per sandwich step, besides the largest and the smallest")
      ->check(CLI::Range(0, 16));
  cmd->add_option("--seed", a->o.seed, "Seed (weights, sampling, data order, validation split)");
  cmd->add_option("--split-seed", a->o.split_seed,
                  "Seed of the train/validation split alone (0: --seed's); fixed across seeds, the "
                  "validation images stay the same");
  cmd->add_option("--limit", a->o.limit, "Use only the first N records of each file (smoke runs)")
      ->check(CLI::Range(int64_t{0}, int64_t{60000}));
  cmd->add_option("--val-count", a->o.val_count, "Validation images held out of the training set")
      ->check(CLI::Range(int64_t{0}, int64_t{59000}));
  cmd->add_option("--max-steps", a->o.max_steps_per_epoch, "Cut every epoch to N steps (smoke runs)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  // Read and written: a checkpoint of the same recipe is resumed. Checked as an output only.
  files->output("--out,-o", a->out, "Checkpoint; an existing one of the same recipe is resumed")->required();
  cmd->add_option("--threads", a->o.threads,
                  "Intra-op threads; 0: every CPU other processes leave free, re-measured every "
                  "2 s; N: exactly N, for bit-identical reruns")
      ->check(CLI::Range(0, 1024));
  cmd->add_flag("--quiet,-q", a->quiet, "No progress bar");
#ifndef H4H_HAVE_TORCH
  (void)phase1;
  // The callback owns the options' storage (CLI11 writes into it while parsing).
  cmd->callback([a, files]() { exec_torch_variant("nas train"); });
#else
  cmd->callback([a, phase1, files]() {
    const nas::SearchSpace sp = load_space_arg(a->space);
    if (is_stdout_path(a->out))
      throw UserError("--out -: a checkpoint is resumed in place and cannot be standard output; give a file");
    files->check();  // now, not at the end of the first epoch's minutes
    a->o.progress = !a->quiet;
    if (phase1->count() == 0) a->o.phase1_epochs = (a->o.epochs + 1) / 2;
    if (a->o.one_phase) a->o.phase1_epochs = 0;
    if (!a->o.subnet.empty()) a->o.subnet = nas::encode_subnet(subnet_arg(sp, a->o.subnet));
    nas::tune_torch_runtime();
    const std::string mode = !a->o.subnet.empty() ? "stand-alone" : a->o.one_phase ? "one phase" : "phase ";
    const std::string who = a->o.subnet.empty() ? "largest subnet" : "subnet";
    const auto start = std::chrono::steady_clock::now();
    const auto logs = nas::train_supernet(sp, a->o, a->out, [&](const nas::EpochLog& l) {
      const double wall_s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cout << fmt::format(
                       "epoch {} ({}): {} loss {:.4f}, validation accuracy {:.2f}%, {:.0f} s "
                       "(wall {:.0f} s since start, {} thread{} at least, {:.0f} CPU s)\n",
                       l.epoch, l.phase == 0 ? mode : mode + std::to_string(l.phase), who,
                       l.mean_loss, 100 * l.largest_val_acc, l.seconds, wall_s, l.min_threads,
                       l.min_threads == 1 ? "" : "s", l.cpu_seconds)
                << std::flush;
    });
    std::cout << fmt::format("{}: {} epochs trained in this run (recipe {} epochs)\n", a->out, logs.size(), a->o.epochs);
  });
#endif

  struct EvalArgs {
    std::string space = "h4h_fmnist", ckpt, subnet, data = nas::kFmnistDefaultDir, split = "test";
    int recal_batches = 20;
  };
  auto e = std::make_shared<EvalArgs>();
  auto* ev = nas.add_subcommand("eval", "Accuracy of a subnet with inherited supernet weights (BN recalibrated)");
  ev->add_option("--space", e->space, "Space YAML or bundled name (default h4h_fmnist)");
  ev->add_option("--ckpt", e->ckpt, "Supernet checkpoint (nas train)")->required();
  ev->add_option("--subnet", e->subnet, "Subnet encoding, or 'largest' / 'smallest'")->required();
  ev->add_option("--data", e->data, "Fashion-MNIST directory");
  ev->add_option("--split", e->split, "test (final numbers) or val (what the search uses)")
      ->check(CLI::IsMember({"test", "val"}));
  ev->add_option("--recal-batches", e->recal_batches, "Training batches (256) for BN recalibration")
      ->check(CLI::Range(1, 1000));
#ifndef H4H_HAVE_TORCH
  ev->callback([e]() { exec_torch_variant("nas eval"); });
#else
  ev->callback([e]() {
    const nas::SearchSpace sp = load_space_arg(e->space);
    const nas::Subnet s = subnet_arg(sp, e->subnet);
    const std::string recipe = nas::checkpoint_recipe(e->ckpt);
    const std::string trained = nas::checkpoint_subnet(recipe);
    if (!trained.empty() && trained != nas::encode_subnet(s))
      throw UserError(fmt::format("{}: a stand-alone checkpoint of {}; it says nothing about {}", e->ckpt, trained,
                                  nas::encode_subnet(s)));
    nas::tune_torch_runtime();
    nas::Supernet net = nas::load_supernet(sp, e->ckpt);
    const nas::FmnistData data = nas::load_recipe_data(recipe, e->data);
    const nas::FmnistSplit& split = e->split == "test" ? data.test : data.val;
    const double acc = nas::evaluate_subnet(net, s, data.train, split, e->recal_batches, 256);
    std::cout << fmt::format("{}: {} accuracy {:.2f}% on {} images ({} parameters)\n", nas::encode_subnet(s), e->split,
                             100 * acc, split.size(), net->deployment_params(s));
  });
#endif

  struct ConflictArgs {
    std::string space = "h4h_fmnist", ckpt, data = nas::kFmnistDefaultDir;
    int batches = 20;
    uint64_t seed = 1;
  };
  auto c = std::make_shared<ConflictArgs>();
  auto* cf = nas.add_subcommand(
      "conflict",
      "Gradient conflict between block types: cosine of the shared weights' gradients, MBConv vs "
      "transformer at the hybrid positions (and MBConv vs MBConv for reference)");
  cf->add_option("--space", c->space, "Space YAML or bundled name (default h4h_fmnist)");
  cf->add_option("--ckpt", c->ckpt, "Supernet checkpoint (nas train)")->required();
  cf->add_option("--data", c->data, "Fashion-MNIST directory");
  cf->add_option("--batches", c->batches, "Batches of 256 training images, one random subnet each")
      ->check(CLI::Range(2, 100000));
  cf->add_option("--seed", c->seed, "Seed of the subnets and batches");
#ifndef H4H_HAVE_TORCH
  cf->callback([c]() { exec_torch_variant("nas conflict"); });
#else
  cf->callback([c]() {
    const nas::SearchSpace sp = load_space_arg(c->space);
    const std::string recipe = nas::checkpoint_recipe(c->ckpt);
    if (!nas::checkpoint_subnet(recipe).empty())
      throw UserError(
          fmt::format("{}: a stand-alone checkpoint of one subnet, not a supernet", c->ckpt));
    nas::tune_torch_runtime();
    nas::Supernet net = nas::load_supernet(sp, c->ckpt);
    const nas::FmnistData data = nas::load_recipe_data(recipe, c->data);
    const nas::ConflictReport r =
        nas::gradient_conflict(net, sp, data.train, c->batches, 256, c->seed);
    auto summary = [](const std::vector<double>& v) {
      const double n = static_cast<double>(v.size());
      double m = 0, ss = 0;
      for (double x : v) m += x / n;
      for (double x : v) ss += (x - m) * (x - m);
      // Normal 95 % interval of the mean over batches (n >= 2).
      return fmt::format("mean {:+.3f} (95 % interval +-{:.3f}), min {:+.3f}", m,
                         1.96 * std::sqrt(ss / (n - 1) / n), *std::min_element(v.begin(), v.end()));
    };
    std::cout << fmt::format(
        "gradient cosine on the shared weights, {} batches of 256 training images, {}:\n"
        "  MBConv vs transformer at every hybrid position: {}\n"
        "  MBConv vs MBConv (other kernel / expansion):    {}\n",
        c->batches, c->ckpt, summary(r.cross), summary(r.same));
  });
#endif
}

}  // namespace h4h::cli
