// The declaration table is the single source of truth for every config key.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "sim/config/arch_config.h"

namespace h4h {
namespace {

TEST(ParamSchema, EveryKeyIsDeclaredOnceWithADescription) {
  std::set<std::string> paths;
  for (const auto& d : arch_param_decls()) {
    EXPECT_TRUE(paths.insert(d.path).second) << "declared twice: " << d.path;
    EXPECT_FALSE(d.description.empty()) << d.path;
  }
}

TEST(ParamSchema, EveryNumericKeyHasAUnit) {
  for (const auto& d : arch_param_decls()) {
    if (d.type == ParamType::integer || d.type == ParamType::real) {
      EXPECT_FALSE(d.unit.empty()) << d.path;
    }
  }
}

TEST(ParamSchema, EveryDefaultSatisfiesItsOwnConstraint) {
  for (const auto& d : arch_param_decls())
    EXPECT_FALSE(check_param_constraint(d.default_value, d.constraint).has_value()) << d.path;
  EXPECT_NO_THROW(validate_arch_config(default_arch_config()));
}

TEST(ParamSchema, DefaultsReachTheTypedConfig) {
  const ArchConfig c = default_arch_config();
  for (const auto& d : arch_param_decls())
    EXPECT_EQ(format_param_value(d.get(c)), format_param_value(d.default_value)) << d.path;
}

TEST(ParamSchema, EditDistanceCountsEditsAndTranspositions) {
  EXPECT_EQ(edit_distance("rows", "rows"), 0u);
  EXPECT_EQ(edit_distance("rowz", "rows"), 1u);
  EXPECT_EQ(edit_distance("row", "rows"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("nup", "npu"), 1u);  // a transposition is one typo
  EXPECT_EQ(closest_match("colz", {"rows", "cols", "dataflow"}), "cols");
  EXPECT_EQ(closest_match("zzzzzzzz", {"rows", "cols"}), "");
}

// The textbook optimal-string-alignment recurrence over the full table (Damerau's
// transposition restricted to adjacent characters), as the reference for the bounded,
// early-stopping one the suggestions use.
size_t reference_osa_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

TEST(ParamSchema, EditDistanceMatchesTheFullTableRecurrence) {
  std::mt19937 rng(7);
  auto word = [&] {  // a small alphabet, so matches and transpositions are frequent
    std::string w(rng() % 12, 'a');
    for (char& c : w) c = static_cast<char>('a' + rng() % 3);
    return w;
  };
  for (int i = 0; i < 2000; ++i) {
    const std::string a = word(), b = word();
    ASSERT_EQ(edit_distance(a, b), reference_osa_distance(a, b)) << a << " / " << b;
  }
}

// The suggestion is the first candidate at the smallest distance within the typo limit,
// whatever the early stops skip; a very long unknown key gets no suggestion.
TEST(ParamSchema, ClosestMatchIsTheFirstNearestCandidateWithinTheTypoLimit) {
  EXPECT_EQ(closest_match("abcd", {"abxy", "abcx", "abcy"}), "abcx");
  EXPECT_EQ(closest_match("npu.array.rowz", {"npu.array.cols", "npu.array.rows"}),
            "npu.array.rows");
  EXPECT_EQ(closest_match("abcdef", {"abc", "abcdefghi"}), "abc");  // 3 edits = the limit
  EXPECT_EQ(closest_match("abcdefgh", {"ab"}), "");                  // 6 edits > 4
  EXPECT_EQ(closest_match(std::string(100000, 'x'), {"rows", "cols"}), "");
}

TEST(ParamSchema, ScalarsParseStrictlyByType) {
  ParamConstraint none;
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_param_scalar("32.5", ParamType::integer, none)));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_param_scalar("abc", ParamType::real, none)));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_param_scalar("yes", ParamType::boolean, none)));
  EXPECT_TRUE(std::holds_alternative<std::string>(
      parse_param_scalar("99999999999999999999999", ParamType::integer, none)));
  auto v = parse_param_scalar("-4", ParamType::integer, none);
  ASSERT_TRUE(std::holds_alternative<ParamValue>(v));
  EXPECT_EQ(std::get<int64_t>(std::get<ParamValue>(v)), -4);
}

}  // namespace
}  // namespace h4h
