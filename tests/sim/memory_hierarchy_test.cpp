// The on-chip memory hierarchy across kernels, against hand-computed references: a
// three-kernel chain whose tensors fit, half fit or do not fit the global buffer (exact
// DRAM and on-chip bytes, and the cycles of a kernel that runs wholly on chip); and real
// networks with every buffer above their peak live set, where one cold inference must move
// exactly the weights, the network inputs and the outputs through DRAM. SystemC elaborates
// once per process: each test builds one System (ctest runs every test alone).
#include <gtest/gtest.h>

#include <string>

#include "frontend/frontend.h"
#include "models/npu/vector_unit.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "tests/systemc_test_util.h"

namespace h4h {
namespace {

constexpr int64_t kTensorBytes = 64 * 1024;

// x (network input) → relu → t1 → relu → t2 → relu → y (network output), 64 KiB each, int8.
Workload relu_chain() {
  Workload w;
  w.model = "relu_chain";
  const char* names[] = {"x", "t1", "t2", "y"};
  for (int t = 0; t < 4; ++t) {
    Tensor tensor;
    tensor.name = names[t];
    tensor.shape = {kTensorBytes};
    tensor.elems = kTensorBytes;
    tensor.network_output = t == 3;
    w.tensors.push_back(tensor);
  }
  for (int i = 0; i < 3; ++i) {
    Kernel k;
    k.name = "relu" + std::to_string(i);
    k.cls = KernelClass::vector;
    k.op = "Relu";
    k.output_shape = {kTensorBytes};
    k.input_shapes = {{kTensorBytes}};
    k.inputs = {i};
    k.outputs = {i + 1};
    k.input_elems = k.output_elems = k.vector_ops = kTensorBytes;
    w.kernels.push_back(k);
  }
  link_tensors(w);
  return w;
}

ArchConfig chain_config(int64_t global_buffer_kib) {
  ArchConfig cfg = default_arch_config();
  cfg.memory.global_buffer.capacity_kib = global_buffer_kib;
  validate_arch_config(cfg);
  return cfg;
}

RunStats run_chain(const ArchConfig& cfg) {
  const Workload w = relu_chain();
  SchemaSpec spec;
  spec.schema = Schema::npu_only;
  const Mapping m = map_workload(w, cfg, spec);
  System sys(cfg);
  return sys.run(w, m, RunOptions{});
}

// 1 MiB holds t1 and t2: only x (read once) and y (written once) touch DRAM; t1 and t2 are
// each written and read once in the global buffer.
TEST(MemoryHierarchy, ChainThatFitsMovesOnlyNetworkInputAndOutputThroughDram) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const ArchConfig cfg = chain_config(1024);
  const RunStats st = run_chain(cfg);
  const TrafficBreakdown& t = st.inferences[0].traffic;
  EXPECT_EQ(t.activations_in, kTensorBytes);
  EXPECT_EQ(t.activations_out, kTensorBytes);
  EXPECT_EQ(t.spills, 0);
  EXPECT_EQ(t.weights, 0);
  EXPECT_EQ(t.burst_padding, 0);  // 64 KiB is whole 32-byte bursts
  EXPECT_EQ(st.inferences[0].dram_bytes, 2 * kTensorBytes);
  EXPECT_EQ(t.onchip_read, 2 * kTensorBytes);
  EXPECT_EQ(t.onchip_write, 2 * kTensorBytes);
  // The middle kernel runs wholly on chip, its tiles pipelined (load, compute, store): the
  // global buffer's port moves 64 KiB in and 64 KiB out at 16 banks x 4 B = 64 B/cycle,
  // 2048 cycles, and hides the vector unit's 1024 cycles of compute entirely.
  const int64_t compute = vector_cycles(cfg.npu.vector, vector_op_mix("Relu"), kTensorBytes);
  ASSERT_EQ(compute, 1024);
  for (const KernelRecord& r : st.records) {
    if (r.index != 1) continue;
    const double cycles = (r.end_ns - r.start_ns) * cfg.npu.clock_mhz / 1000.0;
    EXPECT_NEAR(cycles, 2 * kTensorBytes / 64, 1e-6);
    EXPECT_EQ(r.traffic.dram(), 0);
    EXPECT_EQ(r.traffic.onchip(), 2 * kTensorBytes);
  }
}

// 64 KiB holds one of t1, t2 (they live together while the middle kernel runs): the other
// is written to DRAM when produced and read back when consumed.
TEST(MemoryHierarchy, ChainThatHalfFitsSpillsOneTensorWrittenOnceReadOnce) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const RunStats st = run_chain(chain_config(64));
  const TrafficBreakdown& t = st.inferences[0].traffic;
  EXPECT_EQ(t.spills, 2 * kTensorBytes);
  EXPECT_EQ(t.onchip_read + t.onchip_write, 2 * kTensorBytes);
  EXPECT_EQ(st.inferences[0].dram_bytes, 4 * kTensorBytes);
}

