#pragma once
// Supernet training and evaluation on Fashion-MNIST.
//
// Two-phase incremental training (H4H-NAS): phase 1 trains the convolutional supernet —
// every hybrid position runs as MBConv — with the sandwich rule (largest, smallest and
// `random_subnets` random subnets each step) and in-place distillation (the largest
// subnet learns from labels, the others from its softened outputs). Phase 2 adds the
// transformer choices and trains the whole hybrid space, keeping what phase 1 learned:
// - learning rates: the inherited weights (stem, MBConv blocks, head) follow one cosine
//   decay over the whole run, times `inherited_lr_scale` in phase 2 (phase 2 continues
//   their decay rather than restarting it: a restart at the peak undid phase 1, and a
//   phase-1 cosine that ended at zero left them ~4 effective epochs of 6 — measured);
//   the transformer weights, new in phase 2, get a full cosine of their own over phase 2;
// - block-type-consistent sampling: each step draws one block type per hybrid position
//   and every subnet of the step — the two anchors (anchor_of_types) and the random ones —
//   follows it, so the MBConv and transformer at one position never pull on the shared
//   path in the same step;
// - norms are separate per type by construction (BatchNorm in MBConv, LayerNorm in
//   transformers, own weights for each).
// The one-phase baseline trains the full hybrid space from scratch for the same number of
// epochs with the same seed and the same type-consistent sandwich: only the phases differ.
//
// Checkpoints are written atomically at the end of every epoch; train_supernet() resumes
// from the checkpoint at `ckpt_path` when one exists (same space and recipe), and every
// epoch reseeds its generators from (seed, epoch), so a resumed run continues exactly as
// an uninterrupted one would.
#include <cstdint>
#include <functional>
#include <string>

#include "nas/search_space.h"
#include "nas/subnet.h"
#include "nas/supernet/fmnist.h"
#include "nas/supernet/supernet.h"
#include "nas/supernet/train_options.h"

namespace h4h::nas {

struct EpochLog {
  int epoch = 0, phase = 1;    // 0: one-phase baseline or stand-alone
  double mean_loss = 0;        // the largest (stand-alone: the trained) subnet's cross-entropy
  double largest_val_acc = 0;  // the same subnet, after BN recalibration (validation split)
  double seconds = 0;           // wall time of the epoch's training steps
  double cpu_seconds = 0;       // CPU time (user + system, all threads) of the same steps:
                                // the compute, whatever else shares the machine
  int min_threads = 0;          // fewest intra-op threads it ran on (other processes' load)
};

// A sandwich anchor with one step's block types: the largest (smallest) subnet, with a
// transformer at the largest (smallest) heads and MLP ratio at each hybrid position where
// use_tf[stage][block] is set (positions beyond the anchor's depth do not exist). In phase
// 2 and in one-phase training both anchors follow the step's draw, like its random
// subnets: the transformer weights then get the label signal through the largest, and
// the shared path is not pulled towards MBConv-only features in every step.
Subnet anchor_of_types(const SearchSpace& space, const std::vector<std::vector<char>>& use_tf,
                       bool largest);

// libtorch's CPU runtime set for training on this machine: every CPU (libtorch counts
// physical cores, 1 on a 2-vCPU VM) and no mmap/munmap of every large tensor (glibc's
// default returned each batch's activations to the kernel; page faults took ~12 % of a
// training step under perf).
void tune_torch_runtime();

// Trains (or resumes) and writes the checkpoint after each epoch; returns the epochs run
// in this call. UserError for a checkpoint of another space or recipe.
std::vector<EpochLog> train_supernet(const SearchSpace& space, const TrainOptions& opts,
                                     const std::string& ckpt_path,
                                     const std::function<void(const EpochLog&)>& on_epoch = {});

// The recipe a checkpoint was trained with (space, epochs, seed, validation split ...), as
// "key=value" pairs; UserError when the file is not a checkpoint.
std::string checkpoint_recipe(const std::string& ckpt_path);
// One value of a recipe ("" when absent).
std::string recipe_value(const std::string& recipe, const std::string& key);

// The data a checkpoint's recipe was trained on: the same train/validation split (its split
// seed, validation size and record limit) and the test set, read from `data_dir`.
FmnistData load_recipe_data(const std::string& recipe, const std::string& data_dir);

// The subnet a stand-alone checkpoint was trained for ("" for a supernet checkpoint).
std::string checkpoint_subnet(const std::string& recipe);

// A trained supernet from a checkpoint (UserError when missing, corrupt or of another space).
Supernet load_supernet(const SearchSpace& space, const std::string& ckpt_path);

// Accuracy (0..1) of subnet `s` with inherited weights on `eval` after recalibrating its
// BatchNorm statistics on `recal_batches` batches of `recal` (training images).
double evaluate_subnet(Supernet& net, const Subnet& s, const FmnistSplit& recal, const FmnistSplit& eval,
                       int recal_batches = 20, int64_t batch = 256);

// Gradient conflict between block types (H4H's premise for two-phase training): the cosine
// of the cross-entropy gradients two subnets put on the weights both use (the shared path:
// stem, MBConv stages, each stage's first block, head), on one batch in training mode.
// 1: they pull the shared weights the same way; <= 0: they conflict.
double gradient_cosine(Supernet& net, const torch::Tensor& images, const torch::Tensor& labels,
                       const Subnet& a, const Subnet& b);

// Per batch of `batch` training images: a random subnet with every hybrid stage at its
// largest depth, its hybrid positions once all MBConv, once all MBConv with other
// kernels/expansions, once all transformers. `cross`: cosine MBConv vs transformer; `same`:
// MBConv vs MBConv, the reference for how much two choices at a position disagree anyway.
struct ConflictReport {
  std::vector<double> cross, same;
};
ConflictReport gradient_conflict(Supernet& net, const SearchSpace& space, const FmnistSplit& train,
                                 int batches, int64_t batch, uint64_t seed);

}  // namespace h4h::nas
