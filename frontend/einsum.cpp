#include "frontend/einsum.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace h4h {
namespace {

// One term's labels; "..." stands for as many dims as the rank leaves, numbered so that
// they align from the right across operands (numpy broadcasting).
std::optional<std::vector<std::string>> expand(const std::string& term, size_t rank,
                                               size_t* ellipsis_dims) {
  const size_t ell = term.find("...");
  const std::string head = ell == std::string::npos ? term : term.substr(0, ell);
  const std::string tail = ell == std::string::npos ? "" : term.substr(ell + 3);
  std::vector<std::string> labels;
  for (char c : head) labels.emplace_back(1, c);
  if (ell != std::string::npos) {
    if (rank < head.size() + tail.size()) return std::nullopt;
    const size_t n = rank - head.size() - tail.size();
    if (ellipsis_dims) *ellipsis_dims = std::max(*ellipsis_dims, n);
    for (size_t e = 0; e < n; ++e) labels.push_back("..." + std::to_string(n - 1 - e));
  }
  for (char c : tail) labels.emplace_back(1, c);
  return labels;
}

}  // namespace

std::optional<EinsumLabels> parse_einsum(const std::string& equation,
                                         const std::vector<size_t>& input_ranks) {
  std::string eq = equation;
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  const size_t arrow = eq.find("->");
  if (arrow == std::string::npos) return std::nullopt;
  std::vector<std::string> terms;
  std::stringstream ss(eq.substr(0, arrow));
  for (std::string t; std::getline(ss, t, ',');) terms.push_back(t);
  if (terms.size() != input_ranks.size()) return std::nullopt;
  EinsumLabels out;
  size_t ellipsis_dims = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    auto labels = expand(terms[i], input_ranks[i], &ellipsis_dims);
    if (!labels || labels->size() != input_ranks[i]) return std::nullopt;
    out.inputs.push_back(*labels);
  }
  const std::string out_term = eq.substr(arrow + 2);
  const bool out_has_ellipsis = out_term.find("...") != std::string::npos;
  const size_t out_letters = out_term.size() - (out_has_ellipsis ? 3 : 0);
  auto o = expand(out_term, out_letters + (out_has_ellipsis ? ellipsis_dims : 0), nullptr);
  if (!o) return std::nullopt;
  out.output = *o;
  return out;
}

std::optional<std::vector<int64_t>> einsum_output_shape(
    const std::string& equation, const std::vector<std::vector<int64_t>>& input_dims) {
  std::vector<size_t> ranks;
  for (const auto& d : input_dims) ranks.push_back(d.size());
  auto labels = parse_einsum(equation, ranks);
  if (!labels) return std::nullopt;
  std::map<std::string, int64_t> size;
  for (size_t i = 0; i < input_dims.size(); ++i)
    for (size_t d = 0; d < input_dims[i].size(); ++d) {
      int64_t& s = size[labels->inputs[i][d]];
      const int64_t v = input_dims[i][d];
      if (s == 0 || s == 1) s = v;
      else if (v != 1 && v != s) return std::nullopt;  // incompatible broadcast
    }
  std::vector<int64_t> out;
  for (const auto& l : labels->output) {
    auto it = size.find(l);
    if (it == size.end()) return std::nullopt;
    out.push_back(it->second);
  }
  return out;
}

}  // namespace h4h
