#pragma once
// BlockInstance: one block of a subnet with everything that fixes its cost — kind, choice,
// input channels and spatial size, output channels, stride. A subnet is a chain of them
// (stem, stage blocks, head); the LUT holds one entry per distinct instance of a space.
// The analytical MAC and parameter counts here are the space's own, written from the
// block definitions, and tested against the frontend's counts of the built ONNX.
#include <cstdint>
#include <string>
#include <vector>

#include "nas/search_space.h"
#include "nas/subnet.h"

namespace h4h::nas {

enum class BlockKind { stem, mbconv, transformer, head };
const char* to_string(BlockKind k);

struct BlockInstance {
  BlockKind kind = BlockKind::mbconv;
  int64_t in_channels = 0, out_channels = 0;  // head: out = head width
  int64_t in_size = 0;                        // square spatial size of the input
  int64_t stride = 1;
  int64_t kernel = 0, expansion = 0;          // stem (kernel), MBConv
  int64_t heads = 0, mlp_ratio = 0;           // transformer
  int64_t classes = 0;                        // head

  int64_t out_size() const { return conv_out_size(in_size, stride); }
  bool residual() const {
    return kind == BlockKind::transformer ||
           (kind == BlockKind::mbconv && stride == 1 && in_channels == out_channels);
  }
  // Stable, human-readable LUT key, e.g. "mbconv:k5e6:24x56:32:s2".
  std::string key() const;
  // The same identity packed in 64 bits (for hash lookups in the estimator).
  uint64_t packed_key() const;
  int64_t macs() const;    // frontend convention: conv and GEMM MACs, batch 1
  int64_t params() const;  // deployment form (BN folded into biases)
};

inline uint64_t BlockInstance::packed_key() const {
  // Field widths follow the space limits (channels ≤ 2^14, head width ≤ 2^16,
  // resolution ≤ 4096, stride ≤ 4, kernel ≤ 15, heads ≤ 256, ratios ≤ 16); classes are
  // fixed per space and left out.
  const bool tf = kind == BlockKind::transformer;
  const auto a = static_cast<uint64_t>(tf ? heads : kernel);
  const auto e = static_cast<uint64_t>(tf ? mlp_ratio : expansion);
  uint64_t k = static_cast<uint64_t>(kind);                    // 2 bits
  k = (k << 15) | static_cast<uint64_t>(in_channels);          // 15
  k = (k << 17) | static_cast<uint64_t>(out_channels);         // 17
  k = (k << 13) | static_cast<uint64_t>(in_size);              // 13
  k = (k << 3) | static_cast<uint64_t>(stride);                // 3
  k = (k << 9) | a;                                            // 9
  k = (k << 5) | (e & 31);                                     // 5
  return k;
}

// Calls fn(const BlockInstance&) for each block of a subnet, stem to head, in order,
// without allocating (the estimator's hot path).
template <typename Fn>
void for_each_block(const SearchSpace& sp, const Subnet& s, Fn&& fn) {
  BlockInstance b;
  b.kind = BlockKind::stem;
  b.in_channels = sp.in_channels;
  b.out_channels = s.stem_width;
  b.in_size = s.resolution;
  b.stride = sp.stem_stride;
  b.kernel = sp.stem_kernel;
  fn(static_cast<const BlockInstance&>(b));
  int64_t ch = b.out_channels, size = b.out_size();
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageChoice& st = s.stages[i];
    for (size_t j = 0; j < st.blocks.size(); ++j) {
      const BlockChoice& c = st.blocks[j];
      b = BlockInstance{};
      b.kind = c.transformer ? BlockKind::transformer : BlockKind::mbconv;
      b.in_channels = ch;
      b.out_channels = st.width;
      b.in_size = size;
      b.stride = j == 0 ? sp.stages[i].stride : 1;
      b.kernel = c.kernel;
      b.expansion = c.expansion;
      b.heads = c.heads;
      b.mlp_ratio = c.mlp_ratio;
      fn(static_cast<const BlockInstance&>(b));
      ch = b.out_channels;
      size = b.out_size();
    }
  }
  b = BlockInstance{};
  b.kind = BlockKind::head;
  b.in_channels = ch;
  b.out_channels = s.head_width;
  b.in_size = size;
  b.classes = sp.classes;
  fn(static_cast<const BlockInstance&>(b));
}

// The blocks of a subnet, stem to head, in order.
std::vector<BlockInstance> subnet_blocks(const SearchSpace& space, const Subnet& s);
int64_t subnet_macs(const SearchSpace& space, const Subnet& s);
int64_t subnet_params(const SearchSpace& space, const Subnet& s);

// Every distinct block instance any subnet of the space can contain (sorted by key).
std::vector<BlockInstance> all_block_instances(const SearchSpace& space);

}  // namespace h4h::nas
