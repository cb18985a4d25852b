#include "sim/config/param_schema.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

namespace h4h {

size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent
  // transpositions each cost 1 ("nup" is one typo away from "npu", not two).
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = SIZE_MAX;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Only suggest what is plausibly a typo: at most half the word changed.
  if (best.empty() || best_d > std::max<size_t>(2, word.size() / 2)) return "";
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
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (text.empty() || used != text.size() || !std::isfinite(v))
        return "expected a number, got " + quoted();
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
