#include "nas/supernet/supernet.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace h4h::nas {

namespace {
int64_t max_of(const std::vector<int64_t>& v) { return *std::max_element(v.begin(), v.end()); }
namespace F = torch::nn::functional;
}  // namespace

torch::Tensor SupernetImpl::conv_weight(const std::string& name, std::vector<int64_t> shape, int64_t fan_in) {
  // Kaiming-normal for the largest shape; slices inherit its scale.
  auto w = torch::randn(shape) * std::sqrt(2.0 / static_cast<double>(fan_in));
  return register_parameter(name, w);
}

SupernetImpl::Bn SupernetImpl::make_bn(const std::string& name, int64_t c) {
  Bn b;
  b.weight = register_parameter(name + "_w", torch::ones({c}));
  b.bias = register_parameter(name + "_b", torch::zeros({c}));
  b.mean = register_buffer(name + "_mean", torch::zeros({c}));
  b.var = register_buffer(name + "_var", torch::ones({c}));
  return b;
}

SupernetImpl::SupernetImpl(const SearchSpace& sp) : space_(sp) {
  const int64_t stem_max = max_of(sp.stem_widths);
  stem_w_ = conv_weight("stem_w", {stem_max, sp.in_channels, sp.stem_kernel, sp.stem_kernel},
                        sp.in_channels * sp.stem_kernel * sp.stem_kernel);
  stem_bn_ = make_bn("stem_bn", stem_max);
  shared_ = {stem_w_, stem_bn_.weight, stem_bn_.bias};
  int64_t prev_max = stem_max;
  for (size_t i = 0; i < sp.stages.size(); ++i) {
    const StageSpace& st = sp.stages[i];
    const int64_t w_max = max_of(st.widths), d_max = max_of(st.depths);
    mb_.emplace_back();
    tf_.emplace_back();
    for (int64_t j = 0; j < d_max; ++j) {
      const std::string p = fmt::format("s{}b{}_", i, j);
      MbconvWeights m;
      m.in_max = j == 0 ? prev_max : w_max;
      m.out_max = w_max;
      m.mid_max = m.in_max * max_of(st.expansions);
      m.k_max = max_of(st.kernels);
      m.expand = conv_weight(p + "expand", {m.mid_max, m.in_max, 1, 1}, m.in_max);
      m.expand_bn = make_bn(p + "expand_bn", m.mid_max);
      m.dw = conv_weight(p + "dw", {m.mid_max, 1, m.k_max, m.k_max}, m.k_max * m.k_max);
      m.dw_bn = make_bn(p + "dw_bn", m.mid_max);
      m.project = conv_weight(p + "project", {m.out_max, m.mid_max, 1, 1}, m.mid_max);
      m.project_bn = make_bn(p + "project_bn", m.out_max);
      for (auto* t : {&m.expand, &m.expand_bn.weight, &m.expand_bn.bias, &m.dw, &m.dw_bn.weight,
                      &m.dw_bn.bias, &m.project, &m.project_bn.weight, &m.project_bn.bias})
        shared_.push_back(*t);
      if (std::find(st.expansions.begin(), st.expansions.end(), 1) != st.expansions.end()) {
        m.dw1 = conv_weight(p + "dw1", {m.in_max, 1, m.k_max, m.k_max}, m.k_max * m.k_max);
        m.dw1_bn = make_bn(p + "dw1_bn", m.in_max);
        m.project1 = conv_weight(p + "project1", {m.out_max, m.in_max, 1, 1}, m.in_max);
        m.project1_bn = make_bn(p + "project1_bn", m.out_max);
        for (auto* t : {&m.dw1, &m.dw1_bn.weight, &m.dw1_bn.bias, &m.project1,
                        &m.project1_bn.weight, &m.project1_bn.bias})
          shared_.push_back(*t);
      }
      mb_.back().push_back(m);
      TransformerWeights t;
      if (st.kind == StageKind::hybrid && j > 0) {
        const int64_t c = w_max, h = c * max_of(st.mlp_ratios);
        t.c_max = c;
        t.hidden_max = h;
        auto lin = [&](const std::string& n, int64_t out, int64_t in) {
          return register_parameter(p + n, torch::randn({out, in}) * std::sqrt(1.0 / static_cast<double>(in)));
        };
        t.ln1_w = register_parameter(p + "ln1_w", torch::ones({c}));
        t.ln1_b = register_parameter(p + "ln1_b", torch::zeros({c}));
        for (int64_t heads : st.heads) {
          t.qkv_w.push_back(lin(fmt::format("qkv{}_w", heads), 3 * c, c));
          t.qkv_b.push_back(
              register_parameter(p + fmt::format("qkv{}_b", heads), torch::zeros({3 * c})));
        }
        // Residual branches start near zero so a fresh transformer barely disturbs the
        // network it joins (phase 2 inserts them into a trained convolutional supernet).
        t.proj_w = register_parameter(p + "proj_w", torch::randn({c, c}) * (0.1 / std::sqrt(static_cast<double>(c))));
        t.proj_b = register_parameter(p + "proj_b", torch::zeros({c}));
        t.ln2_w = register_parameter(p + "ln2_w", torch::ones({c}));
        t.ln2_b = register_parameter(p + "ln2_b", torch::zeros({c}));
        t.fc1_w = lin("fc1_w", h, c);
        t.fc1_b = register_parameter(p + "fc1_b", torch::zeros({h}));
        t.fc2_w = register_parameter(p + "fc2_w", torch::randn({c, h}) * (0.1 / std::sqrt(static_cast<double>(h))));
        t.fc2_b = register_parameter(p + "fc2_b", torch::zeros({c}));
        for (auto* x : {&t.ln1_w, &t.ln1_b, &t.proj_w, &t.proj_b, &t.ln2_w, &t.ln2_b, &t.fc1_w,
                        &t.fc1_b, &t.fc2_w, &t.fc2_b})
          transformer_.push_back(*x);
        for (size_t h = 0; h < st.heads.size(); ++h) {
          transformer_.push_back(t.qkv_w[h]);
          transformer_.push_back(t.qkv_b[h]);
        }
      }
      tf_.back().push_back(t);
    }
    prev_max = w_max;
  }
  const int64_t head_max = max_of(sp.head_widths);
  head_w_ = conv_weight("head_w", {head_max, prev_max, 1, 1}, prev_max);
  head_bn_ = make_bn("head_bn", head_max);
  fc_w_ = register_parameter("fc_w", torch::randn({sp.classes, head_max}) * std::sqrt(1.0 / static_cast<double>(head_max)));
  fc_b_ = register_parameter("fc_b", torch::zeros({sp.classes}));
  for (auto* t : {&head_w_, &head_bn_.weight, &head_bn_.bias, &fc_w_, &fc_b_}) shared_.push_back(*t);
  // Pointers are taken once every vector has its final size.
  bns_.push_back(&stem_bn_);
  for (auto& stage : mb_)
    for (auto& m : stage)
      for (Bn* b : {&m.expand_bn, &m.dw_bn, &m.project_bn, &m.dw1_bn, &m.project1_bn})
        if (b->weight.defined()) bns_.push_back(b);
  bns_.push_back(&head_bn_);
}

