// Hostile YAML at the door of every reader in sim/ (the shared load_yaml in
// sim/config/yaml_reader, arch configs, custom schemas): alias bombs are refused or bounded
// quickly, deep nesting is refused before yaml-cpp recurses, text that is not UTF-8 is
// refused with its line and column, and empty files and directories get one clear line.
#include "tests/user_error_of.h"
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
  return test::user_error_of([&] { parse_arch_config(yaml, "t.yaml"); });
}

std::string schema_error(const std::string& yaml) {
  return test::user_error_of([&] { parse_custom_schema(yaml, "rules.yaml"); });
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

// Found by fuzzing (tests/fuzz/regressions/*/stray_flow_indicator_loops_yaml_loadall.yaml):
// yaml-cpp 0.7's LoadAll never returned on a stray ',' outside a flow collection (it opened
// empty documents at the same mark forever), and Load alone silently dropped the rest of the
// file from there. Both are one syntax error at the indicator.
TEST(AdversarialYaml, StrayFlowIndicatorIsASyntaxErrorNotAnEndlessLoop) {
  EXPECT_EQ(arch_error(",\"::"), "t.yaml: YAML syntax error at line 1, column 1: unexpected ','");
  EXPECT_EQ(test::user_error_of([] { load_yaml("- 1\n- 2\n, 3\n", "t.yaml"); }),
            "t.yaml: YAML syntax error at line 3, column 1: unexpected ','");
}

// A trailing `---` opens an (empty) second document: refused too, as PyYAML's safe_load
// does; a leading `---` or a closing `...` is still one document.
TEST(AdversarialYaml, OneDocumentMayOpenWithDashesAndCloseWithDots) {
  EXPECT_EQ(arch_error("name: a\n---\n"),
            "t.yaml: 2 YAML documents; h4hsim reads one document per file");
  EXPECT_EQ(parse_arch_config("---\nname: a\n...\n", "t.yaml").name, "a");
  EXPECT_EQ(load_yaml("---\nx: 1\n", "t.yaml")["x"].as<int>(), 1);
}

// A workload of linear kernels with the given names, mapped with `rules_yaml` on a config
// with the systolic array and no CIM: a kernel a rule matches goes to that rule's unit, any
// other to the array. Returns the units in kernel order, space-separated.
std::string units_under_rules(const std::vector<std::string>& names, const std::string& rules_yaml) {
  Workload w;
  for (const auto& name : names) {
    Kernel k;
    k.name = name;
    k.cls = KernelClass::linear;
    k.op = "Linear";
    k.gemm = {1, 4, 4, 4};
    k.macs = 64;
    w.kernels.push_back(k);
  }
  ArchConfig cfg = default_arch_config();
  cfg.npu.enabled = true;
  cfg.cim.enabled = false;
  const Mapping m = map_workload(w, cfg, parse_custom_schema(rules_yaml, "rules.yaml"));
  std::string units;
  for (const auto& km : m.kernels) units += (units.empty() ? "" : " ") + std::string(to_string(km.unit));
  return units;
}

// Before: std::regex backtracked, so `(a+)+$` took 10 s on a 28-character name (doubling
// with every character). RE2 matches in time linear in the name.
TEST(AdversarialYaml, NameRuleWithNestedQuantifiersMatchesInLinearTime) {
  const auto r = test::run_in_child([] {
    return units_under_rules({std::string(28, 'a') + "!", std::string(100000, 'a') + "!",
                              std::string(28, 'a')},
                             "rules:\n  - name: \"(a+)+$\"\n    unit: vector\n");
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "npu npu vector");
  EXPECT_LT(r.seconds, 2.0);
}

// Before: `.*` on a 30,000-character name overflowed the stack of std::regex's recursive
// matcher (SIGSEGV).
TEST(AdversarialYaml, DotStarRuleOnA30000CharacterNameNeitherCrashesNorStalls) {
  const auto r = test::run_in_child([] {
    return units_under_rules({std::string(30000, 'x'), "fc1"},
                             "rules:\n  - name: \"x.*\"\n    unit: vector\n");
  });
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.message, "vector npu");
  EXPECT_LT(r.seconds, 2.0);
}

// Full match, as before: a pattern that matches only part of the name does not apply.
TEST(AdversarialYaml, NameRuleMatchesTheWholeName) {
  EXPECT_EQ(units_under_rules({"blocks.0.fc1", "fc1"}, "rules:\n  - name: \"fc1\"\n    unit: vector\n"),
            "npu vector");
}

TEST(AdversarialYaml, BadNamePatternNamesTheFileAndTheRule) {
  EXPECT_EQ(schema_error("rules:\n  - {class: conv, unit: npu}\n  - {name: \"fc(\", unit: npu}\n"),
            "rules.yaml: rules[1].name: not a valid regular expression (RE2 syntax): missing ): fc(");
  // RE2 has no backreferences (they are what makes matching exponential).
  EXPECT_EQ(schema_error("rules:\n  - {name: '(a)\\1', unit: npu}\n"),
            "rules.yaml: rules[0].name: not a valid regular expression (RE2 syntax): invalid "
            "escape sequence: \\1");
  // A pattern whose compiled program would outgrow RE2's memory budget (8 MiB): 1000
  // copies of the class of all Unicode letters.
  EXPECT_EQ(schema_error("rules:\n  - {name: '\\pL{1000}', unit: npu}\n"),
            "rules.yaml: rules[0].name: not a valid regular expression (RE2 syntax): pattern "
            "too large - compile failed");
  // RE2 bounds repetition counts (at most 1000, nested ones included).
  EXPECT_EQ(schema_error("rules:\n  - {name: '((a{100}){100}){100}', unit: npu}\n"),
            "rules.yaml: rules[0].name: not a valid regular expression (RE2 syntax): invalid "
            "repetition size: {100}");
}

// Custom rules place conv, linear and matmul kernels; a rule for any other class was read
// and then never consulted.
TEST(AdversarialYaml, RuleForAClassCustomRulesDoNotPlaceCanNeverApply) {
  EXPECT_EQ(
      schema_error("rules:\n  - {class: vector, unit: cim}\n"),
      "rules.yaml: rules[0].class: vector kernels always run on the vector unit; custom "
      "rules place only conv, linear and matmul kernels, so this rule's unit can never apply");
  EXPECT_EQ(
      schema_error("rules:\n  - {class: pool, unit: vector}\n"),
      "rules.yaml: rules[0].class: pool kernels always run on the vector unit; custom "
      "rules place only conv, linear and matmul kernels, so this rule's unit can never apply");
  EXPECT_EQ(
      schema_error("rules:\n  - {class: data_movement, unit: npu}\n"),
      "rules.yaml: rules[0].class: data_movement kernels always run on the DMA; custom "
      "rules place only conv, linear and matmul kernels, so this rule's unit can never apply");
}

TEST(AdversarialYaml, RuleForAnOpNoPlacedKernelHasCanNeverApply) {
  EXPECT_EQ(schema_error("rules:\n  - {op: Relu, unit: vector}\n"),
            "rules.yaml: rules[0].op: no kernel that custom rules place has the op 'Relu' (they "
            "have: Conv, Einsum, Gemm, Linear, MatMul)");
  EXPECT_EQ(schema_error("rules:\n  - {op: matmul, unit: vector}\n"),
            "rules.yaml: rules[0].op: no kernel that custom rules place has the op 'matmul' "
            "(they have: Conv, Einsum, Gemm, Linear, MatMul); did you mean 'MatMul'?");
  EXPECT_EQ(schema_error("rules:\n  - {class: conv, op: MatMul, unit: npu}\n"),
            "rules.yaml: rules[0]: no conv kernel has the op 'MatMul' (conv kernels have: Conv), "
            "so this rule can never apply");
}

// A matmul has two dynamic operands; CIM stores static weights. Before, such a rule was an
// error only once a model had a matching kernel.
TEST(AdversarialYaml, RuleSendingDynamicOperandsToCimCanNeverApply) {
  EXPECT_EQ(schema_error("rules:\n  - {class: matmul, unit: cim}\n"),
            "rules.yaml: rules[0].unit: the matmul kernels this rule matches have two dynamic "
            "operands, and CIM holds only static weights, so this rule can never apply");
  EXPECT_EQ(schema_error("rules:\n  - {op: MatMul, name: \"attn.*\", unit: cim}\n"),
            "rules.yaml: rules[0].unit: the MatMul kernels this rule matches have two dynamic "
            "operands, and CIM holds only static weights, so this rule can never apply");
}

// The first matching rule wins, so a rule below one that matches all it matches is dead.
TEST(AdversarialYaml, RuleShadowedByAnEarlierOneCanNeverApply) {
  EXPECT_EQ(schema_error("rules:\n  - {class: conv, unit: npu}\n  - {class: conv, name: \"stem.*\", "
                         "unit: cim}\n"),
            "rules.yaml: rules[1]: can never apply: rules[0] comes first and matches every kernel "
            "this rule matches (the first matching rule wins)");
  EXPECT_EQ(schema_error("rules:\n  - {name: \"fc.*\", unit: npu}\n  - {op: Conv, unit: cim}\n"
                         "  - {name: \"fc.*\", class: linear, unit: vector}\n"),
            "rules.yaml: rules[2]: can never apply: rules[0] comes first and matches every kernel "
            "this rule matches (the first matching rule wins)");
  EXPECT_EQ(schema_error("rules:\n  - {class: linear, unit: npu}\n  - {op: Gemm, unit: cim}\n"), "(no error)")
      << "a Gemm may also be a matmul, which the first rule does not match";
  EXPECT_EQ(schema_error("rules:\n  - {name: \"fc.*\", unit: npu}\n  - {class: linear, unit: cim}\n"),
            "(no error)");
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
