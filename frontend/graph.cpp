#include "frontend/graph.h"

#include <algorithm>
#include <unordered_set>

#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/user_error.h"

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

}  // namespace

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
  producer_of_.clear();
  for (auto v : boost::make_iterator_range(boost::vertices(dag))) {
    boost::clear_vertex(v, dag);
    if (!dag[v].alive) continue;
    for (const auto& o : dag[v].outputs)
      if (!o.empty()) producer_of_[o] = v;
  }
  for (auto v : boost::make_iterator_range(boost::vertices(dag))) {
    if (!dag[v].alive) continue;
    for (const auto& in : dag[v].inputs) {
      auto it = producer_of_.find(in);
      if (it != producer_of_.end()) boost::add_edge(it->second, v, TensorEdge{in}, dag);
    }
  }
}

std::optional<Vertex> Graph::producer(const std::string& tensor) const {
  auto it = producer_of_.find(tensor);
  if (it == producer_of_.end() || !dag[it->second].alive) return std::nullopt;
  return it->second;
}

std::vector<Vertex> Graph::consumers(const std::string& tensor) const {
  std::vector<Vertex> out;
  auto p = producer(tensor);
  if (p) {
    for (auto e : boost::make_iterator_range(boost::out_edges(*p, dag)))
      if (dag[e].tensor == tensor && dag[boost::target(e, dag)].alive) {
        const Vertex t = boost::target(e, dag);
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
      }
    return out;
  }
  for (auto v : boost::make_iterator_range(boost::vertices(dag))) {
    if (!dag[v].alive) continue;
    const auto& ins = dag[v].inputs;
    if (std::find(ins.begin(), ins.end(), tensor) != ins.end()) out.push_back(v);
  }
  return out;
}

bool Graph::is_graph_output(const std::string& tensor) const {
  return std::find(graph_outputs.begin(), graph_outputs.end(), tensor) != graph_outputs.end();
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

std::optional<double> Graph::scalar_value(const std::string& tensor) const {
  auto it = consts.find(tensor);
  if (it == consts.end() || it->second.size() != 1) return std::nullopt;
  return it->second.float_at(0);
}

void Graph::rename_tensor_uses(const std::string& from, const std::string& to) {
  for (auto v : boost::make_iterator_range(boost::vertices(dag))) {
    if (!dag[v].alive) continue;
    for (auto& in : dag[v].inputs)
      if (in == from) in = to;
  }
  for (auto& o : graph_outputs)
    if (o == from) o = to;
}

void Graph::kill(Vertex v) {
  dag[v].alive = false;
  boost::clear_vertex(v, dag);
}

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
    if (is_float && used.count(p) && !bn_stats.count(p) && f.shape_known)
      g.learnable_params[p] = g.elems(p);
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
  // Every tensor a kernel touches must have a concrete shape by now.
  for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
    const OpNode& op = g.dag[v];
    auto check = [&](const std::string& t, const char* role) {
      if (t.empty() || g.facts(t).shape_known) return;
      throw UserError(fmt::format(
          "{}: cannot resolve the shape of tensor '{}' ({} of node '{}' ({})); a dynamic dim "
          "other than the batch? only the first dim of a data input is fixed from --batch",
          g.origin, t, role, op.name, op.op_type));
    };
    for (const auto& t : op.inputs) check(t, "input");
    // Optional outputs nobody reads (Dropout's mask, MaxPool's indices) need no shape.
    for (size_t k = 0; k < op.outputs.size(); ++k)
      if (k == 0 || used.count(op.outputs[k]) || g.is_graph_output(op.outputs[k]))
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
