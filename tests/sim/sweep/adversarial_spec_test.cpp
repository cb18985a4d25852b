// Hostile sweep-spec YAML (sim/sweep/sweep_spec): alias bombs, deep nesting, text that is
// not UTF-8, empty files and directories are refused with one exact line, quickly.
#include <gtest/gtest.h>

#include "tests/adversarial_yaml.h"
#include "tests/bounded_run.h"
#include "tests/sim/sweep/sweep_test_util.h"

namespace h4h {
namespace {

using test::spec_error;
using test::tiny_spec;

TEST(AdversarialSpec, AliasBombIsRefusedAtItsFirstNode) {
  const auto r = test::run_in_child(
      [] { return spec_error(tiny_spec("  npu.array.rows: " + test::alias_bomb() + "\n")); });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(
      r.message,
      "spec.yaml: axes.npu.array.rows[0]: expected a integer value of npu.array.rows (line 4)");
  EXPECT_LT(r.seconds, 5.0);
  EXPECT_LT(r.max_rss_kb, 512 * 1024);
}

TEST(AdversarialSpec, DeepNestingIsRefusedBeforeParsing) {
  const auto r = test::run_in_child([] {
    return spec_error(tiny_spec("  npu.array.rows: " + test::deep_flow_map(100000) + "\n"));
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message,
            "spec.yaml: line 4: nested deeper than 200 levels (h4hsim's limit for YAML files)");
}

// Before: a name that was not UTF-8 reached the spec's canonical JSON, whose dump threw:
// `sweep plan` ended with "internal error" (exit 3).
TEST(AdversarialSpec, NameThatIsNotUtf8IsRefusedWithItsLineAndColumn) {
  std::string spec = tiny_spec("  npu.array.rows: [16, 32]\n");
  spec.replace(0, std::string("name: tiny").size(), "name: ti\xc0\xafny");
  EXPECT_EQ(spec_error(spec),
            "spec.yaml: line 1, column 9: not UTF-8 (byte 0xc0); YAML files must be UTF-8 text");
}

TEST(AdversarialSpec, EmptyFileAndDirectoryAreOneClearLine) {
  EXPECT_EQ(spec_error(""), "spec.yaml: empty document");
  const std::string dir = ::testing::TempDir();
  try {
    load_sweep_spec(dir);
    FAIL() << "no error for a directory";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a sweep spec (YAML)");
  }
}

}  // namespace
}  // namespace h4h
