#pragma once
// ParamSchema: every config knob declared once — YAML path, type, unit, default, description,
// constraints — plus how to read and write it on the typed config. The same declaration
// parses YAML, validates it, fills defaults, prints `config show` and feeds the hash.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace h4h {

using ParamValue = std::variant<int64_t, double, bool, std::string>;

enum class ParamType { integer, real, boolean, choice, text };

struct ParamConstraint {
  bool positive = false;          // > 0
  bool non_negative = false;      // >= 0
  bool power_of_two = false;
  std::optional<double> min;      // inclusive lower bound (a physical floor, e.g. a clock)
  std::optional<double> max;      // inclusive upper bound (keeps products far from overflow)
  std::vector<std::string> choices;   // for ParamType::choice
  std::vector<int64_t> allowed_ints;  // e.g. precision bits
};

template <typename Config>
struct ParamDecl {
  std::string path;               // "npu.array.rows"
  ParamType type = ParamType::integer;
  std::string unit;               // "PEs", "MHz", "pJ", ... ("" for unitless)
  ParamValue default_value;
  std::string description;        // one line, with the source of the default
  ParamConstraint constraint;
  std::function<void(Config&, const ParamValue&)> set;
  std::function<ParamValue(const Config&)> get;
};

// Edit distance (with adjacent transpositions), for "did you mean" suggestions.
size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word` (ties: first), or "" when nothing is reasonably close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

std::string param_type_name(ParamType t);
std::string format_param_value(const ParamValue& v);

// Parses a YAML scalar's text as `type`; on failure returns an error message (no path).
std::variant<ParamValue, std::string> parse_param_scalar(const std::string& text, ParamType type,
                                                         const ParamConstraint& c);
// Checks constraints; returns an error message (no path) or nullopt.
std::optional<std::string> check_param_constraint(const ParamValue& v, const ParamConstraint& c);

}  // namespace h4h
