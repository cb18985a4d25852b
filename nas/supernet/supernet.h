#pragma once
// Supernet: the weight-sharing hybrid CNN/ViT network of a SearchSpace (libtorch). Every
// subnet of the space runs on slices of one set of weights:
// - MBConv blocks are elastic in kernel (centre crop of the largest kernel), expansion and
//   width (leading channels of the largest tensors) and depth (a stage runs its first d
//   blocks);
// - transformer blocks are elastic in embed width (leading features), heads (q/k/v weights
//   of their own per head count: the head dimension width / heads changes with it) and MLP
//   ratio (leading hidden units); an MBConv with expansion 1 (no expand conv) has its own
//   depthwise and projection weights, which see the block input rather than expanded features;
// - at a hybrid position (a hybrid stage's block after the first) both block types exist,
//   each with its own weights and norms (BatchNorm in MBConv, LayerNorm in transformers),
//   so the two types never share a normalization statistic.
// Norms: BatchNorm keeps running statistics of the largest width; a subnet uses their
// leading slices and is recalibrated (recalibrate_bn) before it is evaluated.
// Parameter count: deployment_params() counts the active slices in the form the ONNX
// builder emits (BatchNorm folded into a per-channel conv bias), so it equals
// subnet_params() for every subnet.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "nas/search_space.h"
#include "nas/subnet.h"

namespace h4h::nas {

// Which weights a parameter belongs to, for per-group learning rates in phase 2.
enum class ParamGroup { shared, transformer };

class SupernetImpl : public torch::nn::Module {
 public:
  explicit SupernetImpl(const SearchSpace& space);

  // Logits [N, classes] of subnet `s` on images [N, C, H, W] (resized to s.resolution).
  torch::Tensor forward(const torch::Tensor& images, const Subnet& s);

  int64_t deployment_params(const Subnet& s) const;
  const SearchSpace& space() const { return space_; }

  // Parameters by group: MBConv, stem and head weights (trained in phase 1) vs transformer.
  std::vector<torch::Tensor> parameters_of(ParamGroup g);
  // Every BatchNorm running statistic reset (before recalibration).
  void reset_bn_stats();
  // Sets the momentum BatchNorm uses in training mode (recalibration uses 1/(i+1)).
  void set_bn_momentum(double m) { bn_momentum_ = m; }

 private:
  struct Bn {
    torch::Tensor weight, bias, mean, var;
  };
  struct MbconvWeights {
    int64_t in_max = 0, out_max = 0, mid_max = 0, k_max = 0;
    torch::Tensor expand, dw, project;
    Bn expand_bn, dw_bn, project_bn;
    // Expansion 1 (no expand conv): the depthwise conv sees the block's input, not expanded
    // features, so it has its own depthwise and projection weights.
    torch::Tensor dw1, project1;
    Bn dw1_bn, project1_bn;
  };
  struct TransformerWeights {
    int64_t c_max = 0, hidden_max = 0;
    torch::Tensor ln1_w, ln1_b, proj_w, proj_b, ln2_w, ln2_b, fc1_w, fc1_b, fc2_w, fc2_b;
    // q/k/v per head count (index: the stage's heads choices): the head dimension is
    // width / heads, so a row means something else under 2 and 4 heads.
    std::vector<torch::Tensor> qkv_w, qkv_b;
  };
  Bn make_bn(const std::string& name, int64_t c);
  torch::Tensor conv_weight(const std::string& name, std::vector<int64_t> shape, int64_t fan_in);
  torch::Tensor bn(const torch::Tensor& x, Bn& b, int64_t c);
  torch::Tensor mbconv(const torch::Tensor& x, MbconvWeights& w, const BlockChoice& c, int64_t out, int64_t stride);
  torch::Tensor transformer(const torch::Tensor& x, TransformerWeights& w, const BlockChoice& c,
                            const std::vector<int64_t>& head_choices);

  SearchSpace space_;
  double bn_momentum_ = 0.1;
  torch::Tensor stem_w_;
  Bn stem_bn_;
  std::vector<std::vector<MbconvWeights>> mb_;          // [stage][block]
  std::vector<std::vector<TransformerWeights>> tf_;     // [stage][block]; block 0 unused
  torch::Tensor head_w_, fc_w_, fc_b_;
  Bn head_bn_;
  std::vector<torch::Tensor> shared_, transformer_;
  std::vector<Bn*> bns_;
};
TORCH_MODULE(Supernet);

}  // namespace h4h::nas
