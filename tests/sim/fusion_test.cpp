// Epilogue fusion decisions (sim/engine/fusion), on hand-built graphs: what joins a GEMM's
// group and what must not.
#include <gtest/gtest.h>

#include "sim/engine/fusion.h"

namespace h4h {
namespace {

struct Graph {
  Workload w;
  Mapping m;
  int tensor(const std::string& name, bool output = false) {
    Tensor t;
    t.name = name;
    t.elems = 1000;
    t.network_output = output;
    w.tensors.push_back(t);
    return static_cast<int>(w.tensors.size()) - 1;
  }
  void kernel(KernelClass cls, const std::string& op, Unit unit, std::vector<int> in, int out) {
    Kernel k;
    k.name = op + std::to_string(w.kernels.size());
    k.cls = cls;
    k.op = op;
    k.inputs = std::move(in);
    k.outputs = {out};
    k.input_elems = 1000 * static_cast<int64_t>(k.inputs.size());
    k.output_elems = 1000;
    w.kernels.push_back(k);
    KernelMapping km;
    km.unit = unit;
    m.kernels.push_back(km);
  }
  FusionPlan plan(bool enabled = true) {
    link_tensors(w);
    return plan_fusion(w, m, enabled);
  }
};

// x → Gemm → a → Add(a, r) → b → Relu → y: both epilogues join the GEMM; a and b are never
// stored.
TEST(Fusion, AddAndReluAfterAGemmRunAsItsEpilogue) {
  Graph g;
  const int x = g.tensor("x"), r = g.tensor("r"), a = g.tensor("a"), b = g.tensor("b"),
            y = g.tensor("y", true);
  g.kernel(KernelClass::linear, "Gemm", Unit::npu, {x}, a);
  g.kernel(KernelClass::vector, "Add", Unit::vector, {a, r}, b);
  g.kernel(KernelClass::vector, "Relu", Unit::vector, {b}, y);
  const FusionPlan f = g.plan();
  EXPECT_EQ(f.head, (std::vector<int>{0, 0, 0}));
  EXPECT_EQ(f.members[0], (std::vector<int>{1, 2}));
  EXPECT_EQ(f.fused_tensor, (std::vector<char>{0, 0, 1, 1, 0}));
  EXPECT_EQ(f.fused_count(), 2);
  EXPECT_EQ(g.plan(false).fused_count(), 0);  // the ablation fuses nothing
}

TEST(Fusion, AGemmOutputReadTwiceIsStoredAndNotFused) {
  Graph g;
  const int x = g.tensor("x"), a = g.tensor("a"), b = g.tensor("b"), y = g.tensor("y", true);
  g.kernel(KernelClass::linear, "Gemm", Unit::npu, {x}, a);
  g.kernel(KernelClass::vector, "Relu", Unit::vector, {a}, b);
  g.kernel(KernelClass::vector, "Add", Unit::vector, {a, b}, y);  // a has two readers
  EXPECT_EQ(g.plan().fused_count(), 0);
}

TEST(Fusion, AnOperandMadeAfterTheGemmStartsKeepsTheKernelApart) {
  Graph g;
  const int x = g.tensor("x"), a = g.tensor("a"), r = g.tensor("r"), y = g.tensor("y", true);
  g.kernel(KernelClass::linear, "Gemm", Unit::npu, {x}, a);
  g.kernel(KernelClass::vector, "Relu", Unit::vector, {x}, r);  // after the GEMM
  g.kernel(KernelClass::vector, "Add", Unit::vector, {a, r}, y);
  EXPECT_EQ(g.plan().fused_count(), 0);
}

TEST(Fusion, GemmsOnEitherUnitTakeEpiloguesAndOnlyElementwiseOpsJoin) {
  Graph cim;
  const int x = cim.tensor("x"), a = cim.tensor("a"), y = cim.tensor("y", true);
  cim.kernel(KernelClass::conv, "Conv", Unit::cim, {x}, a);
  cim.kernel(KernelClass::vector, "Relu", Unit::vector, {a}, y);
  EXPECT_EQ(cim.plan().fused_count(), 1);  // a CIM layer's outputs leave in pieces too
  Graph vec;  // a matmul placed on the vector unit is no GEMM job: nothing to fuse into
  const int x1 = vec.tensor("x"), a1 = vec.tensor("a"), y1 = vec.tensor("y", true);
  vec.kernel(KernelClass::matmul, "MatMul", Unit::vector, {x1}, a1);
  vec.kernel(KernelClass::vector, "Relu", Unit::vector, {a1}, y1);
  EXPECT_EQ(vec.plan().fused_count(), 0);
  Graph sm;
  const int x2 = sm.tensor("x"), a2 = sm.tensor("a"), y2 = sm.tensor("y", true);
  sm.kernel(KernelClass::matmul, "MatMul", Unit::npu, {x2}, a2);
  sm.kernel(KernelClass::vector, "Softmax", Unit::vector, {a2}, y2);  // a row reduction
  EXPECT_EQ(sm.plan().fused_count(), 0);
  EXPECT_TRUE(is_fusable_epilogue_op("GELU"));
  EXPECT_FALSE(is_fusable_epilogue_op("MaxPool"));
}

}  // namespace
}  // namespace h4h
