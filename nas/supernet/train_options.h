#pragma once
// The supernet's training recipe and where its data lives, without libtorch: the CLI
// declares `nas train` / `nas eval` options (and their --help) from these in every build,
// also the one that hands the commands to h4hsim-torch (cli/cmd_nas_train.cpp).
#include <cstdint>
#include <string>

namespace h4h::nas {

// Where dataset-fashion-mnist installs the files.
inline constexpr const char* kFmnistDefaultDir = "/usr/share/datasets/fashion-mnist";

// Peak learning rates. The supernet's was tuned on seed 1 by bench_supernet.sh's ablation
// stage (two-phase, mean validation accuracy over its 26-subnet panel: 83.30 / 86.78 / 88.58 /
// 88.88 % at 1.5e-3 / 3e-3 / 6e-3 / 1.2e-2; it was 3e-3 before); the stand-alone reference
// keeps the rate every stand-alone figure so far was trained with.
inline constexpr double kSupernetLr = 1.2e-2;
inline constexpr double kStandaloneLr = 3e-3;

struct TrainOptions {
  std::string data_dir = kFmnistDefaultDir;
  // The default recipe fits the 30-minute budget on a 2-core machine.
  int epochs = 11;
  int phase1_epochs = 6;   // two-phase only; 0 < phase1 < epochs
  bool one_phase = false;  // the baseline
  int64_t batch = 256;
  // AdamW peak; cosine decay (the schedule: trainer.h). 0: the tuned default of the mode,
  // kSupernetLr or, for a stand-alone subnet, kStandaloneLr (with_defaults).
  double lr = 0;
  double weight_decay = 1e-4;
  double inherited_lr_scale = 0.5;
  int random_subnets = 2;  // per sandwich step (plus the largest and the smallest)
  uint64_t seed = 1;
  // The train/validation split's seed; 0: `seed`'s. Fixed across seeds, it keeps an ablation's
  // validation images the same while weights, sampling and data order change.
  uint64_t split_seed = 0;
  int64_t val_count = 5000;         // held out from the training set for the search
  int64_t limit = 0;                // > 0: only the first `limit` records of each file (tests)
  int64_t max_steps_per_epoch = 0;  // > 0: cut epochs short (tests)
  // Intra-op threads: 0 (default) follows the CPUs other processes leave free, measured
  // every ~2 s (nas/cpu_share.h); N > 0 fixes the pool at N for bit-identical reruns
  // (reductions split by thread count round differently). Not part of the recipe: a
  // checkpoint resumes under any value.
  int threads = 0;
  bool progress = true;
  bool stop_after_epoch = false;  // tests: stop (as if killed) after the next epoch
  // Non-empty: stand-alone training of this one subnet (an encoding) from scratch — plain
  // cross-entropy, no sandwich, no phases, cosine over all epochs — the reference the
  // supernet's inherited-weight ranking is compared with.
  std::string subnet;
};

// `o` with its mode's defaults filled in (what a checkpoint's recipe records).
inline TrainOptions with_defaults(TrainOptions o) {
  if (o.lr == 0) o.lr = o.subnet.empty() ? kSupernetLr : kStandaloneLr;
  return o;
}

}  // namespace h4h::nas
