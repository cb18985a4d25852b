#pragma once
// Graph: the network as a Boost.Graph DAG of op nodes joined by typed tensors. Built from
// a loaded (shape-resolved, shape-folded) ONNX model; passes rewrite it; lowering turns it
// into a Workload. Nodes are never erased during passes (vertex descriptors stay valid):
// a removed node is marked dead. producer()/consumers() answer from name indexes that a
// rewrite keeps current in O(its degree) (`kill`, `refresh`, `rename_tensor_uses`), so a
// pass is linear in the graph; `rebuild_edges()` re-derives the Boost edges and the
// indexes from tensor names, once after each pass (the pass manager does it).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "frontend/onnx_loader.h"

namespace h4h {

struct AttrValue {
  int64_t i = 0;
  double f = 0.0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
};

struct OpNode {
  std::string name;
  std::string op_type;          // ONNX op, or a fused one: Linear, LayerNorm, GELU
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, AttrValue> attrs;
  std::string activation;       // fused activation, if any
  std::string tag;              // role in a recognized pattern, e.g. "attention.qk"
  std::vector<std::string> absorbed;  // names of nodes fused into this one
  // Learnable parameters folded into this node that are no longer stored as such
  // (e.g. BatchNorm's scale, folded into the conv weights). Counted as parameters only.
  std::vector<std::string> absorbed_params;
  bool alive = true;

  bool has_attr(const std::string& k) const { return attrs.count(k) != 0; }
  int64_t attr_i(const std::string& k, int64_t def) const;
  std::vector<int64_t> attr_ints(const std::string& k) const;
};

struct TensorEdge {
  std::string tensor;
};

using Dag = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, OpNode,
                                  TensorEdge>;
using Vertex = Dag::vertex_descriptor;

class Graph {
 public:
  std::string origin;           // file name, for messages
  int opset = 0;
  int64_t batch = 1;
  Dag dag;
  std::unordered_map<std::string, TensorFacts> tensors;
  std::unordered_map<std::string, ConstTensor> consts;
  std::vector<std::string> graph_outputs;
  std::vector<std::string> data_inputs;
  // Learnable parameter elements of the original model (float parameters; BatchNorm's
  // running statistics and integer buffers are not learnable).
  std::unordered_map<std::string, int64_t> learnable_params;
  // For every static tensor, the original parameters it derives from (a weight's
  // Transpose derives from the weight), so parameters can be attributed to kernels.
  std::unordered_map<std::string, std::vector<std::string>> param_origins;
  // Storage bits a quantized model gives its tensors (frontend/quantized.h).
  std::unordered_map<std::string, int> quantized_bits;

  Vertex add_node(OpNode n);
  void rebuild_edges();
  // After a rewrite changed v's inputs or outputs: v now produces its outputs and consumes
  // its inputs (stale index entries of other nodes are ignored by the queries).
  void refresh(Vertex v);

  // The live node producing `tensor`, or nullopt for graph inputs/params/constants.
  std::optional<Vertex> producer(const std::string& tensor) const;
  // Live consumers, each once, in vertex order.
  std::vector<Vertex> consumers(const std::string& tensor) const;
  // The one live consumer of `tensor` if there is exactly one (stops at the second: O(1)
  // for a tensor read by thousands of nodes).
  std::optional<Vertex> only_consumer(const std::string& tensor) const;
  bool is_graph_output(const std::string& tensor) const;
  // Static = known before execution: parameters, constants, or derived from them only.
  bool is_static(const std::string& tensor) const;
  const TensorFacts& facts(const std::string& tensor) const;
  const std::vector<int64_t>& dims(const std::string& tensor) const;
  int64_t elems(const std::string& tensor) const;
  // Bits the model stores `tensor` at, 0 when it does not say (a float tensor: the
  // config's precision applies): a quantized tensor's width; a static tensor's, the widest
  // quantized parameter it derives from; an activation's, its integer element type's.
  int storage_bits(const std::string& tensor) const;
  // Scalar value of a constant tensor, if it is one (e.g. the 0.5 in GELU).
  std::optional<double> scalar_value(const std::string& tensor) const;

  // Makes every consumer of `from` (and the graph outputs) read `to` instead.
  void rename_tensor_uses(const std::string& from, const std::string& to);
  void kill(Vertex v);

  std::vector<Vertex> live_topological_order() const;
  size_t live_count(const std::string& op_type = "") const;

 private:
  bool consumes(Vertex v, const std::string& tensor) const;
  std::unordered_map<std::string, Vertex> producer_of_;
  std::unordered_map<std::string, std::vector<Vertex>> consumers_of_;      // may hold stale entries
  std::unordered_map<std::string, std::vector<size_t>> output_positions_;  // in graph_outputs
  bool indexed_ = false;  // the indexes above were built (rebuild_edges ran)
};

// Builds the Graph from a loaded model: every remaining node becomes an OpNode; nodes that
// only transform parameters/constants (e.g. Transpose of a weight) become static tensors
// (weight preprocessing an offline compiler does once). Every tensor a live node touches
// must have a resolved shape, else UserError naming the tensor and node; an op outside the
// supported set is a UserError naming the op and node.
Graph build_graph(const LoadedOnnx& model);

// Elements of a tensor of these dims; nullopt if a dim is negative or the product
// overflows 64 bits.
std::optional<int64_t> checked_elems(const std::vector<int64_t>& dims);

// The ONNX ops the frontend understands (before fusion).
bool is_supported_op(const std::string& op_type);
std::vector<std::string> supported_op_types();  // sorted, for `h4hsim list`

}  // namespace h4h