std::vector<torch::Tensor> SupernetImpl::parameters_of(ParamGroup g) {
  return g == ParamGroup::shared ? shared_ : transformer_;
}

void SupernetImpl::reset_bn_stats() {
  torch::NoGradGuard ng;
  for (Bn* b : bns_) {
    b->mean.zero_();
    b->var.fill_(1);
  }
}

torch::Tensor SupernetImpl::bn(const torch::Tensor& x, Bn& b, int64_t c) {
  // Slices of the running statistics are views: updates in training mode land in the
  // leading channels of the full buffers.
  return torch::batch_norm(x, b.weight.narrow(0, 0, c), b.bias.narrow(0, 0, c), b.mean.narrow(0, 0, c),
                           b.var.narrow(0, 0, c), is_training(), bn_momentum_, 1e-5, false);
}

torch::Tensor SupernetImpl::mbconv(const torch::Tensor& x, MbconvWeights& w, const BlockChoice& c, int64_t out,
                                   int64_t stride) {
  const int64_t in = x.size(1), mid = in * c.expansion, k = c.kernel;
  torch::Tensor h = x;
  const bool plain = c.expansion == 1;  // no expand conv: weights of its own (see the header)
  if (!plain) {
    h = torch::conv2d(h, w.expand.narrow(0, 0, mid).narrow(1, 0, in));
    h = torch::hardswish(bn(h, w.expand_bn, mid));
  }
  // Elastic kernel: the centre k×k of the largest kernel.
  const int64_t off = (w.k_max - k) / 2;
  const auto dw = (plain ? w.dw1 : w.dw).narrow(0, 0, mid).narrow(2, off, k).narrow(3, off, k);
  h = torch::conv2d(h, dw, {}, stride, k / 2, 1, mid);
  h = torch::hardswish(bn(h, plain ? w.dw1_bn : w.dw_bn, mid));
  h = torch::conv2d(h, (plain ? w.project1 : w.project).narrow(0, 0, out).narrow(1, 0, mid));
  h = bn(h, plain ? w.project1_bn : w.project_bn, out);
  if (stride == 1 && in == out) h = h + x;
  return h;
}

