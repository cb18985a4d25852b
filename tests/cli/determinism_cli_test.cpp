// Determinism: two separate `h4hsim run --json` processes on the same inputs print the same
// bytes. A representative subset of bench/determinism.sh's full matrix (every preset x every
// opset-17 fixture and SCALE-Sim topology, ~2 min on 2 cores): every preset, a CNN, an
// attention network (which cim_only refuses, the same way twice) and a topology.
#include <gtest/gtest.h>

#include "tests/cli/cli_test_util.h"

namespace h4h {
namespace {

using test::run_cli;
using test::src;

TEST(Determinism, TwoProcessesGiveByteIdenticalJsonOnEveryPreset) {
  for (const char* preset : {"npu_only", "hetero", "cim_only"}) {
    for (const std::string& model : {"--model " + src("tests/data/onnx/mobilenet_v2_op17.onnx"),
                                     "--model " + src("tests/data/onnx/tiny_attention_op17.onnx"),
                                     "--topology " + src("tests/data/scalesim/mobilenet.csv")}) {
      SCOPED_TRACE(std::string(preset) + " " + model);
      const std::string args = "run " + model + " --arch " +
                               src("arch_configs/" + std::string(preset) + ".yaml") +
                               " --inferences 2 --json";
      const auto a = run_cli(args), b = run_cli(args);
      EXPECT_EQ(a.exit_code, b.exit_code);
      EXPECT_EQ(a.err, b.err);
      EXPECT_TRUE(a.out == b.out) << "stdout differs between two runs";
      if (std::string(preset) == "cim_only" && model.find("tiny_attention") != std::string::npos)
        EXPECT_EQ(a.exit_code, 2) << "attention needs the systolic array";
      else
        EXPECT_EQ(a.exit_code, 0) << a.err;
    }
  }
}

}  // namespace
}  // namespace h4h
