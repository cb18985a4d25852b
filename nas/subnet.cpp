#include "nas/subnet.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h::nas {

namespace {

std::string encode_block(const BlockChoice& b) {
  return b.transformer ? fmt::format("t{}m{}", b.heads, b.mlp_ratio)
                       : fmt::format("k{}e{}", b.kernel, b.expansion);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return parts;
}

bool contains(const std::vector<int64_t>& v, int64_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string list(const std::vector<int64_t>& v) { return fmt::format("{}", fmt::join(v, ", ")); }

// Reads `<letter><digits>` from `text` at `pos`; -1 when it is not there.
int64_t read_number(const std::string& text, size_t& pos, char letter) {
  if (pos >= text.size() || text[pos] != letter) return -1;
  size_t end = pos + 1;
  int64_t v = 0;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) && end - pos < 10)
    v = v * 10 + (text[end++] - '0');
  if (end == pos + 1) return -1;
  pos = end;
  return v;
}

[[noreturn]] void bad(const std::string& text, const std::string& why) {
  throw UserError(fmt::format("subnet '{}': {}", text.size() > 200 ? text.substr(0, 200) + "..." : text, why));
}

BlockChoice parse_block(const std::string& text, const std::string& tok, const std::string& where) {
  BlockChoice b;
  size_t pos = 0;
  if (!tok.empty() && tok[0] == 'k') {
    b.kernel = read_number(tok, pos, 'k');
    b.expansion = read_number(tok, pos, 'e');
    if (b.kernel < 0 || b.expansion < 0 || pos != tok.size())
      bad(text, fmt::format("{}: '{}' is not a block (k<kernel>e<expansion> or t<heads>m<mlp>)", where, tok));
  } else if (!tok.empty() && tok[0] == 't') {
    b.transformer = true;
    b.heads = read_number(tok, pos, 't');
    b.mlp_ratio = read_number(tok, pos, 'm');
    if (b.heads < 0 || b.mlp_ratio < 0 || pos != tok.size())
      bad(text, fmt::format("{}: '{}' is not a block (k<kernel>e<expansion> or t<heads>m<mlp>)", where, tok));
  } else {
    bad(text, fmt::format("{}: '{}' is not a block (k<kernel>e<expansion> or t<heads>m<mlp>)", where, tok));
  }
  return b;
}

template <typename T>
const T& pick(const std::vector<T>& v, std::mt19937_64& rng) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

BlockChoice sample_block(const StageSpace& st, bool first, std::mt19937_64& rng) {
  // Uniform over the block's distinct choices, so every (k, e) and (heads, mlp) pair is
  // equally likely and the type follows from how many choices each has.
  const int64_t n_mb = static_cast<int64_t>(st.kernels.size() * st.expansions.size());
  const int64_t n = first ? n_mb : st.inner_block_choices();
  int64_t i = std::uniform_int_distribution<int64_t>(0, n - 1)(rng);
  BlockChoice b;
  if (i < n_mb) {
    b.kernel = st.kernels[static_cast<size_t>(i) / st.expansions.size()];
    b.expansion = st.expansions[static_cast<size_t>(i) % st.expansions.size()];
  } else {
    i -= n_mb;
    b.transformer = true;
    b.heads = st.heads[static_cast<size_t>(i) / st.mlp_ratios.size()];
    b.mlp_ratio = st.mlp_ratios[static_cast<size_t>(i) % st.mlp_ratios.size()];
  }
  return b;
}

}  // namespace

std::string encode_subnet(const Subnet& s) {
  std::string out = fmt::format("r{}_s{}", s.resolution, s.stem_width);
  for (const auto& st : s.stages) {
    out += fmt::format("_w{}-", st.width);
    for (size_t i = 0; i < st.blocks.size(); ++i) {
      if (i) out += '.';
      out += encode_block(st.blocks[i]);
    }
  }
  out += fmt::format("_h{}", s.head_width);
  return out;
}

