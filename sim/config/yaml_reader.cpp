#include "sim/config/yaml_reader.h"

#include <algorithm>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "frontend/user_error.h"
#include "sim/config/param_schema.h"

namespace h4h {

namespace {
const char* kind_name(const YAML::Node& n) {
  if (!n || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  return "a scalar";
}
}  // namespace

YamlReader::YamlReader(const std::string& yaml_text, std::string origin) : origin_(std::move(origin)) {
  try {
    root_ = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw UserError(fmt::format("{}: YAML syntax error at line {}, column {}: {}", origin_,
                                e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!root_ || root_.IsNull()) throw UserError(fmt::format("{}: empty document", origin_));
  if (!root_.IsMap()) throw UserError(fmt::format("{}: the top level must be a map of keys", origin_));
}

std::string YamlReader::child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string YamlReader::item(const std::string& path, size_t index) {
  return fmt::format("{}[{}]", path, index);
}

std::string YamlReader::where(const YAML::Node& node) const {
  if (!node) return "";
  const auto m = node.Mark();
  if (m.line < 0) return "";
  return fmt::format(" (line {})", m.line + 1);
}

void YamlReader::fail(const YAML::Node& node, const std::string& path, const std::string& message) const {
  throw UserError(fmt::format("{}: {}: {}{}", origin_, path.empty() ? "<top level>" : path, message,
                              where(node)));
}

void YamlReader::check_keys(const YAML::Node& node, const std::string& path,
                            const std::vector<std::string>& allowed,
                            const std::vector<std::string>& required) const {
  require_map(node, path);
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) fail(it->first, path, "keys must be plain names");
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) fail(it->first, child(path, key), "key given twice");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const std::string best = closest_match(key, allowed);
      fail(it->first, child(path, key),
           best.empty() ? fmt::format("unknown key (valid here: {})", fmt::join(allowed, ", "))
                        : fmt::format("unknown key; did you mean '{}'?", best));
    }
  }
  for (const auto& r : required)
    if (!seen.count(r)) fail(node, child(path, r), "missing (required)");
}

YAML::Node YamlReader::require_map(const YAML::Node& node, const std::string& path) const {
  if (!node || !node.IsMap()) fail(node, path, fmt::format("expected a map, got {}", kind_name(node)));
  return node;
}

YAML::Node YamlReader::require_list(const YAML::Node& node, const std::string& path) const {
  if (!node || !node.IsSequence() || node.size() == 0)
    fail(node, path, fmt::format("expected a non-empty list, got {}", kind_name(node)));
  return node;
}

int64_t YamlReader::get_int(const YAML::Node& node, const std::string& path, int64_t min_value,
                            int64_t max_value) const {
  if (!node || !node.IsScalar())
    fail(node, path, fmt::format("expected an integer, got {}", kind_name(node)));
  const std::string& text = node.Scalar();
  size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    fail(node, path, fmt::format("expected an integer, got '{}'", text));
  if (v < min_value || v > max_value)
    fail(node, path, fmt::format("must be in {}..{}, got {}", min_value, max_value, v));
  return v;
}

double YamlReader::get_real(const YAML::Node& node, const std::string& path, double min_value,
                            double max_value) const {
  if (!node || !node.IsScalar())
    fail(node, path, fmt::format("expected a number, got {}", kind_name(node)));
  const std::string& text = node.Scalar();
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !(v == v))
    fail(node, path, fmt::format("expected a number, got '{}'", text));
  if (v < min_value || v > max_value)
    fail(node, path, fmt::format("must be in {}..{}, got {}", min_value, max_value, text));
  return v;
}

std::string YamlReader::get_string(const YAML::Node& node, const std::string& path) const {
  if (!node || !node.IsScalar())
    fail(node, path, fmt::format("expected a string, got {}", kind_name(node)));
  return node.Scalar();
}

bool YamlReader::get_bool(const YAML::Node& node, const std::string& path) const {
  const std::string s = get_string(node, path);
  if (s == "true") return true;
  if (s == "false") return false;
  fail(node, path, fmt::format("expected true or false, got '{}'", s));
}

std::vector<int64_t> YamlReader::get_int_choices(const YAML::Node& node, const std::string& path,
                                                 int64_t min_value, int64_t max_value) const {
  std::vector<int64_t> out;
  if (node && node.IsScalar()) {
    out.push_back(get_int(node, path, min_value, max_value));
    return out;
  }
  require_list(node, path);
  for (size_t i = 0; i < node.size(); ++i) {
    const int64_t v = get_int(node[i], item(path, i), min_value, max_value);
    if (std::find(out.begin(), out.end(), v) != out.end())
      fail(node[i], item(path, i), fmt::format("{} is listed twice", v));
    out.push_back(v);
  }
  return out;
}

}  // namespace h4h