// No global buffer: every tensor through DRAM, the same bytes as the ablation.
TEST(MemoryHierarchy, ChainWithoutGlobalBufferMovesEveryTensorThroughDram) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  const RunStats st = run_chain(chain_config(0));
  const TrafficBreakdown& t = st.inferences[0].traffic;
  EXPECT_EQ(t.spills, 4 * kTensorBytes);
  EXPECT_EQ(t.onchip(), 0);
  EXPECT_EQ(st.inferences[0].dram_bytes, 6 * kTensorBytes);
}

TEST(MemoryHierarchy, AblationMovesEveryTensorThroughDramAndNothingOnChip) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  ArchConfig cfg = chain_config(1024);
  cfg.memory.activations_on_chip = false;
  const RunStats st = run_chain(cfg);
  EXPECT_EQ(st.inferences[0].dram_bytes, 6 * kTensorBytes);
  EXPECT_EQ(st.inferences[0].traffic.onchip(), 0);
  EXPECT_EQ(st.inferences[0].energy.global_buffer, 0);
}

// x (64 KiB) → Gemm (256x256 weights) → a → Relu → y, npu_only: the Relu runs on the GEMM's
// output tiles, so a is never written or read; only x, the weights and y move.
// A GEMM (on the array, or on the CIM macros) and the Relu after it: one job, the GEMM's
// output never stored.
void expect_fused_epilogue(Schema schema) {
  Workload w;
  w.model = "gemm_relu";
  const int64_t n = 256;
  for (const char* name : {"x", "a", "y"}) {
    Tensor t;
    t.name = name;
    t.shape = {n, n};
    t.elems = n * n;
    t.network_output = std::string(name) == "y";
    w.tensors.push_back(t);
  }
  Kernel g;
  g.name = "gemm";
  g.cls = KernelClass::linear;
  g.op = "Gemm";
  g.output_shape = {n, n};
  g.input_shapes = {{n, n}};
  g.gemm = {1, n, n, n};
  g.macs = n * n * n;
  g.weight_elems = g.param_elems = n * n;
  g.input_elems = g.output_elems = n * n;
  g.inputs = {0};
  g.outputs = {1};
  Kernel r;
  r.name = "relu";
  r.cls = KernelClass::vector;
  r.op = "Relu";
  r.output_shape = {n, n};
  r.input_shapes = {{n, n}};
  r.input_elems = r.output_elems = r.vector_ops = n * n;
  r.inputs = {1};
  r.outputs = {2};
  w.kernels = {g, r};
  link_tensors(w);
  const ArchConfig cfg = chain_config(1024);
  SchemaSpec spec;
  spec.schema = schema;
  const Mapping m = map_workload(w, cfg, spec);
  System sys(cfg);
  const RunStats st = sys.run(w, m, RunOptions{});
  EXPECT_EQ(st.fused_kernels, 1);
  EXPECT_EQ(st.tensors[1].home, TensorHome::none);
  const TrafficBreakdown& t = st.inferences[0].traffic;
  EXPECT_EQ(t.activations_in, n * n);
  EXPECT_EQ(t.weights, n * n);
  EXPECT_EQ(t.activations_out, n * n);
  EXPECT_EQ(t.spills, 0);
  EXPECT_EQ(t.onchip(), 0);
  ASSERT_EQ(st.records.size(), 2u);
  EXPECT_EQ(st.records[1].fused_into, 0);
  EXPECT_EQ(st.records[1].start_ns, st.records[0].start_ns);
  EXPECT_EQ(st.records[1].end_ns, st.records[0].end_ns);
  // The epilogue's lane-ops are counted (its energy is in the GEMM's record).
  EXPECT_EQ(st.records[0].result.vector_lane_ops,
            n * n * vector_op_mix("Relu").lane_ops());
}