void check_subnet(const SearchSpace& sp, const Subnet& s) {
  const std::string text = encode_subnet(s);
  if (!contains(sp.resolutions, s.resolution))
    bad(text, fmt::format("resolution {} is not in the space ({})", s.resolution, list(sp.resolutions)));
  if (!contains(sp.stem_widths, s.stem_width))
    bad(text, fmt::format("stem width {} is not in the space ({})", s.stem_width, list(sp.stem_widths)));
  if (!contains(sp.head_widths, s.head_width))
    bad(text, fmt::format("head width {} is not in the space ({})", s.head_width, list(sp.head_widths)));
  if (s.stages.size() != sp.stages.size())
    bad(text, fmt::format("has {} stages; the space '{}' has {}", s.stages.size(), sp.name, sp.stages.size()));
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageSpace& ss = sp.stages[i];
    const StageChoice& sc = s.stages[i];
    const std::string where = fmt::format("stage {}", i);
    if (!contains(ss.widths, sc.width))
      bad(text, fmt::format("{}: width {} is not a choice ({})", where, sc.width, list(ss.widths)));
    if (!contains(ss.depths, static_cast<int64_t>(sc.blocks.size())))
      bad(text, fmt::format("{}: depth {} is not a choice ({})", where, sc.blocks.size(), list(ss.depths)));
    for (size_t j = 0; j < sc.blocks.size(); ++j) {
      const BlockChoice& b = sc.blocks[j];
      const std::string at = fmt::format("{} block {}", where, j);
      if (b.transformer) {
        if (ss.kind != StageKind::hybrid)
          bad(text, fmt::format("{}: transformer blocks exist only in hybrid stages", at));
        if (j == 0)
          bad(text, fmt::format("{}: the first block of a stage is an MBConv (it carries the "
                                "stride and width change)", at));
        if (!contains(ss.heads, b.heads))
          bad(text, fmt::format("{}: {} heads is not a choice ({})", at, b.heads, list(ss.heads)));
        if (!contains(ss.mlp_ratios, b.mlp_ratio))
          bad(text, fmt::format("{}: MLP ratio {} is not a choice ({})", at, b.mlp_ratio, list(ss.mlp_ratios)));
      } else {
        if (!contains(ss.kernels, b.kernel))
          bad(text, fmt::format("{}: kernel {} is not a choice ({})", at, b.kernel, list(ss.kernels)));
        if (!contains(ss.expansions, b.expansion))
          bad(text, fmt::format("{}: expansion {} is not a choice ({})", at, b.expansion, list(ss.expansions)));
      }
    }
  }
}

Subnet decode_subnet(const SearchSpace& sp, const std::string& text) {
  if (text.empty() || text.size() > 100000) bad(text, "empty or absurdly long encoding");
  const auto parts = split(text, '_');
  if (parts.size() < 3)
    bad(text, "expected r<resolution>_s<stem>_w<width>-<blocks>..._h<head>");
  Subnet s;
  size_t pos = 0;
  s.resolution = read_number(parts[0], pos, 'r');
  if (s.resolution < 0 || pos != parts[0].size()) bad(text, fmt::format("'{}' is not r<resolution>", parts[0]));
  pos = 0;
  s.stem_width = read_number(parts[1], pos, 's');
  if (s.stem_width < 0 || pos != parts[1].size()) bad(text, fmt::format("'{}' is not s<stem width>", parts[1]));
  pos = 0;
  s.head_width = read_number(parts.back(), pos, 'h');
  if (s.head_width < 0 || pos != parts.back().size()) bad(text, fmt::format("'{}' is not h<head width>", parts.back()));
  for (size_t i = 2; i + 1 < parts.size(); ++i) {
    const std::string where = fmt::format("stage {}", i - 2);
    const std::string& p = parts[i];
    const size_t dash = p.find('-');
    pos = 0;
    StageChoice st;
    st.width = dash == std::string::npos ? -1 : read_number(p.substr(0, dash), pos, 'w');
    if (st.width < 0 || pos != dash)
      bad(text, fmt::format("{}: '{}' is not w<width>-<block>.<block>...", where, p));
    for (const auto& tok : split(p.substr(dash + 1), '.'))
      st.blocks.push_back(parse_block(text, tok, where));
    s.stages.push_back(std::move(st));
  }
  check_subnet(sp, s);
  return s;
}

namespace {
// Every choice at its extreme: `pick` is the largest or the smallest value of a list.
template <typename Pick>
Subnet extreme_subnet(const SearchSpace& sp, Pick pick) {
  Subnet s;
  s.resolution = pick(sp.resolutions);
  s.stem_width = pick(sp.stem_widths);
  s.head_width = pick(sp.head_widths);
  for (const auto& ss : sp.stages) {
    StageChoice st;
    st.width = pick(ss.widths);
    BlockChoice b;
    b.kernel = pick(ss.kernels);
    b.expansion = pick(ss.expansions);
    st.blocks.assign(static_cast<size_t>(pick(ss.depths)), b);
    s.stages.push_back(std::move(st));
  }
  return s;
}
}  // namespace

