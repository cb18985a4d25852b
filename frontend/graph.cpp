#include "frontend/graph.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <unordered_set>

#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/einsum.h"
#include "frontend/user_error.h"
#include "frontend/workload.h"

namespace h4h {
namespace {

const std::unordered_set<std::string>& supported_ops() {
  static const std::unordered_set<std::string> ops = {
      // conv / GEMM
      "Conv", "Gemm", "MatMul", "Einsum",
      // vector: elementwise, activations, normalizations, reductions
      "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal",
      "Erf", "Relu", "Clip", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "LeakyRelu",
      "PRelu", "Elu", "Selu", "Softplus", "Softmax", "LogSoftmax", "LayerNormalization",
      "BatchNormalization", "InstanceNormalization", "ReduceMean", "ReduceSum", "ReduceMax",
      "Min", "Max", "Where", "Equal", "Less", "Greater", "Not", "Cast", "Floor", "Ceil",
      "Resize",
      // quantization left after frontend/quantized.h (at the network's edges; dynamic)
      "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
      // pooling
      "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
      // data movement
      "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Slice",
      "Pad", "Gather", "Expand", "Tile", "Identity", "Dropout", "ScatterND",
      // shape arithmetic that normally folds away (kept only if its input stays unknown)
      "Shape", "Size", "Constant", "ConstantOfShape", "Range",
  };
  return ops;
}

AttrValue to_attr(const onnx::AttributeProto& a) {
  AttrValue v;
  v.i = a.i();
  v.f = a.f();
  v.s = a.s();
  v.ints.assign(a.ints().begin(), a.ints().end());
  v.floats.assign(a.floats().begin(), a.floats().end());
  return v;
}

// Why a Reshape with a constant target has no output shape, when the target explains it.
std::optional<std::string> reshape_problem(const Graph& g, const OpNode& op) {
  if (op.op_type != "Reshape" || op.inputs.size() < 2) return std::nullopt;
  auto c = g.consts.find(op.inputs[1]);
  if (c == g.consts.end()) return std::nullopt;
  const std::vector<int64_t> target = c->second.as_ints();
  const bool allowzero = op.attr_i("allowzero", 0) != 0;
  const std::string text = fmt::format("[{}]", fmt::join(target, ", "));
  int infer = 0;
  for (int64_t d : target) {
    if (d < -1)
      return fmt::format("target {} has the dim {}; only -1 (infer it) may be negative", text, d);
    infer += d == -1;
  }
  if (infer > 1) return fmt::format("target {} has more than one -1", text);
  if (allowzero && infer == 1 && std::count(target.begin(), target.end(), 0) > 0)
    return fmt::format("target {} has both -1 and 0 with allowzero=1", text);
  const TensorFacts& in = g.facts(op.inputs[0]);
  std::vector<int64_t> known;
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k] == -1) continue;
    if (target[k] == 0 && !allowzero) {
      if (!in.shape_known || k >= in.dims.size()) return std::nullopt;
      known.push_back(in.dims[k]);
    } else {
      known.push_back(target[k]);
    }
  }
  const auto target_elems = checked_elems(known);
  if (!target_elems)
    return fmt::format("target {} overflows 64 bits (its dims multiply past 2^63)", text);
  if (!in.shape_known) return std::nullopt;
  const auto in_elems = checked_elems(in.dims);
  if (!in_elems) return std::nullopt;
  const std::string from = fmt::format("tensor '{}' [{}] ({} elements)", op.inputs[0],
                                       fmt::join(in.dims, ", "), *in_elems);
  if (infer == 0 && *target_elems != *in_elems)
    return fmt::format("cannot reshape {} to {} ({} elements)", from, text, *target_elems);
  if (infer == 1 && (*target_elems == 0 || *in_elems % *target_elems != 0))
    return fmt::format("cannot reshape {} to {}: no -1 makes the counts match", from, text);
  return std::nullopt;
}

std::string tensor_text(const Graph& g, const std::string& name) {
  return fmt::format("'{}' [{}]", name, fmt::join(g.dims(name), ", "));
}

