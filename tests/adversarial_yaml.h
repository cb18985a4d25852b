#pragma once
// Hostile YAML texts shared by the suites of every YAML reader (arch configs, custom
// schemas, NAS spaces, sweep specs): alias "bombs", deep nesting, bytes that are not UTF-8.
#include <string>

namespace h4h::test {

// "Billion laughs" as one inline value: level k is a list of level k-1 (anchored there)
// and nine aliases of it, so the text is ~1 KB while the expansion has 10^(levels+1)
// leaves. A reader that copied or walked aliases in full would never finish.
inline std::string alias_bomb(int levels = 9) {
  std::string s = "&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]";
  for (int k = 1; k <= levels; ++k) {
    std::string next = "&a" + std::to_string(k) + " [" + s;
    for (int i = 0; i < 9; ++i) next += ", *a" + std::to_string(k - 1);
    s = next + "]";
  }
  return s;
}

// `depth` nested flow sequences: [[[...]]].
inline std::string deep_flow_list(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}
// `depth` nested flow maps: {a: {a: ... 1}}.
inline std::string deep_flow_map(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "{a: ";
  return s + "1" + std::string(depth, '}');
}
// `depth` nested block sequences on one line: - - - ... x.
inline std::string deep_block_list(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "- ";
  return s + "x";
}

}  // namespace h4h::test