Subnet largest_subnet(const SearchSpace& sp) {
  return extreme_subnet(sp, [](const std::vector<int64_t>& v) { return *std::max_element(v.begin(), v.end()); });
}

Subnet smallest_subnet(const SearchSpace& sp) {
  return extreme_subnet(sp, [](const std::vector<int64_t>& v) { return *std::min_element(v.begin(), v.end()); });
}

Subnet sample_subnet(const SearchSpace& sp, std::mt19937_64& rng) {
  Subnet s;
  s.resolution = pick(sp.resolutions, rng);
  s.stem_width = pick(sp.stem_widths, rng);
  for (const auto& ss : sp.stages) {
    StageChoice st;
    st.width = pick(ss.widths, rng);
    const int64_t depth = pick(ss.depths, rng);
    for (int64_t j = 0; j < depth; ++j) st.blocks.push_back(sample_block(ss, j == 0, rng));
    s.stages.push_back(std::move(st));
  }
  s.head_width = pick(sp.head_widths, rng);
  return s;
}

std::vector<Subnet> sample_stratified(const SearchSpace& sp, int n, int pool,
                                      const std::function<double(const Subnet&)>& key,
                                      std::mt19937_64& rng) {
  std::vector<std::pair<double, Subnet>> draws;
  std::set<std::string> seen;
  for (int i = 0; i < pool; ++i) {
    Subnet s = sample_subnet(sp, rng);
    if (!seen.insert(encode_subnet(s)).second) continue;
    draws.emplace_back(key(s), std::move(s));
  }
  std::vector<Subnet> out;
  if (n <= 0 || draws.empty()) return out;
  double lo = key(smallest_subnet(sp)), hi = key(largest_subnet(sp));
  for (const auto& d : draws) {
    lo = std::min(lo, d.first);
    hi = std::max(hi, d.first);
  }
  const double width = (hi - lo) / n;
  std::vector<char> used(draws.size(), 0);
  for (int b = 0; b < n && out.size() < draws.size(); ++b) {
    const double from = lo + width * b, to = b + 1 == n ? hi : from + width;
    std::vector<size_t> in_bin;
    for (size_t i = 0; i < draws.size(); ++i)
      if (!used[i] && draws[i].first >= from &&
          (draws[i].first < to || (b + 1 == n && draws[i].first <= to)))
        in_bin.push_back(i);
    size_t pick_i = 0;
    if (!in_bin.empty()) {
      pick_i = in_bin[std::uniform_int_distribution<size_t>(0, in_bin.size() - 1)(rng)];
    } else {
      const double centre = (from + to) / 2;
      double best = INFINITY;
      for (size_t i = 0; i < draws.size(); ++i)
        if (!used[i] && std::abs(draws[i].first - centre) < best) {
          best = std::abs(draws[i].first - centre);
          pick_i = i;
        }
    }
    used[pick_i] = 1;
    out.push_back(draws[pick_i].second);
  }
  return out;
}

Subnet mutate_subnet(const SearchSpace& sp, const Subnet& parent, double rate, std::mt19937_64& rng) {
  std::bernoulli_distribution flip(rate);
  Subnet s = parent;
  if (flip(rng)) s.resolution = pick(sp.resolutions, rng);
  if (flip(rng)) s.stem_width = pick(sp.stem_widths, rng);
  if (flip(rng)) s.head_width = pick(sp.head_widths, rng);
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageSpace& ss = sp.stages[i];
    StageChoice& st = s.stages[i];
    if (flip(rng)) st.width = pick(ss.widths, rng);
    if (flip(rng)) {
      const auto depth = static_cast<size_t>(pick(ss.depths, rng));
      while (st.blocks.size() < depth) st.blocks.push_back(sample_block(ss, st.blocks.empty(), rng));
      st.blocks.resize(depth);
    }
    for (size_t j = 0; j < st.blocks.size(); ++j)
      if (flip(rng)) st.blocks[j] = sample_block(ss, j == 0, rng);
  }
  return s;
}

Subnet crossover_subnets(const Subnet& a, const Subnet& b, std::mt19937_64& rng) {
  std::bernoulli_distribution coin(0.5);
  Subnet s = a;
  if (coin(rng)) s.resolution = b.resolution;
  if (coin(rng)) s.stem_width = b.stem_width;
  if (coin(rng)) s.head_width = b.head_width;
  for (size_t i = 0; i < s.stages.size() && i < b.stages.size(); ++i)
    if (coin(rng)) s.stages[i] = b.stages[i];
  return s;
}

}  // namespace h4h::nas
