#pragma once
// Workload: what a network asks of the hardware, as a DAG of kernels. It is the contract
// between the frontends (ONNX, SCALE-Sim topologies, NAS subnets) and the simulator.
#include <cstdint>
#include <string>
#include <vector>

namespace h4h {

// Bounds that keep every count of a workload, and the simulator's sums of them over up to
// 1000 inferences at up to 4 bytes per element, far inside int64 (and exact in a double
// up to 2^53). A model past them is refused with a UserError, never wrapped around.
constexpr int64_t kMaxTensorElems = int64_t{1} << 40;   // one tensor
constexpr int64_t kMaxWorkloadMacs = int64_t{1} << 50;  // one kernel, and the whole network
constexpr int64_t kMaxWorkloadElems = int64_t{1}
                                      << 50;  // elements read + written + weights, in all

enum class KernelClass { conv, linear, matmul, vector, pool, data_movement };

const char* to_string(KernelClass c);

// The ops a kernel of a GEMM class (conv, linear, matmul) can carry, as the frontends name
// them (lower.cpp after the fusion passes, scalesim_topology.cpp); empty for the other
// classes. Custom schema rules are checked against it, so a rule that can match no kernel
// is refused when it is read instead of being ignored.
const std::vector<std::string>& gemm_ops_of(KernelClass c);

using Shape = std::vector<int64_t>;

// Geometry of a convolution (also depthwise/grouped) in NCHW. Output size is already
// resolved by the frontend (ONNX padding rules or SCALE-Sim's no-padding rule).
struct ConvGeometry {
  int64_t batch = 1;
  int64_t in_channels = 0;
  int64_t in_h = 0, in_w = 0;
  int64_t out_channels = 0;
  int64_t out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t groups = 1;
};

// Geometry of a GEMM: `batch` independent products of (m x k) * (k x n).
// For linear kernels the (k x n) operand is the static weight; for matmul both are dynamic.
struct GemmGeometry {
  int64_t batch = 1;
  int64_t m = 0, n = 0, k = 0;
};

// An activation tensor: one edge of the kernel DAG, written by one kernel (or a network
// input) and read by any number. Static weights are not tensors here; they are a kernel's
// own operand (Kernel::weight_elems), streamed from DRAM by the unit that runs it.
struct Tensor {
  std::string name;             // the ONNX value name (or a synthesized one)
  Shape shape;                  // empty when the frontend could not infer it
  int64_t elems = 0;
  int producer = -1;            // kernel that writes it; -1 = a network input
  std::vector<int> consumers;   // kernels that read it, ascending, each once
  bool network_output = false;  // leaves the network (an ONNX graph output)
  int bits = 0;                 // storage precision; 0 = the workload's activation_bits
};

struct Kernel {
  std::string name;       // the ONNX node name (or a synthesized one), unique in the workload
  KernelClass cls = KernelClass::vector;
  std::string op;         // what it computes: "Conv", "Gemm", "MatMul", "Softmax", "LayerNorm",
                          // "GELU", "Add", "MaxPool", "Transpose", ... (after fusion passes)
  std::string activation; // fused activation ("Relu", "Clip", "HardSwish", ...) or empty
  std::string tag;        // role in a recognized pattern ("attention.qk", ...) or empty
  Shape output_shape;
  std::vector<Shape> input_shapes;  // dynamic (activation) inputs only, not weights
  ConvGeometry conv;      // valid when cls == conv
  GemmGeometry gemm;      // valid when cls == linear or matmul (and for conv, its GEMM view)

  int64_t macs = 0;             // Conv: N*Cout*Hout*Wout*(Cin/g)*kh*kw; GEMM: out elems * K
  int64_t weight_elems = 0;     // static operands stored for this kernel (weights + bias)
  int64_t param_elems = 0;      // learnable parameters of the source model it carries
                                // (differs from weight_elems by folded BatchNorm scales)
  int64_t input_elems = 0;      // dynamic inputs read
  int64_t output_elems = 0;     // elements written
  int64_t vector_ops = 0;       // vector/pool: elementwise operations performed
  bool is_copy = true;          // data_movement: false = a view that costs nothing

  std::vector<int> inputs;      // tensors read, in operand order (an operand read twice
                                // appears twice: input_elems is their sum)
  std::vector<int> outputs;     // tensors written (output_elems is their sum)
  // Kernels this one waits for: the producers of its input tensors, plus any ordering-only
  // dependency a frontend adds (SCALE-Sim layers run in file order). Filled by link_tensors.
  std::vector<int> producers;
  // Storage precision of its weights and of its activations (inputs and outputs); 0 = the
  // workload's weight_bits / activation_bits.
  int weight_bits = 0, activation_bits = 0;
};

struct Workload {
  std::string model;            // file name or topology name
  int64_t batch = 1;
  // Storage precision of what does not say its own (Tensor::bits, Kernel::weight_bits and
  // activation_bits): int8 by default. Bytes are whole: ⌈elements x bits / 8⌉.
  int activation_bits = 8, weight_bits = 8;
  std::vector<Kernel> kernels;  // topological order: producers come first
  std::vector<Tensor> tensors;  // activation tensors; Kernel::inputs/outputs index them

  int64_t total_macs() const;
  int64_t total_params() const;
  int bits_of(const Tensor& t) const { return t.bits > 0 ? t.bits : activation_bits; }
  int weight_bits_of(const Kernel& k) const { return k.weight_bits > 0 ? k.weight_bits : weight_bits; }
  int activation_bits_of(const Kernel& k) const { return k.activation_bits > 0 ? k.activation_bits : activation_bits; }
  int64_t tensor_bytes(const Tensor& t) const { return bytes_at(t.elems, bits_of(t)); }
  int64_t tensor_bytes(int t) const { return tensor_bytes(tensors[static_cast<size_t>(t)]); }
  int64_t weight_bytes(const Kernel& k) const { return bytes_at(k.weight_elems, weight_bits_of(k)); }
  // What a kernel reads and writes: its tensors at their own precision when they account
  // for all its elements (a quantized model's int32 accumulator, a layer a rule narrowed,
  // read by a wider one), else its elements at its activation precision.
  int64_t input_bytes(const Kernel& k) const { return operand_bytes(k.inputs, k.input_elems, k); }
  int64_t output_bytes(const Kernel& k) const {
    return operand_bytes(k.outputs, k.output_elems, k);
  }
  // Bytes per activation element where a model needs a whole number (SRAM traffic at the
  // array edge): ⌈activation_bits / 8⌉.
  int activation_bytes_per_elem() const { return (activation_bits + 7) / 8; }
  static int64_t bytes_at(int64_t elems, int bits) { return (elems * bits + 7) / 8; }

 private:
  int64_t operand_bytes(const std::vector<int>& ts, int64_t elems, const Kernel& k) const;
};

// Derives the DAG's links from the kernels' inputs/outputs: each tensor's producer and
// consumers, and each kernel's producers (its tensors' producers, after any it already
// lists, each once, in order of first appearance). Frontends call it once when done.
void link_tensors(Workload& w);

// UserError naming the model and kernel when a count passes the bounds above.
void check_workload_limits(const Workload& w);

}  // namespace h4h
