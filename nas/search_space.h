#pragma once
// SearchSpace: a hybrid CNN/ViT supernet space in the NASViT/AttentiveNAS family, as H4H
// searches it. A conv stem; stages of MBConv (inverted residual) blocks; later "hybrid"
// stages whose block type is chosen per layer (MBConv or transformer: MHSA + FFN); a head.
// Choices: input resolution, stem width, per stage width and depth, per block kernel and
// expansion (MBConv) or heads and MLP ratio (transformer), head width.
//
// Rules every subnet follows (they make shapes and counts well defined):
// - the first block of every stage is an MBConv: it carries the stage's stride and width
//   change (NASViT downsamples with MBConv too); the others keep shape and are residual;
// - a transformer block's embed width is its stage's width; heads must divide it;
// - convs pad k/2, so a stride-s conv on H gives ceil(H/s) (ONNX/PyTorch semantics);
// - BatchNorm is folded into conv biases (deployment form): parameters are the weights and
//   biases of convs and linears plus LayerNorm scales and shifts.
#include <cstdint>
#include <string>
#include <vector>

namespace h4h::nas {

enum class StageKind { mbconv, hybrid };

struct StageSpace {
  StageKind kind = StageKind::mbconv;
  std::vector<int64_t> widths;       // output channels (= transformer embed width)
  std::vector<int64_t> depths;       // blocks
  int64_t stride = 1;                // of the stage's first block
  std::vector<int64_t> kernels;      // MBConv depthwise kernel sizes
  std::vector<int64_t> expansions;   // MBConv expansion ratios
  std::vector<int64_t> heads;        // transformer heads (hybrid only)
  std::vector<int64_t> mlp_ratios;   // transformer FFN ratios (hybrid only)

  // Distinct choices of one block after the first: (k, e) pairs, plus (heads, mlp) pairs.
  int64_t inner_block_choices() const;
};

struct SearchSpace {
  std::string name;
  std::string origin;                 // file it came from
  int64_t in_channels = 0;
  int64_t classes = 0;
  std::vector<int64_t> resolutions;   // square inputs
  std::vector<int64_t> stem_widths;
  int64_t stem_kernel = 3;
  int64_t stem_stride = 1;
  std::vector<StageSpace> stages;
  std::vector<int64_t> head_widths;   // 1x1 conv before pooling

  // Number of distinct subnets (as a double: spaces exceed 2^64) and its log10.
  double subnet_count() const;
  double log10_subnet_count() const;
  // Spatial size after the stem and after each stage, for one input resolution.
  int64_t size_after_stem(int64_t resolution) const;
  std::vector<int64_t> stage_input_sizes(int64_t resolution) const;
};

// Reads and validates a space; every mistake is a UserError naming the YAML path.
SearchSpace parse_search_space(const std::string& yaml_text, const std::string& origin);
SearchSpace load_search_space(const std::string& path);

// The spaces shipped in nas/spaces/ (for `h4hsim list` and defaults).
std::string bundled_space_path(const std::string& name);

inline int64_t conv_out_size(int64_t in, int64_t stride) { return (in + stride - 1) / stride; }

}  // namespace h4h::nas
