// `h4hsim inspect` end to end: the JSON contract, and bad input → exit 2 with one clear line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_test_util.h"

namespace h4h {
namespace {

using test::run_cli;
using test::src;

TEST(InspectCli, JsonCarriesTheContractKeys) {
  auto r = run_cli("inspect --model " + src("tests/data/onnx/resnet50_op17.onnx") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"model", "batch", "total_macs", "total_params", "kernels"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["total_macs"].get<int64_t>(), 4089184256LL);
  EXPECT_EQ(j["batch"].get<int64_t>(), 1);
  ASSERT_FALSE(j["kernels"].empty());
  for (const auto& k : j["kernels"])
    for (const char* key : {"name", "class", "macs", "weight_bytes", "input_bytes",
                            "output_bytes", "producers"})
      ASSERT_TRUE(k.contains(key)) << key;
  // Kernel 0 (the stem conv) reads the data input only; every later kernel has producers
  // that appear before it.
  EXPECT_TRUE(j["kernels"][0]["producers"].empty());
}

TEST(InspectCli, BatchFlagScalesTheDynamicAxis) {
  auto r = run_cli("inspect --model " + src("tests/data/onnx/resnet50_op13.onnx") +
                   " --batch 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["total_macs"].get<int64_t>(), 4 * 4089184256LL);
}

TEST(InspectCli, TableEndsWithTotals) {
  auto r = run_cli("inspect --model " + src("tests/data/onnx/mobilenet_v2_op13.onnx"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("total MACs 300,774,272"), std::string::npos) << r.out.substr(0, 400);
}

struct BadCase {
  const char* label;
  std::string args;
  const char* expected;  // a fragment of the one error line
};

std::string make_temp_file(const std::string& name, const std::string& bytes) {
  const std::string path = "/tmp/h4h_bad_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(InspectCli, BadInputIsExitCode2WithOneClearLine) {
  const std::string resnet = src("tests/data/onnx/resnet18_op13.onnx");
  std::string head = test::slurp(resnet).substr(0, 100);
  std::mt19937 rng(7);
  std::string noise(512, '\0');
  for (auto& c : noise) c = static_cast<char>(rng() & 0xff);
  const std::string truncated = make_temp_file("truncated.onnx", head);
  const std::string random = make_temp_file("random.onnx", noise);
  const std::string empty = make_temp_file("empty.onnx", "");
  const std::vector<BadCase> cases = {
      {"truncated", "inspect --model " + truncated, "not"},
      {"random bytes", "inspect --model " + random, "not"},
      {"empty", "inspect --model " + empty, "empty"},
      {"missing file", "inspect --model /nonexistent/model.onnx", "no such file"},
      {"directory", "inspect --model /tmp", "is a directory"},
      {"not a model", "inspect --model " + src("tests/data/bad/not_a_model.onnx"), "not"},
      {"unsupported op", "inspect --model " + src("tests/data/bad/unsupported_op.onnx"),
       "unsupported op"},
      {"unresolved dim", "inspect --model " + src("tests/data/bad/unresolved_dim.onnx"),
       "cannot resolve"},
      {"zero batch", "inspect --model " + resnet + " --batch 0", "--batch"},
      {"negative batch", "inspect --model " + resnet + " --batch -3", "--batch"},
      {"unknown flag", "inspect --model " + resnet + " --bogus", "bogus"},
      {"unknown input name", "inspect --model " + resnet + " --inputs nope", "nope"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out.substr(0, 200);
    EXPECT_EQ(test::line_count(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
  for (const auto& p : {truncated, random, empty}) std::remove(p.c_str());
}

TEST(InspectCli, ReshapeChainFixtureResolves) {
  auto r = run_cli("inspect --model " + src("tests/data/bad/reshape_chain.onnx") +
                   " --batch 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total_macs"].get<int64_t>(), 3 * 192 * 10);
}

}  // namespace
}  // namespace h4h
