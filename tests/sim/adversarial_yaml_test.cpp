// Hostile YAML at the door of every reader in sim/ (the shared load_yaml in
// sim/config/yaml_reader, arch configs, custom schemas): alias bombs are refused or bounded
// quickly, deep nesting is refused before yaml-cpp recurses, text that is not UTF-8 is
// refused with its line and column, and empty files and directories get one clear line.
#include "tests/adversarial_yaml.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "frontend/user_error.h"
#include "sim/config/arch_config.h"
#include "sim/config/yaml_reader.h"
#include "sim/mapper/mapper.h"
#include "tests/bounded_run.h"

namespace h4h {
namespace {

std::string arch_error(const std::string& yaml) {
  try {
    parse_arch_config(yaml, "t.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string schema_error(const std::string& yaml) {
  try {
    parse_custom_schema(yaml, "rules.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

// yaml-cpp shares an aliased node instead of copying it, so loading the bomb costs its
// text; nothing of ours expands it (no YAML::Clone or Dump of user documents).
TEST(AdversarialYaml, AliasBombLoadsWithoutExpanding) {
  const auto r = test::run_in_child([] {
    const YAML::Node root = load_yaml("bomb: " + test::alias_bomb() + "\n", "bomb.yaml");
    return std::to_string(root["bomb"].size()) + " " + std::to_string(root["bomb"][9][9][9].size());
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "10 10");
  EXPECT_LT(r.seconds, 5.0);
  EXPECT_LT(r.max_rss_kb, 512 * 1024);
}

TEST(AdversarialYaml, AliasBombInAnArchConfigIsRefusedAtItsFirstNode) {
  const auto r = test::run_in_child([] { return arch_error("npu: " + test::alias_bomb() + "\n"); });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "t.yaml: npu: expected a map of keys (line 1)");
  EXPECT_LT(r.seconds, 5.0);
}

TEST(AdversarialYaml, AliasBombInACustomSchemaIsRefusedAtItsFirstNode) {
  const auto r =
      test::run_in_child([] { return schema_error("rules: " + test::alias_bomb() + "\n"); });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "rules.yaml: rules[0]: expected a map");
  EXPECT_LT(r.seconds, 5.0);
}

// yaml-cpp 0.7 recurses once per level (Debian's build stops at depth 2000 with "bad
// file"; others overflow the stack): the text is checked first, in one place.
TEST(AdversarialYaml, DeeplyNestedFlowListIsRefusedBeforeParsing) {
  const auto r =
      test::run_in_child([] { return arch_error("npu: " + test::deep_flow_list(100000) + "\n"); });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message,
            "t.yaml: line 1: nested deeper than 200 levels (h4hsim's limit for YAML files)");
  EXPECT_LT(r.seconds, 5.0);
}

TEST(AdversarialYaml, DeeplyNestedFlowMapIsRefusedBeforeParsing) {
  EXPECT_EQ(arch_error("npu: " + test::deep_flow_map(100000) + "\n"),
            "t.yaml: line 1: nested deeper than 200 levels (h4hsim's limit for YAML files)");
  EXPECT_EQ(schema_error("rules:\n  - " + test::deep_flow_map(100000) + "\n"),
            "rules.yaml: line 2: nested deeper than 200 levels (h4hsim's limit for YAML files)");
}

TEST(AdversarialYaml, DeeplyNestedBlockListIsRefusedBeforeParsing) {
  EXPECT_EQ(arch_error("npu:\n  " + test::deep_block_list(100000) + "\n"),
            "t.yaml: line 2: nested deeper than 200 levels (h4hsim's limit for YAML files)");
}

// The check is a bound on the text: brackets in quotes, comments and block scalars are
// not nesting, and a document at the limit still parses (to the reader's own verdict).
TEST(AdversarialYaml, DepthCheckCountsNoBracketsInQuotesCommentsOrBlockScalars) {
  const std::string brackets(1000, '[');
  const std::string yaml = "name: \"" + brackets + "\"\n# " + brackets + "\ndescription: |\n  " +
                           brackets +
                           "\n  it's {{{ still text\nnpu:\n  array: {rows: 16, cols: 16}  # '\"[\n";
  EXPECT_EQ(arch_error(yaml), "(no error)");
  EXPECT_NO_THROW(load_yaml("x: " + test::deep_flow_list(190) + "\n", "x.yaml"));
}

// Before: keys and values that are not UTF-8 went into messages raw, and a name that was
// not UTF-8 made `run --json` (arch name) and sweep specs (hashed as JSON) fail with an
// internal error from the JSON library.
TEST(AdversarialYaml, KeyThatIsNotUtf8IsRefusedWithItsLineAndColumn) {
  EXPECT_EQ(arch_error("npu:\n  ro\xffws: 4\n"),
            "t.yaml: line 2, column 5: not UTF-8 (byte 0xff); YAML files must be UTF-8 text");
}

TEST(AdversarialYaml, ValueThatIsNotUtf8IsRefusedWithItsLineAndColumn) {
  EXPECT_EQ(arch_error("name: \"ab\xfe\xff\"\n"),
            "t.yaml: line 1, column 10: not UTF-8 (byte 0xfe); YAML files must be UTF-8 text");
  EXPECT_EQ(schema_error("rules:\n  - {op: Re\xc3\x28lu, unit: npu}\n"),
            "rules.yaml: line 2, column 12: not UTF-8 (byte 0xc3); YAML files must be UTF-8 text");
}

TEST(AdversarialYaml, Utf8TextIsAccepted) {
  const ArchConfig cfg = parse_arch_config("name: \"größe µ — ok\"\n", "t.yaml");
  EXPECT_EQ(cfg.name, "größe µ — ok");
}

TEST(AdversarialYaml, EmptyFileIsOneClearLine) {
  EXPECT_EQ(arch_error(""), "t.yaml: empty config (expected a map of keys such as npu:, cim:)");
  EXPECT_EQ(arch_error("# only a comment\n"),
            "t.yaml: empty config (expected a map of keys such as npu:, cim:)");
  EXPECT_EQ(
      schema_error(""),
      "rules.yaml: a custom schema is a map with a list 'rules:' of {class|op|name: ..., unit: "
      "npu|vector|cim}");
}

// Before: yaml-cpp's Load reads the first document only, so everything after a `---` was
// dropped without a word (a second arch config pasted below the first was ignored).
TEST(AdversarialYaml, SecondDocumentIsRefusedNotSilentlyDropped) {
  EXPECT_EQ(arch_error("npu:\n  rows: 8\n---\nnpu:\n  rows: 64\n"),
            "t.yaml: 2 YAML documents (the second starts at line 4); h4hsim reads one document "
            "per file");
  EXPECT_EQ(schema_error("rules:\n  - {class: conv, unit: npu}\n...\nrules: []\n"),
            "rules.yaml: 2 YAML documents (the second starts at line 4); h4hsim reads one "
            "document per file");
  EXPECT_EQ(arch_error("name: a\n---\n---\nname: c\n"),
            "t.yaml: 3 YAML documents; h4hsim reads one document per file");
}

// A trailing `---` opens an (empty) second document: refused too, as PyYAML's safe_load
// does; a leading `---` or a closing `...` is still one document.
TEST(AdversarialYaml, OneDocumentMayOpenWithDashesAndCloseWithDots) {
  EXPECT_EQ(arch_error("name: a\n---\n"),
            "t.yaml: 2 YAML documents; h4hsim reads one document per file");
  EXPECT_EQ(parse_arch_config("---\nname: a\n...\n", "t.yaml").name, "a");
  EXPECT_EQ(load_yaml("---\nx: 1\n", "t.yaml")["x"].as<int>(), 1);
}

TEST(AdversarialYaml, DirectoryIsOneClearLine) {
  const std::string dir = ::testing::TempDir();
  try {
    load_arch_config(dir);
    FAIL() << "no error for a directory";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a YAML file");
  }
  try {
    load_custom_schema(dir);
    FAIL() << "no error for a directory";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a YAML file");
  }
}

// A device never ends: reading /dev/zero would grow until memory ran out.
TEST(AdversarialYaml, DeviceFileIsRefusedNotReadForever) {
  const auto r = test::run_in_child([] {
    try {
      load_arch_config("/dev/zero");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "/dev/zero: is not a regular file, not a YAML file");
}

}  // namespace
}  // namespace h4h
