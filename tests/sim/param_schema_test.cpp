// The declaration table is the single source of truth for every config key.
#include <gtest/gtest.h>

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
