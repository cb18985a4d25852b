// Tensors are the edges of the kernel DAG: each written by one kernel (or a network input)
// and read by its consumers; a kernel's input/output element counts are the sums of its
// tensors, and its producers are its tensors' producers.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "frontend/frontend.h"
#include "frontend/scalesim_topology.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

using test::ModelBuilder;

// The invariants, checked from the kernels' side and from the tensors' side independently.
void expect_consistent_edges(const Workload& w) {
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const Kernel& k = w.kernels[i];
    SCOPED_TRACE(k.name);
    int64_t in = 0, out = 0;
    std::set<int> tensor_producers;
    for (int t : k.inputs) {
      in += w.tensors.at(t).elems;
      const auto& c = w.tensors[t].consumers;
      EXPECT_TRUE(std::find(c.begin(), c.end(), static_cast<int>(i)) != c.end());
      if (w.tensors[t].producer >= 0) tensor_producers.insert(w.tensors[t].producer);
    }
    for (int t : k.outputs) {
      out += w.tensors.at(t).elems;
      EXPECT_EQ(w.tensors[t].producer, static_cast<int>(i));
    }
    EXPECT_EQ(in, k.input_elems);
    EXPECT_EQ(out, k.output_elems);
    for (int p : tensor_producers)
      EXPECT_TRUE(std::find(k.producers.begin(), k.producers.end(), p) != k.producers.end());
  }
  for (size_t t = 0; t < w.tensors.size(); ++t) {
    const Tensor& tensor = w.tensors[t];
    SCOPED_TRACE(tensor.name);
    EXPECT_TRUE(std::is_sorted(tensor.consumers.begin(), tensor.consumers.end()));
    EXPECT_EQ(std::adjacent_find(tensor.consumers.begin(), tensor.consumers.end()),
              tensor.consumers.end());
    for (int c : tensor.consumers) EXPECT_LT(tensor.producer, c);  // topological order
    EXPECT_FALSE(tensor.producer < 0 && tensor.consumers.empty()) << "an edge to nowhere";
  }
}

TEST(WorkloadTensors, ResidualInputIsOneTensorWithTwoConsumers) {
  // x ─► Conv ─► Relu ─► Add ◄─ x : x is read by the conv and the add.
  ModelBuilder b;
  b.input("x", {1, 4, 8, 8}).param("w", {4, 4, 1, 1}).output("y");
  b.node("Conv", {"x", "w"}, {"c"}, "conv");
  b.node("Relu", {"c"}, {"r"}, "relu");  // fused into the conv by the pass pipeline
  b.node("Add", {"r", "x"}, {"y"}, "add");
  const Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 2u);
  ASSERT_EQ(w.tensors.size(), 3u);  // x, r (the fused conv's output), y
  const Tensor& x = w.tensors[w.kernels[0].inputs.at(0)];
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.producer, -1);
  EXPECT_EQ(x.elems, 4 * 8 * 8);
  EXPECT_EQ(x.consumers, (std::vector<int>{0, 1}));
  EXPECT_FALSE(x.network_output);
  const Kernel& add = w.kernels[1];
  ASSERT_EQ(add.inputs.size(), 2u);
  EXPECT_EQ(add.inputs[1], w.kernels[0].inputs[0]);  // the same tensor, not a copy
  EXPECT_EQ(add.producers, std::vector<int>{0});
  const Tensor& y = w.tensors[add.outputs.at(0)];
  EXPECT_EQ(y.name, "y");
  EXPECT_TRUE(y.network_output);
  EXPECT_TRUE(y.consumers.empty());
  expect_consistent_edges(w);
}

TEST(WorkloadTensors, OperandReadTwiceCountsTwiceButConsumesOnce) {
  ModelBuilder b;
  b.input("x", {1, 16}).output("y");
  b.node("Mul", {"x", "x"}, {"y"}, "square");
  const Workload w = test::lower_all(b);
  ASSERT_EQ(w.kernels.size(), 1u);
  EXPECT_EQ(w.kernels[0].inputs.size(), 2u);
  EXPECT_EQ(w.kernels[0].input_elems, 32);
  EXPECT_EQ(w.tensors[w.kernels[0].inputs[0]].consumers, std::vector<int>{0});
  expect_consistent_edges(w);
}

TEST(WorkloadTensors, EveryEdgeOfRealNetworksIsConsistent) {
  for (const char* f : {"resnet50_op13.onnx", "googlenet_op13.onnx", "shufflenet_v2_x1_0_op17.onnx",
                        "densenet121_op17.onnx", "maxvit_t_op17.onnx", "swin_t_op17.onnx"}) {
    SCOPED_TRACE(f);
    const Workload w = load_onnx_workload(test::source_path(std::string("tests/data/onnx/") + f), {});
    expect_consistent_edges(w);
    int inputs = 0, outputs = 0;
    for (const auto& t : w.tensors) {
      inputs += t.producer < 0;
      outputs += t.network_output;
    }
    EXPECT_EQ(inputs, 1);  // the image
    EXPECT_GE(outputs, 1);  // the logits (GoogLeNet's export keeps its aux heads off)
  }
}

// SCALE-Sim layers each read their own IFMAP and write their own OFMAP (the files carry no
// edges); they still run in file order.
TEST(WorkloadTensors, ScaleSimLayersHaveTensorsOfTheirOwnAndRunInOrder) {
  const Workload w = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nc1, 8, 8, 3, 3, 2, 4, 1,\nc2, 10, 10, 1, 1, 3, 5, 1,\n",
      "two.csv");
  ASSERT_EQ(w.kernels.size(), 2u);
  ASSERT_EQ(w.tensors.size(), 4u);
  EXPECT_EQ(w.tensors[w.kernels[1].inputs.at(0)].producer, -1);
  EXPECT_EQ(w.tensors[w.kernels[1].inputs.at(0)].elems, 10 * 10 * 3);
  EXPECT_EQ(w.kernels[1].producers, std::vector<int>{0});
  EXPECT_TRUE(w.tensors[w.kernels[0].outputs.at(0)].network_output);
  expect_consistent_edges(w);
}

}  // namespace
}  // namespace h4h
