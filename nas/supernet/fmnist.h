#pragma once
// Fashion-MNIST for supernet training: the four gzipped IDX files of Debian's
// dataset-fashion-mnist, read with zlib into tensors, split into train / validation / test,
// plus the light augmentation the supernet trains with.
//
// Tensors are at::Tensor, which is the same type as torch::Tensor; this header pulls in only
// ATen's Tensor class (about 5 s of compile time instead of 25-40 s for <torch/torch.h>).
#include <cstdint>
#include <random>
#include <string>

#include <ATen/core/Tensor.h>

#include "nas/supernet/train_options.h"  // kFmnistDefaultDir

namespace h4h::nas {

// Mean and standard deviation of the 60000 training pixels scaled to [0, 1]: images are
// normalized to (pixel / 255 - mean) / std.
inline constexpr float kFmnistMean = 0.2860f;
inline constexpr float kFmnistStd = 0.3530f;
// A black (background) pixel after normalization: what augment() pads with.
inline constexpr float kFmnistBlack = -kFmnistMean / kFmnistStd;
inline constexpr int64_t kFmnistClasses = 10;
inline constexpr int64_t kFmnistSide = 28;
inline constexpr int64_t kFmnistTrainCount = 60000;
inline constexpr int64_t kFmnistTestCount = 10000;

struct FmnistSplit {
  at::Tensor images;   // [N, 1, 28, 28] float32, normalized
  at::Tensor labels;   // [N] int64 in [0, 10)
  at::Tensor indices;  // [N] int64: each record's position in its official file
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

struct FmnistData {
  FmnistSplit train;  // the official training set minus `val`, in file order
  FmnistSplit val;    // held out from the training set by a seeded shuffle, in file order
  FmnistSplit test;   // the official test set
};

// Reads `dir`/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (an uncompressed file without
// the .gz suffix is accepted too) and checks each header: IDX magic 2051 (images) or 2049
// (labels), 28x28 images, 60000 training and 10000 test records, labels below 10. A missing,
// truncated or corrupt file, a `val_count` outside [0, training records) or a negative
// `limit` is a UserError naming the file or the argument.
//
// `limit` > 0 keeps only the first `limit` records of each file (tests, smoke runs): only
// they are decompressed, so a file truncated beyond them goes unnoticed. With `limit` = 0
// every byte is read, and trailing bytes after the last record are an error too.
// The validation split is the first `val_count` indices of a Fisher-Yates shuffle of the
// (limited) training records driven by std::mt19937_64(seed): the same seed gives the same
// split on every platform.
FmnistData load_fmnist(const std::string& dir = kFmnistDefaultDir, int64_t val_count = 5000,
                       uint64_t seed = 0, int64_t limit = 0);

// Light augmentation of a normalized batch [N, C, H, W]: each image is flipped horizontally
// with probability 1/2 and shifted by dx, dy drawn uniformly from [-2, 2] (padded by 2 on each
// side with `fill`, then cropped back to H x W at the drawn offset). Returns a new tensor of the
// same shape; the input is not modified. The draws come from `rng` (three per image, in batch
// order), so the same generator state gives the same output.
at::Tensor augment(const at::Tensor& batch, std::mt19937_64& rng, float fill = kFmnistBlack);
// The same with a fresh std::mt19937_64(seed).
at::Tensor augment(const at::Tensor& batch, uint64_t seed, float fill = kFmnistBlack);

}  // namespace h4h::nas
