#pragma once
// YamlReader: typed access to a structured YAML document (NAS spaces, sweep specs) where
// every mistake is a UserError naming the file, the YAML path (`stages[3].heads`) and the
// line, and an unknown key suggests the closest valid one. Arch configs have their own
// declaration table (param_schema.h); this is for documents with lists of records.
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace h4h {

// Deepest nesting a YAML document may have (configs, spaces and specs need fewer than ten
// levels). Checked on the text before yaml-cpp sees it, whose recursive parser would
// otherwise be the limit.
constexpr int kMaxYamlDepth = 200;

// The one entry to yaml-cpp for every YAML file h4hsim reads (arch configs, custom
// schemas, NAS spaces, sweep specs). UserError naming `origin` and the line when the text
// is not UTF-8, is nested deeper than kMaxYamlDepth, is not YAML, or holds more than one
// document. Aliases are shared,
// not copied, by yaml-cpp, so an alias "bomb" costs its text, not its expansion; readers
// must not expand it either (no YAML::Clone or Dump of user documents).
YAML::Node load_yaml(const std::string& yaml_text, const std::string& origin);

class YamlReader {
 public:
  // Parses `yaml_text`; syntax errors and an empty or non-map top level are UserErrors.
  YamlReader(const std::string& yaml_text, std::string origin);

  const YAML::Node& root() const { return root_; }
  const std::string& origin() const { return origin_; }

  static std::string child(const std::string& path, const std::string& key);
  static std::string item(const std::string& path, size_t index);

  // Every key of the map `node` must be one of `allowed` (else: closest-key suggestion);
  // keys listed in `required` must be present.
  void check_keys(const YAML::Node& node, const std::string& path,
                  const std::vector<std::string>& allowed,
                  const std::vector<std::string>& required = {}) const;

  YAML::Node require_map(const YAML::Node& node, const std::string& path) const;
  YAML::Node require_list(const YAML::Node& node, const std::string& path) const;

  int64_t get_int(const YAML::Node& node, const std::string& path, int64_t min_value,
                  int64_t max_value) const;
  double get_real(const YAML::Node& node, const std::string& path, double min_value,
                  double max_value) const;
  std::string get_string(const YAML::Node& node, const std::string& path) const;
  bool get_bool(const YAML::Node& node, const std::string& path) const;
  // A scalar or a non-empty list of scalars, each within [min, max], without repeats.
  std::vector<int64_t> get_int_choices(const YAML::Node& node, const std::string& path,
                                       int64_t min_value, int64_t max_value) const;

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path,
                         const std::string& message) const;

 private:
  std::string where(const YAML::Node& node) const;
  YAML::Node root_;
  std::string origin_;
};

}  // namespace h4h