torch::Tensor SupernetImpl::transformer(const torch::Tensor& x, TransformerWeights& w,
                                        const BlockChoice& c,
                                        const std::vector<int64_t>& head_choices) {
  const int64_t b = x.size(0), ch = x.size(1), hh = x.size(2), ww = x.size(3), n = hh * ww;
  const int64_t heads = c.heads, d = ch / heads, hidden = c.mlp_ratio * ch;
  torch::Tensor t = x.flatten(2).transpose(1, 2);  // [B, N, C]
  auto ln = [&](const torch::Tensor& v, const torch::Tensor& g, const torch::Tensor& bb) {
    return torch::layer_norm(v, {ch}, g.narrow(0, 0, ch), bb.narrow(0, 0, ch), 1e-5);
  };
  const torch::Tensor a = ln(t, w.ln1_w, w.ln1_b);
  // q, k, v: the leading `ch` rows of each third of this head count's fused projection.
  const size_t hi = static_cast<size_t>(std::find(head_choices.begin(), head_choices.end(), heads) -
                                        head_choices.begin());
  const torch::Tensor& qkv_w = w.qkv_w.at(hi);
  const torch::Tensor& qkv_b = w.qkv_b.at(hi);
  auto part = [&](int64_t i) {
    return torch::linear(a, qkv_w.narrow(0, i * w.c_max, ch).narrow(1, 0, ch),
                         qkv_b.narrow(0, i * w.c_max, ch))
        .view({b, n, heads, d})
        .transpose(1, 2);  // [B, heads, N, d]
  };
  const torch::Tensor q = part(0), k = part(1), v = part(2);
  const torch::Tensor att = torch::softmax(torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(d)), -1);
  torch::Tensor ctx = torch::matmul(att, v).transpose(1, 2).reshape({b, n, ch});
  t = t + torch::linear(ctx, w.proj_w.narrow(0, 0, ch).narrow(1, 0, ch), w.proj_b.narrow(0, 0, ch));
  torch::Tensor f = torch::linear(ln(t, w.ln2_w, w.ln2_b), w.fc1_w.narrow(0, 0, hidden).narrow(1, 0, ch),
                                  w.fc1_b.narrow(0, 0, hidden));
  f = torch::gelu(f);
  f = torch::linear(f, w.fc2_w.narrow(0, 0, ch).narrow(1, 0, hidden), w.fc2_b.narrow(0, 0, ch));
  t = t + f;
  return t.transpose(1, 2).reshape({b, ch, hh, ww});
}

torch::Tensor SupernetImpl::forward(const torch::Tensor& images, const Subnet& s) {
  torch::Tensor x = images;
  if (x.size(2) != s.resolution || x.size(3) != s.resolution)
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{s.resolution, s.resolution})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  const int64_t k = space_.stem_kernel;
  x = torch::conv2d(x, stem_w_.narrow(0, 0, s.stem_width), {}, space_.stem_stride, k / 2);
  x = torch::hardswish(bn(x, stem_bn_, s.stem_width));
  // Channels-last from here on: oneDNN's depthwise and 1x1 convolutions run ~2x faster on
  // NHWC than on NCHW on this CPU (a training step 0.90 -> 0.47 s, measured), and a
  // transformer's [B, N, C] token view of an NHWC map is free.
  x = x.contiguous(torch::MemoryFormat::ChannelsLast);
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageChoice& st = s.stages[i];
    for (size_t j = 0; j < st.blocks.size(); ++j) {
      const BlockChoice& c = st.blocks[j];
      if (c.transformer)
        x = transformer(x, tf_[i][j], c, space_.stages[i].heads);
      else x = mbconv(x, mb_[i][j], c, st.width, j == 0 ? space_.stages[i].stride : 1);
    }
  }
  x = torch::conv2d(x, head_w_.narrow(0, 0, s.head_width).narrow(1, 0, x.size(1)));
  x = torch::hardswish(bn(x, head_bn_, s.head_width));
  x = x.mean({2, 3});
  return torch::linear(x, fc_w_.narrow(1, 0, s.head_width), fc_b_);
}

int64_t SupernetImpl::deployment_params(const Subnet& s) const {
  // Counted from the slices forward() takes, with each BatchNorm folded into one bias per
  // channel — independently of blocks.cpp's formulas, which a test compares it with.
  int64_t n = 0;
  const int64_t k = space_.stem_kernel;
  n += s.stem_width * space_.in_channels * k * k + s.stem_width;
  int64_t in = s.stem_width;
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageChoice& st = s.stages[i];
    for (size_t j = 0; j < st.blocks.size(); ++j) {
      const BlockChoice& c = st.blocks[j];
      if (c.transformer) {
        const int64_t ch = in, h = c.mlp_ratio * ch;
        n += 2 * ch + 3 * ch * ch + 3 * ch + ch * ch + ch + 2 * ch + h * ch + h + ch * h + ch;
      } else {
        const int64_t mid = in * c.expansion;
        if (c.expansion != 1) n += mid * in + mid;
        n += mid * c.kernel * c.kernel + mid;
        n += st.width * mid + st.width;
        in = st.width;
      }
    }
  }
  n += s.head_width * in + s.head_width;
  n += space_.classes * s.head_width + space_.classes;
  return n;
}

}  // namespace h4h::nas
