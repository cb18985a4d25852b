// Vector unit: ⌈elements / lanes⌉ issues, each costing the op's per-element lane-op mix.
#include <gtest/gtest.h>

#include "frontend/graph.h"
#include "models/npu/vector_unit.h"
#include "sim/config/arch_config.h"

namespace h4h {
namespace {

TEST(VectorUnit, CyclesAreIssuesTimesMixCost) {
  const VectorUnitTiming t = default_arch_config().npu.vector;  // 64 lanes; add/mul/max 1, exp 4, div 8, sqrt 8
  // ViT-B/16 attention softmax, one head: 197 × 197 = 38,809 elements → 607 issues;
  // softmax mix: 2 add + 1 max + 1 exp + 1 div = 2 + 1 + 4 + 8 = 15 cycles per issue.
  EXPECT_EQ(vector_cycles(t, vector_op_mix("Softmax"), 197 * 197), 607 * 15);
  EXPECT_EQ(vector_cycles(t, vector_op_mix("Relu"), 64), 1);
  EXPECT_EQ(vector_cycles(t, vector_op_mix("Relu"), 65), 2);
  EXPECT_EQ(vector_cycles(t, vector_op_mix("Add"), 0), 0);
}

TEST(VectorUnit, MoreLanesNeverTakeLonger) {
  const VectorUnitTiming narrow = default_arch_config().npu.vector;
  VectorUnitTiming wide = narrow;
  wide.lanes = 128;
  for (const char* op : {"Softmax", "LayerNorm", "GELU", "Add", "MaxPool"})
    for (int64_t n : {1, 63, 64, 1000, 150528})
      EXPECT_LE(vector_cycles(wide, vector_op_mix(op), n), vector_cycles(narrow, vector_op_mix(op), n));
}

TEST(VectorUnit, EveryVectorOpTheFrontendEmitsHasAMix) {
  // Ops that lower to vector/pool kernels must be costed deliberately, not by the fallback.
  const std::set<std::string> not_vector = {
      "Conv", "Gemm", "MatMul", "Einsum", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
      "Transpose", "Concat", "Split", "Slice", "Pad", "Gather", "Expand", "Tile", "Identity",
      "Dropout", "ScatterND", "Shape", "Size", "Constant", "ConstantOfShape", "Range",
      "LayerNormalization"};  // becomes LayerNorm
  for (const auto& op : supported_op_types()) {
    if (not_vector.count(op)) continue;
    bool known = false;
    vector_op_mix(op, &known);
    EXPECT_TRUE(known) << op;
  }
  for (const char* fused : {"LayerNorm", "GELU", "SiLU", "HardSwish"}) {
    bool known = false;
    vector_op_mix(fused, &known);
    EXPECT_TRUE(known) << fused;
  }
}

}  // namespace
}  // namespace h4h