TEST(MemoryHierarchy, AFusedEpilogueNeverStoresTheGemmOutput) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  expect_fused_epilogue(Schema::npu_only);
}

TEST(MemoryHierarchy, ACimLayersFusedEpilogueNeverStoresItsOutputEither) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  expect_fused_epilogue(Schema::cim_static);
}

std::string src(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }

// Every buffer far above the peak live set (the NPU SRAMs above every operand, so no ifmap
// is re-read; the CIM input buffer above every input slice, so none is re-read either): a cold inference reads each weight and network input once and writes
// each network output once, and moves nothing else through DRAM.
TEST(MemoryHierarchy, WithBuffersAboveThePeakAColdInferenceMovesExactlyWeightsInputsAndOutputs) {
  H4H_REQUIRE_FRESH_SYSTEMC();
  ArchConfig cfg = load_arch_config(src("arch_configs/hetero.yaml"));
  cfg.memory.global_buffer.capacity_kib = 1 << 20;  // 1 GiB
  cfg.npu.sram.ifmap_kib = cfg.npu.sram.filter_kib = cfg.npu.sram.ofmap_kib = 1 << 18;
  cfg.cim.input_buffer_kib = 1 << 18;
  validate_arch_config(cfg);
  System sys(cfg);
  for (const char* model : {"resnet18_op13", "mobilenet_v2_op13", "vit_b_16_op13", "efficientnet_b0_op17"})
    for (Schema schema : {Schema::npu_only, Schema::hetero_parallel, Schema::cim_static}) {
      const Workload w = load_workload(src(std::string("tests/data/onnx/") + model + ".onnx"), {});
      SchemaSpec spec;
      spec.schema = schema;
      if (schema == Schema::cim_static && model == std::string("vit_b_16_op13")) continue;
      const Mapping m = map_workload(w, cfg, spec);
      const RunStats st = sys.run(w, m, RunOptions{});
      SCOPED_TRACE(std::string(model) + " " + to_string(schema));
      int64_t weights = 0, inputs = 0, outputs = 0;
      for (const Kernel& k : w.kernels) weights += w.weight_bytes(k);
      for (const Tensor& t : w.tensors) {
        if (t.producer < 0) inputs += w.tensor_bytes(t) * static_cast<int64_t>(t.consumers.size());
        if (t.network_output) outputs += w.tensor_bytes(t);
      }
      const TrafficBreakdown& t = st.inferences[0].traffic;
      EXPECT_EQ(t.weights, weights);
      EXPECT_EQ(t.activations_in, inputs);
      EXPECT_EQ(t.activations_out, outputs);
      EXPECT_EQ(t.spills, 0);
      EXPECT_EQ(st.inferences[0].dram_bytes, weights + inputs + outputs + t.burst_padding);
      // What rounds up to whole 32-byte bursts is at most one burst per DMA chunk or so.
      EXPECT_LT(t.burst_padding, (weights + inputs + outputs) / 100);
    }
}

}  // namespace
}  // namespace h4h