// Whether the named inputs of `op` all have known shapes.
bool shapes_known(const Graph& g, const OpNode& op, std::initializer_list<size_t> inputs) {
  for (size_t i : inputs)
    if (i >= op.inputs.size() || op.inputs[i].empty() || !g.facts(op.inputs[i]).shape_known)
      return false;
  return true;
}

// Conv and pooling: on every spatial axis the dilated kernel must fit in the padded input,
// or ONNX's inference computes a dim <= 0 and leaves the output unknown.
std::optional<std::string> window_problem(const Graph& g, const OpNode& op,
                                          const std::vector<int64_t>& kernel) {
  const auto& x = g.dims(op.inputs[0]);
  if (x.size() != kernel.size() + 2) return std::nullopt;  // ranks: ONNX's and lowering's check
  const auto it = op.attrs.find("auto_pad");
  const std::string auto_pad = it == op.attrs.end() ? "NOTSET" : it->second.s;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") return std::nullopt;  // never shrinks
  const auto pads = auto_pad == "VALID" ? std::vector<int64_t>{} : op.attr_ints("pads");
  const auto dilations = op.attr_ints("dilations");
  for (size_t a = 0; a < kernel.size(); ++a) {
    const int64_t dilation = a < dilations.size() ? dilations[a] : 1;
    const int64_t pad_begin = a < pads.size() ? pads[a] : 0;
    const int64_t pad_end = a + kernel.size() < pads.size() ? pads[a + kernel.size()] : 0;
    int64_t span = 0, padded = 0;
    const bool span_overflows = __builtin_mul_overflow(kernel[a] - 1, dilation, &span) ||
                                __builtin_add_overflow(span, 1, &span);
    const bool padded_overflows = __builtin_add_overflow(x[a + 2], pad_begin, &padded) ||
                                  __builtin_add_overflow(padded, pad_end, &padded);
    if (padded_overflows || (!span_overflows && span <= padded)) continue;
    return fmt::format("on spatial axis {} the kernel spans {} (kernel {}, dilation {}), more "
                       "than input {} has there with its pads ({} + {} + {})",
                       a, span_overflows ? "more than 2^63" : std::to_string(span), kernel[a],
                       dilation, tensor_text(g, op.inputs[0]), x[a + 2], pad_begin, pad_end);
  }
  return std::nullopt;
}

// Conv: X [N, C, ...], W [M, C/group, k...]. ONNX 1.12's inference relates neither C nor M
// to the group, so a mismatch got an output shape and invented MACs.
std::optional<std::string> conv_problem(const Graph& g, const OpNode& op) {
  if (!shapes_known(g, op, {0, 1})) return std::nullopt;
  const auto& x = g.dims(op.inputs[0]);
  const auto& w = g.dims(op.inputs[1]);
  if (x.size() < 3 || w.size() != x.size()) return std::nullopt;  // ranks: checked at inference
  const int64_t group = op.attr_i("group", 1);
  if (group < 1) return fmt::format("group {} must be >= 1", group);
  int64_t channels = 0;
  const bool channels_overflow = __builtin_mul_overflow(group, w[1], &channels);
  if (channels_overflow || channels != x[1])
    return fmt::format("input {} has {} channels, but weight {} with group {} takes {} ({} x {}; "
                       "C must equal group x W.shape[1])",
                       tensor_text(g, op.inputs[0]), x[1], tensor_text(g, op.inputs[1]), group,
                       channels_overflow ? "more than 2^63" : std::to_string(channels), group, w[1]);
  if (w[0] % group != 0)
    return fmt::format("weight {} has {} filters, not a multiple of group {}",
                       tensor_text(g, op.inputs[1]), w[0], group);
  if (shapes_known(g, op, {2}) && g.dims(op.inputs[2]) != std::vector<int64_t>{w[0]})
    return fmt::format("bias {} must be [{}], one value per filter of weight {}",
                       tensor_text(g, op.inputs[2]), w[0], tensor_text(g, op.inputs[1]));
  const std::vector<int64_t> weight_kernel(w.begin() + 2, w.end());
  const auto kernel_shape = op.attr_ints("kernel_shape");
  if (op.attrs.count("kernel_shape") && kernel_shape != weight_kernel)
    return fmt::format("kernel_shape [{}] is not the spatial size [{}] of weight {}",
                       fmt::join(kernel_shape, ", "), fmt::join(weight_kernel, ", "),
                       tensor_text(g, op.inputs[1]));
  return window_problem(g, op, weight_kernel);
}

