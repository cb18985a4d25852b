// More on-chip memory never costs DRAM traffic or time: over random subnets of the
// ImageNet-scale space (seeded) and random buffer sizes from x1/4 of the hetero preset's,
// growing any one buffer (the global buffer, an NPU SRAM, the CIM input buffer), or all of
// them together from x0.25 to x64, never raises a run's DRAM bytes or its latency. Runs the real CLI, one process per point
// (SystemC elaborates once per process).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "nas/onnx_builder.h"
#include "nas/search_space.h"
#include "nas/subnet.h"
#include "tests/cli/cli_test_util.h"

namespace h4h::nas {
namespace {

struct Point {
  double latency_ns = 0;
  int64_t dram_bytes = 0;
};

class Subnets : public ::testing::Test {
 protected:
  // Writes `count` random subnets of h4h_edge (seeded) as ONNX files; returns their paths.
  std::vector<std::string> export_subnets(int count, uint64_t seed) {
    const SearchSpace space = load_search_space(bundled_space_path("h4h_edge"));
    std::mt19937_64 rng(seed);
    std::vector<std::string> paths;
    for (int i = 0; i < count; ++i) {
      const Subnet s = sample_subnet(space, rng);
      const std::string path = "/tmp/h4h_monotone_" + std::to_string(::getpid()) + "_" +
                               std::to_string(i) + ".onnx";
      std::string bytes;
      build_subnet_model(space, s).SerializeToString(&bytes);
      std::FILE* f = std::fopen(path.c_str(), "wb");
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
      paths.push_back(path);
      files_.push_back(path);
    }
    return paths;
  }
  void TearDown() override {
    // H4H_KEEP keeps the exported subnets, to rerun a failing case by hand.
    if (std::getenv("H4H_KEEP")) return;
    for (const auto& f : files_) std::remove(f.c_str());
  }
  std::vector<std::string> files_;
};

Point run(const std::string& model, const std::string& schema,
          const std::vector<std::pair<std::string, int64_t>>& sizes) {
  std::string args = "run --json -m " + model + " -a " + test::src("arch_configs/hetero.yaml") +
                     " -s " + schema;
  for (const auto& [key, kib] : sizes) args += " --set " + key + "=" + std::to_string(kib);
  const test::CliResult r = test::run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  if (r.exit_code != 0) return {};
  const auto j = nlohmann::json::parse(r.out);
  return {j["latency_ns"].get<double>(), j["dram_bytes"].get<int64_t>()};
}

// The hetero preset's buffers, in KiB.
const std::vector<std::pair<std::string, int64_t>> kBuffers = {
    {"memory.global_buffer_kib", 1024}, {"npu.sram.ifmap_kib", 256},  {"npu.sram.filter_kib", 256},
    {"npu.sram.ofmap_kib", 128},        {"cim.input_buffer_kib", 64}, {"cim.output_buffer_kib", 64},
    {"cim.weight_buffer_kib", 64}};

// The hetero preset's ports, in banks (powers of two).
const std::vector<std::pair<std::string, int64_t>> kPorts = {
    {"npu.sram.ifmap_banks", 8},    {"npu.sram.filter_banks", 8},
    {"npu.sram.ofmap_banks", 4},    {"cim.input_buffer_banks", 16},
    {"cim.output_buffer_banks", 8}, {"memory.global_buffer_banks", 16}};

void expect_no_worse(const Point& bigger, const Point& smaller, const std::string& what) {
  EXPECT_LE(bigger.dram_bytes, smaller.dram_bytes) << what;
  // DRAM row timing makes latencies equal to ~1e-4, not to the cycle, across placements.
  EXPECT_LE(bigger.latency_ns, smaller.latency_ns * 1.0001) << what;
}

// H4H_TEST_SEED picks other subnets and sizes (the default is fixed, so CI is repeatable).
uint64_t seed() {
  const char* s = std::getenv("H4H_TEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261204;
}

TEST_F(Subnets, GrowingAnyOneBufferNeverCostsDramBytesOrTime) {
  std::mt19937_64 rng(seed());
  for (const std::string& model : export_subnets(4, rng())) {
    for (const char* schema : {"npu_only", "hetero_parallel"}) {
      // A random starting size for every buffer (x1/4 .. x2 of the preset), then each buffer
      // alone grows by x2 .. x16. Below x1/4 (a 16 KiB ofmap SRAM) the SRAM forces tiles
      // finer than the 4 KiB pages the NPU otherwise streams, which can be faster by up to
      // 0.1% (docs/simulation.md): the property is stated, and holds, from x1/4 up.
      std::vector<std::pair<std::string, int64_t>> base;
      for (const auto& [key, kib] : kBuffers)
        base.push_back({key, std::max<int64_t>(1, kib * (int64_t{1} << (rng() % 4)) / 4)});
      const Point p0 = run(model, schema, base);
      for (size_t which = 0; which < base.size(); ++which) {
        auto grown = base;
        grown[which].second *= int64_t{2} << (rng() % 4);
        std::string sizes;
        for (const auto& [key, kib] : base) sizes += " " + key + "=" + std::to_string(kib);
        expect_no_worse(run(model, schema, grown), p0,
                        model + " " + schema + " " + grown[which].first + " " +
                            std::to_string(base[which].second) + " -> " +
                            std::to_string(grown[which].second) + " KiB, from" + sizes);
      }
    }
  }
}

TEST_F(Subnets, MoreBanksInAnyOnePortNeverCostTime) {
  std::mt19937_64 rng(seed() + 2);
  for (const std::string& model : export_subnets(2, rng())) {
    for (const char* schema : {"npu_only", "hetero_parallel"}) {
      // Every port from x1/8 to x1 of the preset (narrow enough to bind), then one grows.
      std::vector<std::pair<std::string, int64_t>> base;
      for (const auto& [key, banks] : kPorts)
        base.push_back({key, std::max<int64_t>(1, banks >> (rng() % 4))});
      const Point p0 = run(model, schema, base);
      for (size_t which = 0; which < base.size(); ++which) {
        auto grown = base;
        grown[which].second <<= 1 + rng() % 3;
        const Point p = run(model, schema, grown);
        EXPECT_LE(p.latency_ns, p0.latency_ns * 1.0001)
            << model << " " << schema << " " << grown[which].first << " " << base[which].second
            << " -> " << grown[which].second;
      }
    }
  }
}

TEST_F(Subnets, ScalingEveryBufferTogetherNeverCostsDramBytesOrTime) {
  for (const std::string& model : export_subnets(2, seed() + 1)) {
    Point last;
    bool first = true;
    for (double scale : {0.25, 1.0, 4.0, 16.0, 64.0}) {
      std::vector<std::pair<std::string, int64_t>> sizes;
      for (const auto& [key, kib] : kBuffers)
        sizes.push_back({key, std::max<int64_t>(1, static_cast<int64_t>(kib * scale))});
      const Point p = run(model, "hetero_parallel", sizes);
      if (!first) expect_no_worse(p, last, model + " x" + std::to_string(scale));
      last = p;
      first = false;
    }
  }
}

}  // namespace
}  // namespace h4h::nas
