#include "sim/config/param_schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

namespace h4h {

namespace {

// Optimal string alignment distance, or any value above `bound` once it is sure to exceed it.
// Three rolling rows instead of a full table, and a stop as soon as a whole row is over the
// bound: a fuzzed or pasted key can be thousands of characters long, and the suggestion is
// computed against every declared key (this was 70 % of the arch-config fuzzer's time).
size_t bounded_edit_distance(const std::string& a, const std::string& b, size_t bound) {
  const size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > bound) return bound + 1;  // at least one edit per extra char
  std::vector<size_t> before(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], before[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    // Every path to the end passes through this row (or the one before it, for a
    // transposition, whose cost is then at least its row minimum + 1).
    if (row_min > bound) return bound + 1;
    before.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

}  // namespace

size_t edit_distance(const std::string& a, const std::string& b) {
  // Insertions, deletions, substitutions and adjacent transpositions each cost 1 ("nup" is
  // one typo away from "npu", not two).
  return bounded_edit_distance(a, b, std::max(a.size(), b.size()));
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Only suggest what is plausibly a typo: at most half the word changed.
  const size_t limit = std::max<size_t>(2, word.size() / 2);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    // Ties keep the first candidate, so only a strictly closer one matters.
    const size_t d = bounded_edit_distance(word, c, best_d - 1);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
    if (best_d == 0) break;
  }
  return best;
}

std::string param_type_name(ParamType t) {
  switch (t) {
    case ParamType::integer: return "integer";
    case ParamType::real: return "number";
    case ParamType::boolean: return "boolean";
    case ParamType::choice: return "choice";
    case ParamType::text: return "string";
  }
  return "?";
}

std::string format_param_value(const ParamValue& v) {
  if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) {
    std::string s = fmt::format("{}", *d);  // shortest round-trip form
    return s;
  }
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

std::variant<ParamValue, std::string> parse_param_scalar(const std::string& text, ParamType type,
                                                         const ParamConstraint& c) {
  auto quoted = [&]() { return "'" + text + "'"; };
  switch (type) {
    case ParamType::integer: {
      size_t used = 0;
      int64_t v = 0;
      try {
        v = std::stoll(text, &used, 10);
      } catch (const std::out_of_range&) {
        return std::string("integer out of range: ") + quoted();
      } catch (const std::exception&) {
        used = 0;
      }
      if (text.empty() || used != text.size()) return "expected an integer, got " + quoted();
      return ParamValue{v};
    }
    case ParamType::real: {
      // strtod, not stod: stod throws on a subnormal such as 5e-324, a legal (if absurd)
      // value that the key's own bounds then judge.
      char* end = nullptr;
      const double v = text.empty() || std::isspace(static_cast<unsigned char>(text[0]))
                           ? 0
                           : std::strtod(text.c_str(), &end);
      if (end == nullptr || end != text.c_str() + text.size())
        return "expected a number, got " + quoted();
      if (!std::isfinite(v)) return "expected a finite number, got " + quoted();
      return ParamValue{v};
    }
    case ParamType::boolean:
      if (text == "true") return ParamValue{true};
      if (text == "false") return ParamValue{false};
      return "expected true or false, got " + quoted();
    case ParamType::choice: {
      if (std::find(c.choices.begin(), c.choices.end(), text) != c.choices.end())
        return ParamValue{text};
      std::string all;
      for (const auto& ch : c.choices) all += (all.empty() ? "" : ", ") + ch;
      return fmt::format("'{}' is not one of: {}", text, all);
    }
    case ParamType::text:
      return ParamValue{text};
  }
  return std::string("unknown type");
}

std::optional<std::string> check_param_constraint(const ParamValue& v, const ParamConstraint& c) {
  double x = 0;
  if (auto i = std::get_if<int64_t>(&v)) x = static_cast<double>(*i);
  else if (auto d = std::get_if<double>(&v)) x = *d;
  else return std::nullopt;
  const std::string shown = format_param_value(v);
  if (c.positive && !(x > 0)) return "must be > 0, got " + shown;
  if (c.non_negative && !(x >= 0)) return "must be >= 0, got " + shown;
  if (c.min && x < *c.min) return fmt::format("must be >= {}, got {}", *c.min, shown);
  if (c.max && x > *c.max) return fmt::format("must be <= {}, got {}", *c.max, shown);
  if (auto i = std::get_if<int64_t>(&v)) {
    if (c.power_of_two && (*i <= 0 || (*i & (*i - 1)) != 0))
      return "must be a power of two, got " + shown;
    if (!c.allowed_ints.empty() &&
        std::find(c.allowed_ints.begin(), c.allowed_ints.end(), *i) == c.allowed_ints.end()) {
      std::string all;
      for (auto a : c.allowed_ints) all += (all.empty() ? "" : ", ") + std::to_string(a);
      return fmt::format("must be one of {}, got {}", all, shown);
    }
  }
  return std::nullopt;
}

}  // namespace h4h
