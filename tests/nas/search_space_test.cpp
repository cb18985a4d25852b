// Search spaces: the shipped YAML files load, counts follow the space's definition, and
// every mistake names its YAML path.
#include <cmath>

#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "nas/search_space.h"

using namespace h4h;
using namespace h4h::nas;

namespace {
std::string error_of(const std::string& yaml) {
  try {
    parse_search_space(yaml, "space.yaml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

const char* kTiny = R"(
name: tiny
input: {channels: 1, resolution: [8]}
classes: 2
stem: {width: [4], stride: 1}
stages:
  - {block: mbconv, width: [4, 8], depth: [1, 2], stride: 2, kernel: [3], expansion: [1, 2]}
  - {block: hybrid, width: [8], depth: [2], stride: 1, kernel: [3], expansion: [2], heads: [2], mlp_ratio: [1, 2]}
head: {width: [16]}
)";
}  // namespace

TEST(SearchSpace, ShippedSpacesLoad) {
  for (const char* name : {"h4h_edge", "h4h_fmnist"}) {
    const SearchSpace sp = load_search_space(bundled_space_path(name));
    EXPECT_EQ(sp.name, name);
    EXPECT_GE(sp.stages.size(), 4u);
    bool hybrid = false;
    for (const auto& s : sp.stages) hybrid |= s.kind == StageKind::hybrid;
    EXPECT_TRUE(hybrid) << name;
  }
  const SearchSpace edge = load_search_space(bundled_space_path("h4h_edge"));
  EXPECT_EQ(edge.in_channels, 3);
  EXPECT_EQ(edge.classes, 1000);
  const SearchSpace fm = load_search_space(bundled_space_path("h4h_fmnist"));
  EXPECT_EQ(fm.in_channels, 1);
  EXPECT_EQ(fm.classes, 10);
}

TEST(SearchSpace, SubnetCountIsProductOfChoicesSummedOverDepths) {
  const SearchSpace sp = parse_search_space(kTiny, "tiny");
  // Stage 0: widths 2 × (depth 1: 2 first-block choices + depth 2: 2·2) = 2 × 6 = 12.
  // Stage 1: first block 1 choice, inner block 1 MBConv + 2 transformer = 3 → 3.
  EXPECT_NEAR(sp.subnet_count(), 36.0, 1e-9);
}

TEST(SearchSpace, SpatialSizesFollowCeilOfStride) {
  const SearchSpace edge = load_search_space(bundled_space_path("h4h_edge"));
  const auto sizes = edge.stage_input_sizes(224);
  EXPECT_EQ(sizes, (std::vector<int64_t>{112, 112, 56, 28, 14, 7, 7, 4}));
}

TEST(SearchSpace, UnknownKeySuggestsClosest) {
  std::string yaml = kTiny;
  yaml.replace(yaml.find("expansion: [1, 2]"), 9, "expansoin");
  const std::string e = error_of(yaml);
  EXPECT_NE(e.find("stages[0].expansoin"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'expansion'"), std::string::npos) << e;
}

TEST(SearchSpace, MistakesNameTheYamlPath) {
  struct Case { std::string from, to, expect; };
  const Case cases[] = {
      {"depth: [1, 2]", "depth: [0, 2]", "stages[0].depth[0]: must be in 1..64, got 0"},
      {"width: [4, 8]", "width: [4, x]", "stages[0].width[1]: expected an integer, got 'x'"},
      {"heads: [2]", "heads: [3]", "stages[1].heads: 3 heads do not divide width 8"},
      {"kernel: [3], expansion: [1, 2]", "kernel: [4], expansion: [1, 2]", "stages[0].kernel: kernel sizes must be odd"},
      {"block: hybrid", "block: vit", "stages[1].block: unknown block type 'vit'"},
      {"resolution: [8]", "resolution: []", "input.resolution: expected a non-empty list"},
      {"width: [4, 8]", "width: [4, 4]", "stages[0].width[1]: 4 is listed twice"},
      {"classes: 2", "classes: -2", "classes: must be in"},
  };
  for (const auto& c : cases) {
    std::string yaml = kTiny;
    const size_t at = yaml.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    yaml.replace(at, c.from.size(), c.to);
    const std::string e = error_of(yaml);
    EXPECT_NE(e.find(c.expect), std::string::npos) << "got: " << e << "\nwant: " << c.expect;
  }
  EXPECT_NE(error_of("name: x\n").find("input: missing"), std::string::npos);
  EXPECT_NE(error_of("[1, 2]").find("top level must be a map"), std::string::npos);
  EXPECT_NE(error_of("a: [").find("YAML syntax error"), std::string::npos);
}

TEST(SearchSpace, TransformerChoicesOnlyInHybridStages) {
  std::string yaml = kTiny;
  yaml.replace(yaml.find("expansion: [1, 2]}"), 18, "expansion: [1, 2], heads: [2]}");
  EXPECT_NE(error_of(yaml).find("stages[0].heads: only hybrid stages"), std::string::npos) << error_of(yaml);
}