std::optional<std::string> pool_problem(const Graph& g, const OpNode& op) {
  if (!shapes_known(g, op, {0})) return std::nullopt;
  return window_problem(g, op, op.attr_ints("kernel_shape"));
}

// MatMul (numpy semantics) and Gemm: the reduction dims of A and B must agree (and MatMul's
// batch dims broadcast); else ONNX's inference fails and leaves the output unknown.
std::optional<std::string> gemm_problem(const Graph& g, const OpNode& op) {
  if (!shapes_known(g, op, {0, 1})) return std::nullopt;
  auto a = g.dims(op.inputs[0]);
  auto b = g.dims(op.inputs[1]);
  const std::string a_text = tensor_text(g, op.inputs[0]), b_text = tensor_text(g, op.inputs[1]);
  if (op.op_type == "Gemm") {
    if (a.size() != 2 || b.size() != 2)
      return fmt::format("A {} and B {} must both be 2-D", a_text, b_text);
    const int64_t trans_a = op.attr_i("transA", 0), trans_b = op.attr_i("transB", 0);
    const int64_t k_a = trans_a ? a[0] : a[1], k_b = trans_b ? b[1] : b[0];
    if (k_a != k_b)
      return fmt::format("A {} (transA {}) has K = {} but B {} (transB {}) has K = {}", a_text,
                         trans_a, k_a, b_text, trans_b, k_b);
    return std::nullopt;
  }
  if (a.empty() || b.empty()) return fmt::format("A {} and B {} must not be scalars", a_text, b_text);
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return fmt::format("A {} has K = {} (its last dim) but B {} has K = {} (its second-to-last "
                       "dim)", a_text, a.back(), b_text, b[b.size() - 2]);
  for (size_t i = 3; i <= std::min(a.size(), b.size()); ++i) {
    const int64_t da = a[a.size() - i], db = b[b.size() - i];
    if (da != db && da != 1 && db != 1)
      return fmt::format("the batch dims of A {} and B {} do not broadcast ({} vs {})", a_text,
                         b_text, da, db);
  }
  return std::nullopt;
}

// Einsum: a label's size must agree across operands (or be 1, which broadcasts); else the
// output is left unknown (frontend/einsum.cpp) and lowering would take the larger size.
std::optional<std::string> einsum_problem(const Graph& g, const OpNode& op) {
  std::vector<size_t> ranks;
  for (size_t i = 0; i < op.inputs.size(); ++i) {
    if (!shapes_known(g, op, {i})) return std::nullopt;
    ranks.push_back(g.dims(op.inputs[i]).size());
  }
  const auto it = op.attrs.find("equation");
  const auto labels = parse_einsum(it == op.attrs.end() ? "" : it->second.s, ranks);
  if (!labels) return std::nullopt;  // lowering names an equation it cannot read
  std::map<std::string, std::pair<int64_t, size_t>> first;  // label -> (size, operand)
  for (size_t i = 0; i < ranks.size(); ++i)
    for (size_t d = 0; d < ranks[i]; ++d) {
      const int64_t size = g.dims(op.inputs[i])[d];
      const auto [seen, added] = first.emplace(labels->inputs[i][d], std::pair{size, i});
      const int64_t before = seen->second.first;
      if (added || size == before || size == 1) continue;
      if (before == 1) {
        seen->second = {size, i};
        continue;
      }
      return fmt::format("label '{}' of '{}' is {} in {} but {} in {}", labels->inputs[i][d],
                         it->second.s, before, tensor_text(g, op.inputs[seen->second.second]),
                         size, tensor_text(g, op.inputs[i]));
    }
  return std::nullopt;
}

