#include "sim/config/yaml_reader.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#if __has_include(<yaml-cpp/depthguard.h>)
#include <yaml-cpp/depthguard.h>
#endif

#include "frontend/user_error.h"
#include "sim/config/param_schema.h"

namespace h4h {

namespace {

bool one_of(const char* set, char c) { return c != '\0' && std::strchr(set, c) != nullptr; }

// 1-based line and column of byte `offset`.
std::pair<size_t, size_t> line_col(const std::string& text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line, col = 1;
    else
      ++col;
  }
  return {line, col};
}

// The line where an upper bound of the document's nesting depth first passes `limit`, or
// 0. Flow collections count their open brackets (outside quotes and comments); block
// nesting is bounded by the line's indentation and its leading "- "/"? " indicators (a
// level needs a column, or an indicator; a sequence may sit at its key's column, hence 2x).
// Literal and folded block scalars are skipped. A bound, not a parser: it may overcount
// only for documents far deeper than any real one, and yaml-cpp's own guard stays behind it.
size_t line_past_depth(const std::string& t, int limit) {
  const size_t n = t.size();
  size_t line = 1;
  int flow = 0, block = 0;
  char quote = 0;
  char last = '\n';               // last significant character outside quotes
  long block_scalar_indent = -1;  // inside a `|` or `>` scalar: its parent line's indent
  long indent = 0;
  bool line_start = true;
  for (size_t i = 0; i < n; ++i) {
    if (line_start) {
      line_start = false;
      if (quote == 0 && flow == 0) {
        size_t j = i;
        while (j < n && t[j] == ' ') ++j;
        const bool blank = j == n || t[j] == '\n' || t[j] == '\r';
        if (block_scalar_indent >= 0) {
          if (blank || static_cast<long>(j - i) > block_scalar_indent) {
            while (i < n && t[i] != '\n') ++i;  // literal text: skip the line
            ++line;
            line_start = true;
            continue;
          }
          block_scalar_indent = -1;
        }
        indent = static_cast<long>(j - i);
        long indicators = 0;
        while (j < n && (t[j] == '-' || t[j] == '?') && (j + 1 == n || t[j + 1] == ' ')) {
          ++indicators;
          ++j;
          while (j < n && t[j] == ' ') ++j;
        }
        const long bound = 2 * (indent + indicators) + 1;
        block = static_cast<int>(std::min<long>(bound, limit + 1));
        if (block > limit) return line;
      }
    }
    const char c = t[i];
    if (c == '\n') {
      ++line;
      line_start = true;
      if (quote == 0) last = '\n';
      continue;
    }
    if (quote == '\'') {
      if (c == '\'') {
        if (i + 1 < n && t[i + 1] == '\'')
          ++i;
        else
          quote = 0;
      }
      continue;
    }
    if (quote == '"') {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quote = 0;
      continue;
    }
    if (c == '#' && (i == 0 || t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n')) {
      while (i + 1 < n && t[i + 1] != '\n') ++i;  // a comment, to the end of the line
      continue;
    }
    if (c == '"' || c == '\'') {
      if (one_of("\n:-[{,?", last)) quote = c;
      continue;
    }
    if (c == '[' || c == '{') {
      if (++flow + block > limit) return line;
    } else if ((c == ']' || c == '}') && flow > 0) {
      --flow;
    } else if ((c == '|' || c == '>') && flow == 0 && one_of("\n:-?", last)) {
      size_t j = i + 1;
      while (j < n && one_of("+-0123456789 \t", t[j])) ++j;
      if (j == n || t[j] == '\n' || t[j] == '\r' || t[j] == '#') block_scalar_indent = indent;
    }
    if (c != ' ' && c != '\t' && c != '\r') last = c;
  }
  return 0;
}

const char* kind_name(const YAML::Node& n) {
  if (!n || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  return "a scalar";
}
// Records where each document starts and the line of its first non-null content (-1 for
// an empty document), without building nodes.
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> marks;
  std::vector<int> content_lines;
  void OnDocumentStart(const YAML::Mark& mark) override {
    marks.push_back(mark);
    content_lines.push_back(-1);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { content(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    content(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    content(mark);
  }
  void OnMapEnd() override {}

 private:
  void content(const YAML::Mark& mark) {
    if (!content_lines.empty() && content_lines.back() < 0) content_lines.back() = mark.line;
  }
};

}  // namespace

YAML::Node load_yaml(const std::string& yaml_text, const std::string& origin) {
  // UTF-16/32 files (with their byte-order mark) are yaml-cpp's to decode; everything else
  // must be UTF-8, as YAML requires: names from it end up in JSON, SQLite and messages.
  const auto bom = [&](const char* b, size_t k) { return yaml_text.compare(0, k, b, k) == 0; };
  const bool wide = bom("\xFE\xFF", 2) || bom("\xFF\xFE", 2) || bom("\0\0\xFE\xFF", 4);
  if (!wide) {
    if (auto bad = first_invalid_utf8(yaml_text)) {
      const auto [line, col] = line_col(yaml_text, *bad);
      throw UserError(fmt::format(
          "{}: line {}, column {}: not UTF-8 (byte 0x{:02x}); YAML files must be UTF-8 text",
          origin, line, col, static_cast<unsigned char>(yaml_text[*bad])));
    }
    // Nor may YAML text hold C0 control characters other than tab, LF and CR (YAML 1.2,
    // 5.1): yaml-cpp turns a raw NUL into bytes that are not UTF-8, and a sweep spec's hash
    // then threw from the JSON writer (found by fuzzing).
    for (size_t i = 0; i < yaml_text.size(); ++i) {
      const auto c = static_cast<unsigned char>(yaml_text[i]);
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
        const auto [line, col] = line_col(yaml_text, i);
        throw UserError(fmt::format("{}: line {}, column {}: control character 0x{:02x}; YAML text "
                                    "may not contain one", origin, line, col, c));
      }
    }
    if (const size_t line = line_past_depth(yaml_text, kMaxYamlDepth))
      throw UserError(
          fmt::format("{}: line {}: nested deeper than {} levels (h4hsim's limit for YAML files)",
                      origin, line, kMaxYamlDepth));
  }
  size_t document_count = 0;
  int second_line = -1;
  YAML::Node first;
  try {
    // Count the documents with the event parser before building any node: yaml-cpp 0.7's
    // LoadAll loops forever (allocating an empty document per turn) on a stray flow
    // indicator such as a top-level ',' (found by fuzzing), because its parser opens a new
    // document there without consuming a token. A document that starts where the previous
    // one started is that case, and is a syntax error at that mark.
    std::istringstream stream(yaml_text);
    YAML::Parser parser(stream);
    DocumentStarts starts;
    while (parser.HandleNextDocument(starts)) {
      ++document_count;
      const auto& marks = starts.marks;
      if (marks.size() >= 2 && marks[marks.size() - 1].pos == marks[marks.size() - 2].pos) {
        const auto pos = static_cast<size_t>(std::max(0, marks.back().pos));
        const auto [line, col] = line_col(yaml_text, pos);
        throw UserError(fmt::format(
            "{}: YAML syntax error at line {}, column {}: unexpected {}", origin, line, col,
            pos < yaml_text.size() ? fmt::format("'{}'", yaml_text[pos]) : "end of file"));
      }
    }
    if (starts.content_lines.size() > 1) second_line = starts.content_lines[1];
    if (document_count == 1) first = YAML::Load(yaml_text);
#if __has_include(<yaml-cpp/depthguard.h>)
  } catch (const YAML::DeepRecursion& e) {
    throw UserError(
        fmt::format("{}: line {}: nested deeper than {} levels (h4hsim's limit for YAML files)",
                    origin, e.mark.line + 1, kMaxYamlDepth));
#endif
  } catch (const YAML::Exception& e) {
    throw UserError(fmt::format("{}: YAML syntax error at line {}, column {}: {}", origin,
                                e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  // A second document (after `---` or `...`) would otherwise be dropped without a word: every
  // file h4hsim reads is one config, schema, space or spec, as PyYAML's safe_load insists.
  if (document_count > 1)
    throw UserError(fmt::format(
        "{}: {} YAML documents{}; h4hsim reads one document per file", origin, document_count,
        second_line < 0 ? "" : fmt::format(" (the second starts at line {})", second_line + 1)));
  return first;
}

YamlReader::YamlReader(const std::string& yaml_text, std::string origin)
    : origin_(std::move(origin)) {
  root_ = load_yaml(yaml_text, origin_);
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
