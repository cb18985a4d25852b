// Hostile NAS search-space YAML (nas/search_space): alias bombs, deep nesting, text that is
// not UTF-8, empty files and directories are refused with one exact line, quickly.
#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "nas/search_space.h"
#include "tests/adversarial_yaml.h"
#include "tests/bounded_run.h"

namespace h4h {
namespace {

std::string space_error(const std::string& yaml) {
  try {
    nas::parse_search_space(yaml, "space.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kHead =
    "name: tiny\ninput: {channels: 1, resolution: [8]}\nclasses: 2\nstem: {width: [4], stride: "
    "1}\n";

TEST(AdversarialSpace, AliasBombIsRefusedAtItsFirstNode) {
  const auto r = test::run_in_child([] {
    return space_error(std::string(kHead) + "stages: " + test::alias_bomb() +
                       "\nhead: {width: [16]}\n");
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "space.yaml: stages[0]: expected a map, got a list (line 5)");
  EXPECT_LT(r.seconds, 5.0);
  EXPECT_LT(r.max_rss_kb, 512 * 1024);
}

TEST(AdversarialSpace, DeepNestingIsRefusedBeforeParsing) {
  const auto r = test::run_in_child([] {
    return space_error(std::string(kHead) + "stages: " + test::deep_flow_list(100000) + "\n");
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message,
            "space.yaml: line 5: nested deeper than 200 levels (h4hsim's limit for YAML files)");
  EXPECT_EQ(space_error(std::string(kHead) + "stages:\n  " + test::deep_block_list(100000) + "\n"),
            "space.yaml: line 6: nested deeper than 200 levels (h4hsim's limit for YAML files)");
}

TEST(AdversarialSpace, TextThatIsNotUtf8IsRefusedWithItsLineAndColumn) {
  EXPECT_EQ(space_error("name: ti\xffny\n"),
            "space.yaml: line 1, column 9: not UTF-8 (byte 0xff); YAML files must be UTF-8 text");
  EXPECT_EQ(space_error(std::string(kHead) + "st\xe2\x82ges: []\n"),
            "space.yaml: line 5, column 3: not UTF-8 (byte 0xe2); YAML files must be UTF-8 text");
}

TEST(AdversarialSpace, EmptyFileAndDirectoryAreOneClearLine) {
  EXPECT_EQ(space_error(""), "space.yaml: empty document");
  const std::string dir = ::testing::TempDir();
  try {
    nas::load_search_space(dir);
    FAIL() << "no error for a directory";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a search space (YAML)");
  }
}

}  // namespace
}  // namespace h4h