// What is inconsistent about a node's attributes and its inputs' shapes, for the relations
// ONNX's checker and 1.12's shape inference do not state (they accepted the node, or left
// its output unknown, which was then blamed on a dynamic dim).
std::optional<std::string> node_problem(const Graph& g, const OpNode& op) {
  if (op.op_type == "Reshape") return reshape_problem(g, op);
  if (op.op_type == "Conv") return conv_problem(g, op);
  if (op.op_type == "MaxPool" || op.op_type == "AveragePool") return pool_problem(g, op);
  if (op.op_type == "MatMul" || op.op_type == "Gemm") return gemm_problem(g, op);
  if (op.op_type == "Einsum") return einsum_problem(g, op);
  return std::nullopt;
}

// The tensors whose shape depends on a dynamic graph input (one --batch does not fix).
std::unordered_set<std::string> dynamic_dependents(const LoadedOnnx& model) {
  std::unordered_set<std::string> tainted(model.dynamic_inputs.begin(), model.dynamic_inputs.end());
  if (tainted.empty()) return tainted;
  for (const auto& n : model.model.graph().node())  // topologically sorted by the loader
    if (std::any_of(n.input().begin(), n.input().end(),
                    [&](const std::string& in) { return tainted.count(in) != 0; }))
      tainted.insert(n.output().begin(), n.output().end());
  return tainted;
}

}  // namespace

std::optional<int64_t> checked_elems(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(p, d, &p)) return std::nullopt;
  return p;
}

bool is_supported_op(const std::string& op_type) { return supported_ops().count(op_type) != 0; }

std::vector<std::string> supported_op_types() {
  std::vector<std::string> ops(supported_ops().begin(), supported_ops().end());
  std::sort(ops.begin(), ops.end());
  return ops;
}

int64_t OpNode::attr_i(const std::string& k, int64_t def) const {
  auto it = attrs.find(k);
  return it == attrs.end() ? def : it->second.i;
}

std::vector<int64_t> OpNode::attr_ints(const std::string& k) const {
  auto it = attrs.find(k);
  return it == attrs.end() ? std::vector<int64_t>{} : it->second.ints;
}

Vertex Graph::add_node(OpNode n) { return boost::add_vertex(std::move(n), dag); }

void Graph::rebuild_edges() {
  // A fresh edge set, the nodes moved out and back (clearing vertex by vertex is quadratic
  // for a high fan-out tensor, and Boost's adjacency_list::swap copies the whole graph);
  // vertex descriptors are kept.
  const size_t n = boost::num_vertices(dag);
  std::vector<OpNode> nodes(n);
  for (size_t v = 0; v < n; ++v) nodes[v] = std::move(dag[v]);
  dag.clear();
  for (size_t v = 0; v < n; ++v) boost::add_vertex(dag);
  for (size_t v = 0; v < n; ++v) dag[v] = std::move(nodes[v]);
  producer_of_.clear();
  consumers_of_.clear();
  output_positions_.clear();
  for (size_t i = 0; i < graph_outputs.size(); ++i)
    output_positions_[graph_outputs[i]].push_back(i);
  for (auto v : boost::make_iterator_range(boost::vertices(dag))) {
    if (!dag[v].alive) continue;
    for (const auto& o : dag[v].outputs)
      if (!o.empty()) producer_of_[o] = v;
  }
  for (auto v : boost::make_iterator_range(boost::vertices(dag))) {
    if (!dag[v].alive) continue;
    for (const auto& in : dag[v].inputs) {
      if (in.empty()) continue;
      auto& users = consumers_of_[in];
      if (users.empty() || users.back() != v) users.push_back(v);
      auto it = producer_of_.find(in);
      if (it != producer_of_.end()) boost::add_edge(it->second, v, TensorEdge{in}, dag);
    }
  }
  indexed_ = true;
}

