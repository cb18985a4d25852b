#include "nas/supernet/accuracy_oracle.h"

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h::nas {

namespace {

FmnistData load_split(const std::string& ckpt, const std::string& dir) {
  const std::string recipe = checkpoint_recipe(ckpt);
  if (!checkpoint_subnet(recipe).empty())
    throw UserError(fmt::format("{}: a stand-alone checkpoint of one subnet ({}), not a supernet; the search "
                                "needs `h4hsim nas train` without --subnet", ckpt, checkpoint_subnet(recipe)));
  return load_recipe_data(recipe, dir);
}

class SupernetOracle : public ScoreOracle {
 public:
  SupernetOracle(const SearchSpace& sp, const std::string& ckpt, const OracleOptions& o)
      : space_(sp), ckpt_(ckpt), opts_(o), data_(load_split(ckpt, o.data_dir)), net_(load_supernet(sp, ckpt)) {
    tune_torch_runtime();
    const int64_t n = std::min<int64_t>(o.val_images, data_.val.size());
    val_.images = data_.val.images.narrow(0, 0, n);
    val_.labels = data_.val.labels.narrow(0, 0, n);
  }
  std::string name() const override { return "val_accuracy"; }
  std::string describe() const override {
    return fmt::format("top-1 accuracy with inherited weights from {} on {} validation images (BN recalibrated)",
                       ckpt_, val_.size());
  }
  bool is_accuracy() const override { return true; }
  bool skip_infeasible() const override { return true; }
  double score(const Subnet& s) override {
    const std::string key = encode_subnet(s);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const double acc = evaluate_subnet(net_, s, data_.train, val_, opts_.recal_batches, 256);
    cache_.emplace(key, acc);
    return acc;
  }

 private:
  const SearchSpace& space_;
  std::string ckpt_;
  OracleOptions opts_;
  FmnistData data_;  // first: a stand-alone checkpoint is refused before the weights load
  Supernet net_;
  FmnistSplit val_;
  std::unordered_map<std::string, double> cache_;
};

}  // namespace

std::unique_ptr<ScoreOracle> make_supernet_oracle(const SearchSpace& space, const std::string& ckpt_path,
                                                  const OracleOptions& opts) {
  return std::make_unique<SupernetOracle>(space, ckpt_path, opts);
}

}  // namespace h4h::nas
