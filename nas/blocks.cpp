#include "nas/blocks.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace h4h::nas {

const char* to_string(BlockKind k) {
  switch (k) {
    case BlockKind::stem: return "stem";
    case BlockKind::mbconv: return "mbconv";
    case BlockKind::transformer: return "transformer";
    case BlockKind::head: return "head";
  }
  return "?";
}

std::string BlockInstance::key() const {
  switch (kind) {
    case BlockKind::stem:
      return fmt::format("stem:k{}:{}x{}:{}:s{}", kernel, in_channels, in_size, out_channels, stride);
    case BlockKind::mbconv:
      return fmt::format("mbconv:k{}e{}:{}x{}:{}:s{}", kernel, expansion, in_channels, in_size,
                         out_channels, stride);
    case BlockKind::transformer:
      return fmt::format("transformer:t{}m{}:{}x{}", heads, mlp_ratio, in_channels, in_size);
    case BlockKind::head:
      return fmt::format("head:{}x{}:{}:c{}", in_channels, in_size, out_channels, classes);
  }
  return "?";
}

int64_t BlockInstance::macs() const {
  const int64_t in_px = in_size * in_size;
  const int64_t out_px = out_size() * out_size();
  switch (kind) {
    case BlockKind::stem:
      return out_px * out_channels * in_channels * kernel * kernel;
    case BlockKind::mbconv: {
      const int64_t mid = in_channels * expansion;
      const int64_t expand = expansion == 1 ? 0 : in_px * in_channels * mid;
      return expand + out_px * mid * kernel * kernel + out_px * mid * out_channels;
    }
    case BlockKind::transformer: {
      const int64_t c = in_channels, n = in_px;
      // QKV, QKᵀ (heads·N·N·d = N²C), ·V (N²C), projection, FFN up and down.
      return n * c * 3 * c + 2 * n * n * c + n * c * c + 2 * n * c * (mlp_ratio * c);
    }
    case BlockKind::head:
      return in_px * in_channels * out_channels + out_channels * classes;
  }
  return 0;
}

int64_t BlockInstance::params() const {
  switch (kind) {
    case BlockKind::stem:
      return out_channels * in_channels * kernel * kernel + out_channels;
    case BlockKind::mbconv: {
      const int64_t mid = in_channels * expansion;
      const int64_t expand = expansion == 1 ? 0 : in_channels * mid + mid;
      return expand + mid * kernel * kernel + mid + mid * out_channels + out_channels;
    }
    case BlockKind::transformer: {
      const int64_t c = in_channels, hidden = mlp_ratio * in_channels;
      return 2 * c + (3 * c * c + 3 * c) + (c * c + c) + 2 * c + (c * hidden + hidden) + (hidden * c + c);
    }
    case BlockKind::head:
      return in_channels * out_channels + out_channels + out_channels * classes + classes;
  }
  return 0;
}

std::vector<BlockInstance> subnet_blocks(const SearchSpace& sp, const Subnet& s) {
  std::vector<BlockInstance> blocks;
  for_each_block(sp, s, [&](const BlockInstance& b) { blocks.push_back(b); });
  return blocks;
}

int64_t subnet_macs(const SearchSpace& sp, const Subnet& s) {
  int64_t sum = 0;
  for (const auto& b : subnet_blocks(sp, s)) sum += b.macs();
  return sum;
}

int64_t subnet_params(const SearchSpace& sp, const Subnet& s) {
  int64_t sum = 0;
  for (const auto& b : subnet_blocks(sp, s)) sum += b.params();
  return sum;
}

std::vector<BlockInstance> all_block_instances(const SearchSpace& sp) {
  std::map<std::string, BlockInstance> by_key;
  auto add = [&](const BlockInstance& b) { by_key.emplace(b.key(), b); };
  for (int64_t r : sp.resolutions) {
    const auto sizes = sp.stage_input_sizes(r);
    for (int64_t w : sp.stem_widths) {
      BlockInstance stem;
      stem.kind = BlockKind::stem;
      stem.in_channels = sp.in_channels;
      stem.out_channels = w;
      stem.in_size = r;
      stem.stride = sp.stem_stride;
      stem.kernel = sp.stem_kernel;
      add(stem);
    }
    std::vector<int64_t> in_widths = sp.stem_widths;
    for (size_t i = 0; i < sp.stages.size(); ++i) {
      const StageSpace& ss = sp.stages[i];
      const int64_t max_depth = *std::max_element(ss.depths.begin(), ss.depths.end());
      for (int64_t w : ss.widths) {
        BlockInstance b;
        b.out_channels = w;
        for (int64_t k : ss.kernels)
          for (int64_t e : ss.expansions) {
            b.kind = BlockKind::mbconv;
            b.kernel = k;
            b.expansion = e;
            for (int64_t in : in_widths) {  // first block: stride and width change
              b.in_channels = in;
              b.in_size = sizes[i];
              b.stride = ss.stride;
              add(b);
            }
            if (max_depth > 1) {  // later blocks: same shape in and out
              b.in_channels = w;
              b.in_size = conv_out_size(sizes[i], ss.stride);
              b.stride = 1;
              add(b);
            }
          }
        if (ss.kind == StageKind::hybrid && max_depth > 1)
          for (int64_t h : ss.heads)
            for (int64_t m : ss.mlp_ratios) {
              BlockInstance t;
              t.kind = BlockKind::transformer;
              t.in_channels = t.out_channels = w;
              t.in_size = conv_out_size(sizes[i], ss.stride);
              t.heads = h;
              t.mlp_ratio = m;
              add(t);
            }
      }
      in_widths = ss.widths;
    }
    for (int64_t in : in_widths)
      for (int64_t hw : sp.head_widths) {
        BlockInstance head;
        head.kind = BlockKind::head;
        head.in_channels = in;
        head.out_channels = hw;
        head.in_size = sizes.back();
        head.classes = sp.classes;
        add(head);
      }
  }
  std::vector<BlockInstance> out;
  out.reserve(by_key.size());
  for (auto& [k, b] : by_key) out.push_back(b);
  return out;
}

}  // namespace h4h::nas