void Graph::refresh(Vertex v) {
  for (const auto& o : dag[v].outputs)
    if (!o.empty()) producer_of_[o] = v;
  for (const auto& in : dag[v].inputs) {
    if (in.empty()) continue;
    auto& users = consumers_of_[in];
    if (users.empty() || users.back() != v) users.push_back(v);
  }
}

bool Graph::consumes(Vertex v, const std::string& tensor) const {
  const auto& ins = dag[v].inputs;
  return dag[v].alive && std::find(ins.begin(), ins.end(), tensor) != ins.end();
}

std::optional<Vertex> Graph::producer(const std::string& tensor) const {
  auto it = producer_of_.find(tensor);
  if (it == producer_of_.end() || !dag[it->second].alive) return std::nullopt;
  const auto& outs = dag[it->second].outputs;
  if (std::find(outs.begin(), outs.end(), tensor) == outs.end()) return std::nullopt;  // stale
  return it->second;
}

std::vector<Vertex> Graph::consumers(const std::string& tensor) const {
  std::vector<Vertex> out;
  auto it = consumers_of_.find(tensor);
  if (it == consumers_of_.end()) return out;
  for (Vertex v : it->second)
    if (consumes(v, tensor)) out.push_back(v);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<Vertex> Graph::only_consumer(const std::string& tensor) const {
  auto it = consumers_of_.find(tensor);
  if (it == consumers_of_.end()) return std::nullopt;
  std::optional<Vertex> one;
  for (Vertex v : it->second) {
    if (!consumes(v, tensor) || (one && *one == v)) continue;
    if (one) return std::nullopt;  // a second one
    one = v;
  }
  return one;
}

bool Graph::is_graph_output(const std::string& tensor) const {
  if (!indexed_)  // during build_graph, before the first rebuild_edges
    return std::find(graph_outputs.begin(), graph_outputs.end(), tensor) != graph_outputs.end();
  return output_positions_.count(tensor) != 0;
}

bool Graph::is_static(const std::string& tensor) const {
  auto it = tensors.find(tensor);
  return it != tensors.end() && it->second.kind != TensorKind::activation;
}

const TensorFacts& Graph::facts(const std::string& tensor) const {
  static const TensorFacts unknown;
  auto it = tensors.find(tensor);
  return it == tensors.end() ? unknown : it->second;
}

const std::vector<int64_t>& Graph::dims(const std::string& tensor) const {
  return facts(tensor).dims;
}

int64_t Graph::elems(const std::string& tensor) const {
  int64_t p = 1;
  for (int64_t d : dims(tensor)) p *= d;
  return p;
}

int Graph::storage_bits(const std::string& tensor) const {
  if (auto it = quantized_bits.find(tensor); it != quantized_bits.end()) return it->second;
  if (is_static(tensor)) {
    int bits = 0;
    if (auto o = param_origins.find(tensor); o != param_origins.end())
      for (const auto& p : o->second)
        if (auto q = quantized_bits.find(p); q != quantized_bits.end()) bits = std::max(bits, q->second);
    return bits;
  }
  return integer_dtype_bits(facts(tensor).dtype);
}

std::optional<double> Graph::scalar_value(const std::string& tensor) const {
  auto it = consts.find(tensor);
  if (it == consts.end() || it->second.size() != 1) return std::nullopt;
  return it->second.float_at(0);
}

void Graph::rename_tensor_uses(const std::string& from, const std::string& to) {
  if (from == to) return;
  if (!indexed_) rebuild_edges();
  auto users = consumers_of_.find(from);
  if (users != consumers_of_.end()) {
    const std::vector<Vertex> list = std::move(users->second);
    consumers_of_.erase(users);
    auto& to_users = consumers_of_[to];
    for (Vertex v : list) {
      if (!dag[v].alive) continue;
      bool used = false;
      for (auto& in : dag[v].inputs)
        if (in == from) in = to, used = true;
      if (used && (to_users.empty() || to_users.back() != v)) to_users.push_back(v);
    }
  }
  auto outs = output_positions_.find(from);
  if (outs != output_positions_.end()) {
    const std::vector<size_t> positions = std::move(outs->second);
    output_positions_.erase(outs);
    auto& to_positions = output_positions_[to];
    for (size_t i : positions) {
      graph_outputs[i] = to;
      to_positions.push_back(i);
    }
  }
}

// The Boost edges of a dead node stay until the pass ends (rebuild_edges drops them):
// removing them one by one is quadratic for a node of a high fan-out tensor. Queries skip
// dead nodes.
void Graph::kill(Vertex v) { dag[v].alive = false; }

std::vector<Vertex> Graph::live_topological_order() const {
  std::vector<Vertex> rev;
  try {
    boost::topological_sort(dag, std::back_inserter(rev));
  } catch (const boost::not_a_dag&) {
    throw UserError(fmt::format("{}: the graph has a cycle", origin));
  }
  std::vector<Vertex> order;
  for (auto it = rev.rbegin(); it != rev.rend(); ++it)
    if (dag[*it].alive) order.push_back(*it);
  // Ties are broken by vertex index, which is the (already topological) ONNX order, so the
  // order is deterministic.
  return order;
}

size_t Graph::live_count(const std::string& op_type) const {
  size_t n = 0;
  for (auto v : boost::make_iterator_range(boost::vertices(dag)))
    if (dag[v].alive && (op_type.empty() || dag[v].op_type == op_type)) ++n;
  return n;
}

Graph build_graph(const LoadedOnnx& model) {
  Graph g;
  g.origin = model.path;
  g.opset = model.opset;
  g.tensors = model.tensors;
  g.consts = model.consts;
  g.data_inputs = model.data_inputs;
  g.quantized_bits = model.quantized.bits;
  for (const auto& o : model.model.graph().output()) g.graph_outputs.push_back(o.name());
  for (const auto& d : model.data_inputs) g.tensors[d].kind = TensorKind::activation;

  // Learnable parameters, for the parameter count architects compare with the paper's.
  std::unordered_set<std::string> bn_stats;
  for (const auto& n : model.model.graph().node())
    if (n.op_type() == "BatchNormalization")
      for (int k = 3; k < std::min(5, n.input_size()); ++k) bn_stats.insert(n.input(k));
  std::unordered_set<std::string> used;
  for (const auto& n : model.model.graph().node())
    for (const auto& in : n.input()) used.insert(in);
  for (const auto& p : model.graph_params) {
    const auto& f = g.facts(p);
    const bool is_float = f.dtype == onnx::TensorProto::FLOAT || f.dtype == onnx::TensorProto::DOUBLE ||
                          f.dtype == onnx::TensorProto::FLOAT16 || f.dtype == onnx::TensorProto::BFLOAT16;
    // A quantized model's integer weights and biases are its parameters too.
    const bool quantized_param = model.quantized.params.count(p) != 0;
    if ((is_float || quantized_param) && used.count(p) && !bn_stats.count(p) && f.shape_known) {
      const auto n = checked_elems(f.dims);
      if (!n || *n > kMaxTensorElems)
        throw UserError(
            fmt::format("{}: parameter '{}' has shape [{}]: more than 2^40 elements, "
                        "h4hsim's limit for one tensor",
                        g.origin, p, fmt::join(f.dims, ", ")));
      g.learnable_params[p] = *n;
    }
  }

  for (const auto& p : model.graph_params) g.param_origins[p] = {p};
  for (const auto& n : model.model.graph().node()) {
    OpNode op;
    op.name = n.name();
    op.op_type = n.op_type();
    op.inputs.assign(n.input().begin(), n.input().end());
    op.outputs.assign(n.output().begin(), n.output().end());
    for (const auto& a : n.attribute()) op.attrs[a.name()] = to_attr(a);
    // Weight preprocessing (a Transpose or Slice of a parameter, a Constant too large to
    // fold): known before execution, so it is no kernel; its outputs are static tensors.
    bool all_static = true;
    for (const auto& in : op.inputs)
      if (!in.empty() && !g.is_static(in)) all_static = false;
    if (all_static) {
      bool derives_param = false;
      for (const auto& in : op.inputs)
        if (!in.empty() && g.facts(in).kind == TensorKind::param) derives_param = true;
      std::vector<std::string> origins;
      for (const auto& in : op.inputs) {
        auto it = g.param_origins.find(in);
        if (it != g.param_origins.end())
          origins.insert(origins.end(), it->second.begin(), it->second.end());
      }
      for (const auto& o : op.outputs) {
        if (o.empty()) continue;
        g.tensors[o].kind = derives_param ? TensorKind::param : TensorKind::constant;
        g.param_origins[o] = origins;
      }
      continue;
    }
    if (!is_supported_op(op.op_type))
      throw UserError(fmt::format("{}: unsupported op '{}' (node '{}')", g.origin, op.op_type,
                                  op.name));
    g.add_node(std::move(op));
  }
  // Every tensor a kernel touches must have a concrete shape by now, of a size whose
  // counts (elements, bytes, MACs) cannot overflow; activations must not be empty.
  const std::unordered_set<std::string> graph_outputs(g.graph_outputs.begin(),
                                                      g.graph_outputs.end());
  const std::unordered_set<std::string> dynamic = dynamic_dependents(model);
  for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
    const OpNode& op = g.dag[v];
    // ONNX's inference takes a constant Reshape target as it is, even when it holds another
    // number of elements than the input (it printed [3, 4] for 8 elements): checked here.
    if (auto why = node_problem(g, op))
      throw UserError(fmt::format("{}: node '{}' ({}): {}", g.origin, op.name, op.op_type, *why));
    auto check = [&](const std::string& t, const char* role) {
      if (t.empty()) return;
      const TensorFacts& f = g.facts(t);
      const std::string where =
          fmt::format("tensor '{}' ({} of node '{}' ({}))", t, role, op.name, op.op_type);
      if (!f.shape_known) {
        if (dynamic.count(t))
          throw UserError(fmt::format(
              "{}: cannot resolve the shape of {}; a dynamic dim other than the batch? only the "
              "first dim of a data input is fixed from --batch",
              g.origin, where));
        std::vector<std::string> inputs;
        for (const auto& in : op.inputs)
          if (!in.empty())
            inputs.push_back(g.facts(in).shape_known ? tensor_text(g, in) : fmt::format("'{}' [?]", in));
        throw UserError(fmt::format(
            "{}: cannot resolve the shape of {}: ONNX shape inference finds none from the "
            "node's attributes and its inputs {}, and no dynamic dim is involved, so these are "
            "inconsistent",
            g.origin, where, fmt::join(inputs, ", ")));
      }
      const bool overflows = !checked_elems(f.dims);
      if (overflows || *checked_elems(f.dims) > kMaxTensorElems)
        throw UserError(fmt::format(
            "{}: {} has shape [{}]: more than 2^40 elements{}, h4hsim's limit for one tensor",
            g.origin, where, fmt::join(f.dims, ", "),
            overflows ? " (the product overflows 64 bits)" : ""));
      if (f.kind == TensorKind::activation && std::count(f.dims.begin(), f.dims.end(), 0) > 0)
        throw UserError(fmt::format("{}: {} has shape [{}]: an empty tensor, nothing to simulate",
                                    g.origin, where, fmt::join(f.dims, ", ")));
    };
    for (const auto& t : op.inputs) check(t, "input");
    // Optional outputs nobody reads (Dropout's mask, MaxPool's indices) need no shape.
    for (size_t k = 0; k < op.outputs.size(); ++k)
      if (k == 0 || used.count(op.outputs[k]) || graph_outputs.count(op.outputs[k]))
        check(op.outputs[k], "output");
  }
  for (const auto& d : g.data_inputs) {
    const auto& f = g.facts(d);
    if (f.shape_known && !f.dims.empty()) {
      g.batch = f.dims[0];
      break;
    }
  }
  g.rebuild_edges();
  return g;
}

}  // namespace h4h
