#pragma once
// Subnet: one network of a SearchSpace, and its compact, stable text encoding.
//
// Encoding (printable, parseable, one token per choice, `_` between parts):
//   r<resolution>_s<stem width>_<stage>_..._h<head width>
//   stage = w<width>-<block>.<block>...   (depth = number of blocks)
//   block = k<kernel>e<expansion>         MBConv
//         | t<heads>m<mlp ratio>          transformer (MHSA + FFN)
// e.g. r224_s16_w16-k3e1_w24-k3e4.k5e6_..._w64-k3e6.t8m2.k5e4_h1792
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "nas/search_space.h"

namespace h4h::nas {

struct BlockChoice {
  bool transformer = false;
  int64_t kernel = 0, expansion = 0;   // MBConv
  int64_t heads = 0, mlp_ratio = 0;    // transformer
  bool operator==(const BlockChoice& o) const {
    return transformer == o.transformer && kernel == o.kernel && expansion == o.expansion &&
           heads == o.heads && mlp_ratio == o.mlp_ratio;
  }
};

struct StageChoice {
  int64_t width = 0;
  std::vector<BlockChoice> blocks;
  bool operator==(const StageChoice& o) const { return width == o.width && blocks == o.blocks; }
};

struct Subnet {
  int64_t resolution = 0, stem_width = 0, head_width = 0;
  std::vector<StageChoice> stages;
  bool operator==(const Subnet& o) const {
    return resolution == o.resolution && stem_width == o.stem_width &&
           head_width == o.head_width && stages == o.stages;
  }
};

std::string encode_subnet(const Subnet& s);
// Parses and checks every choice against the space; UserError naming the part at fault.
Subnet decode_subnet(const SearchSpace& space, const std::string& text);
// UserError when `s` is not a member of `space` (e.g. built by hand).
void check_subnet(const SearchSpace& space, const Subnet& s);

Subnet largest_subnet(const SearchSpace& space);   // every choice at its maximum
Subnet smallest_subnet(const SearchSpace& space);  // every choice at its minimum, MBConv only

// Uniform over each choice (depth first, then each block's type and options).
Subnet sample_subnet(const SearchSpace& space, std::mt19937_64& rng);
// `n` subnets spread over the range of `key` (e.g. estimated latency) from the smallest
// subnet's to the largest's: the range is cut into n equal-width bins and each bin gets one
// subnet drawn uniformly from the random subnets (of `pool` drawn) that fall in it; an
// empty bin takes the unused draw nearest its centre. Uniform draws crowd the middle of the
// range; a rank correlation measured on them says little about the ends, where a search's
// budgets usually bind. Distinct subnets; fewer than n only when the pool has fewer.
std::vector<Subnet> sample_stratified(const SearchSpace& space, int n, int pool,
                                      const std::function<double(const Subnet&)>& key,
                                      std::mt19937_64& rng);
// Re-draws each choice with probability `rate` (depth changes keep the existing blocks).
Subnet mutate_subnet(const SearchSpace& space, const Subnet& s, double rate, std::mt19937_64& rng);
// Uniform crossover: each top-level choice and each stage from either parent.
Subnet crossover_subnets(const Subnet& a, const Subnet& b, std::mt19937_64& rng);

}  // namespace h4h::nas
