#pragma once
// The search's accuracy oracle: a subnet's top-1 accuracy with weights inherited from a
// trained supernet, after BatchNorm recalibration, on the validation split held out from
// the training set (never the test set, which is kept for final numbers). It is not asked
// about candidates over the search's limits (skip_infeasible).
#include <memory>
#include <string>
#include <unordered_map>

#include "nas/search.h"
#include "nas/supernet/fmnist.h"
#include "nas/supernet/trainer.h"

namespace h4h::nas {

struct OracleOptions {
  std::string data_dir = kFmnistDefaultDir;
  int64_t val_images = 5000;   // of the validation split (all of the default split)
  int recal_batches = 20;      // of 256 training images (as `nas eval`)
  uint64_t seed = 1;           // of the train/validation split: the training recipe's seed
  int64_t val_count = 5000;    // the split's size: the training recipe's
};

std::unique_ptr<ScoreOracle> make_supernet_oracle(const SearchSpace& space, const std::string& ckpt_path,
                                                  const OracleOptions& opts);

}  // namespace h4h::nas
