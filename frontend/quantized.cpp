#include "frontend/quantized.h"

#include <algorithm>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h {
namespace {

using onnx::NodeProto;
using onnx::TensorProto;

// A QOperator op as its float counterpart: which inputs are data (in order), which of those
// are stored weights, where the output's zero point is (its type is the output's width), and
// which attributes only the quantized op has.
struct FloatForm {
  const char* op;
  std::vector<int> data;     // kept inputs, in the float op's order
  std::vector<int> weights;  // of those, the ones that are stored weights / biases
  int out_zero_point = -1;   // -1: the output is float, or its type says its width
  int fixed_out_bits = 0;    // an integer accumulator output (…Integer ops: int32)
  std::vector<const char*> drop_attrs;
  int min_inputs = 1;  // fewer is a malformed node, named before anything reads it
};

const std::map<std::string, FloatForm>& float_forms() {
  static const std::map<std::string, FloatForm> forms = {
      {"QLinearConv", {"Conv", {0, 3, 8}, {3, 8}, 7, 0, {}, 8}},
      {"QLinearMatMul", {"MatMul", {0, 3}, {3}, 7, 0, {}, 8}},
      {"MatMulInteger", {"MatMul", {0, 1}, {1}, -1, 32, {}, 2}},
      {"ConvInteger", {"Conv", {0, 1}, {1}, -1, 32, {}, 2}},
      // ONNX Runtime's contrib ops (com.microsoft).
      {"QGemm", {"Gemm", {0, 3, 6}, {3, 6}, 8, 0, {}, 6}},
      {"QLinearAdd", {"Add", {0, 3}, {}, 7, 0, {}, 7}},
      {"QLinearMul", {"Mul", {0, 3}, {}, 7, 0, {}, 7}},
      {"QLinearConcat", {"Concat", {}, {}, 1, 0, {}, 5}},  // inputs: see to_float_op
      {"QLinearAveragePool", {"AveragePool", {0}, {}, 4, 0, {"channels_last"}, 4}},
      {"QLinearGlobalAveragePool", {"GlobalAveragePool", {0}, {}, 4, 0, {"channels_last"}, 4}},
      {"QLinearLeakyRelu", {"LeakyRelu", {0}, {}, 4, 0, {}, 4}},
      {"QLinearSigmoid", {"Sigmoid", {0}, {}, 4, 0, {}, 4}},
      {"QLinearSoftmax", {"Softmax", {0}, {}, 4, 0, {"opset"}, 4}},
      {"DynamicQuantizeMatMul", {"MatMul", {0, 1}, {1}, -1, 0, {}, 3}},
      {"MatMulIntegerToFloat", {"MatMul", {0, 1}, {1}, -1, 0, {}, 4}},
  };
  return forms;
}

bool is_onnx_or_ms(const NodeProto& n) {
  return n.domain().empty() || n.domain() == "ai.onnx" || n.domain() == "com.microsoft";
}

std::string node_label(const NodeProto& n) {
  return fmt::format("node '{}' ({})", n.name(), n.op_type());
}

const onnx::AttributeProto* find_attr(const NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

void drop_attrs(NodeProto& n, const std::vector<const char*>& names) {
  auto* attrs = n.mutable_attribute();
  for (int i = attrs->size() - 1; i >= 0; --i)
    for (const char* name : names)
      if (attrs->Get(i).name() == name) {
        attrs->DeleteSubrange(i, 1);
        break;
      }
}

class Rewriter {
 public:
  Rewriter(onnx::ModelProto& m, const std::string& origin) : m_(m), origin_(origin) {
    auto* g = m_.mutable_graph();
    for (const auto& t : g->initializer()) stored_type_[t.name()] = t.data_type();
    for (const auto& n : g->node())
      if (n.op_type() == "Constant" && n.output_size() == 1)
        if (const auto* v = find_attr(n, "value"); v && v->has_t())
          stored_type_[n.output(0)] = v->t().data_type();
    for (int i = 0; i < g->node_size(); ++i)
      for (const auto& in : g->node(i).input()) consumers_[in].push_back(i);
    for (const auto& o : g->output()) graph_outputs_.insert(o.name());
    dead_.assign(static_cast<size_t>(g->node_size()), 0);
  }

  QuantizedFacts run() {
    auto* g = m_.mutable_graph();
    for (int i = 0; i < g->node_size(); ++i) {
      NodeProto& n = *g->mutable_node(i);
      if (!is_onnx_or_ms(n)) continue;
      if ((n.op_type() == "QuantizeLinear" || n.op_type() == "DequantizeLinear") &&
          n.domain() == "com.microsoft")
        n.clear_domain();  // ORT's contrib Q/DQ (16-bit and 4-bit types before opset 21)
      auto form = float_forms().find(n.op_type());
      if (form != float_forms().end()) to_float_op(n, form->second);
    }
    for (int i = 0; i < g->node_size(); ++i) {
      const NodeProto& n = g->node(i);
      if (n.domain().empty() && n.op_type() == "DequantizeLinear") drop_weight_dequantize(i);
    }
    for (int i = 0; i < g->node_size(); ++i) {
      const NodeProto& n = g->node(i);
      if (!dead_[static_cast<size_t>(i)] && n.domain().empty() && n.op_type() == "QuantizeLinear")
        drop_qdq_pair(i);
    }
    apply_renames_and_removals();
    return std::move(facts_);
  }

 private:
  // An integer tensor stored in the model (an initializer or a Constant): its width.
  int stored_int_bits(const std::string& name) const {
    auto it = stored_type_.find(name);
    return it == stored_type_.end() ? 0 : integer_dtype_bits(it->second);
  }

  void note_bits(const std::string& tensor, int bits) {
    if (tensor.empty() || bits <= 0) return;
    int& b = facts_.bits[tensor];
    b = std::max(b, bits);
  }

  void to_float_op(NodeProto& n, const FloatForm& f) {
    if (n.input_size() < f.min_inputs || n.output_size() < 1)
      throw UserError(fmt::format(
          "{}: {} has {} inputs and {} outputs; {} takes at least {} inputs and 1 output", origin_,
          node_label(n), n.input_size(), n.output_size(), n.op_type(), f.min_inputs));
    if (const auto* cl = find_attr(n, "channels_last"); cl && cl->i() != 0)
      throw UserError(
          fmt::format("{}: {}: channels_last = 1 (NHWC) is not supported; h4hsim reads NCHW "
                      "tensors",
                      origin_, node_label(n)));
    std::vector<std::string> inputs;
    if (n.op_type() == "QLinearConcat") {
      // Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input.
      for (int k = 2; k < n.input_size(); k += 3) inputs.push_back(n.input(k));
      note_bits(n.output(0), n.input_size() > 1 ? stored_int_bits(n.input(1)) : 8);
    } else {
      for (int k : f.data)
        if (k < n.input_size() && !n.input(k).empty()) inputs.push_back(n.input(k));
      for (int k : f.weights)
        if (k < n.input_size() && stored_int_bits(n.input(k)) > 0) {
          note_bits(n.input(k), stored_int_bits(n.input(k)));
          facts_.params.insert(n.input(k));
        }
      const bool has_out_zero_point = f.out_zero_point >= 0 && f.out_zero_point < n.input_size() &&
                                      !n.input(f.out_zero_point).empty();
      if (has_out_zero_point)
        note_bits(n.output(0), stored_int_bits(n.input(f.out_zero_point)) > 0
                                   ? stored_int_bits(n.input(f.out_zero_point))
                                   : 8);  // uint8, ONNX's default
      else if (f.out_zero_point >= 0 && n.op_type() != "QGemm")
        note_bits(n.output(0), 8);
      else if (f.fixed_out_bits > 0)
        note_bits(n.output(0), f.fixed_out_bits);
      else
        facts_.bits.emplace(n.output(0), 0);  // a float output (QGemm without y_scale, …ToFloat)
    }
    n.set_op_type(f.op);
    n.clear_domain();
    drop_attrs(n, f.drop_attrs);
    n.clear_input();
    for (const auto& in : inputs) n.add_input(in);
    ++facts_.rewritten_nodes;
  }

  // DequantizeLinear(w_int, scale, zero_point): the float weight is w at its own width.
  void drop_weight_dequantize(int i) {
    const NodeProto& n = m_.graph().node(i);
    if (n.input_size() < 1 || n.output_size() != 1) return;
    const int bits = stored_int_bits(n.input(0));
    if (bits == 0) return;
    note_bits(n.input(0), bits);
    facts_.params.insert(n.input(0));
    rename_[n.output(0)] = n.input(0);
    kill(i);
  }

  // QuantizeLinear(x) whose every reader is a DequantizeLinear: x is stored at the Q's width.
  void drop_qdq_pair(int i) {
    const NodeProto& q = m_.graph().node(i);
    if (q.input_size() < 1 || q.output_size() != 1 || graph_outputs_.count(q.output(0))) return;
    const auto it = consumers_.find(q.output(0));
    if (it == consumers_.end() || it->second.empty()) return;
    for (int c : it->second) {
      const NodeProto& d = m_.graph().node(c);
      if (dead_[static_cast<size_t>(c)] || !d.domain().empty() ||
          d.op_type() != "DequantizeLinear" || d.input_size() < 1 || d.input(0) != q.output(0) ||
          d.output_size() != 1)
        return;
    }
    note_bits(q.input(0), q_output_bits(q));
    for (int c : it->second) {
      rename_[m_.graph().node(c).output(0)] = q.input(0);
      kill(c);
    }
    kill(i);
  }

  // A QuantizeLinear's output type: its zero point's, or output_dtype (opset 21), else uint8.
  int q_output_bits(const NodeProto& q) const {
    if (q.input_size() > 2 && !q.input(2).empty()) {
      auto it = stored_type_.find(q.input(2));
      if (it != stored_type_.end() && integer_dtype_bits(it->second) > 0)
        return integer_dtype_bits(it->second);
    }
    if (const auto* a = find_attr(q, "output_dtype");
        a && integer_dtype_bits(static_cast<int32_t>(a->i())) > 0)
      return integer_dtype_bits(static_cast<int32_t>(a->i()));
    return 8;
  }

  void kill(int i) {
    if (!dead_[static_cast<size_t>(i)]) ++facts_.removed_nodes;
    dead_[static_cast<size_t>(i)] = 1;
  }

  // Readers of a removed node's output read what it stood for (chains resolved: a weight's
  // DQ output feeding a Q/DQ pair ends at the weight).
  std::string resolve(std::string name) const {
    for (int hops = 0; hops < 64; ++hops) {
      auto it = rename_.find(name);
      if (it == rename_.end()) break;
      name = it->second;
    }
    return name;
  }

  void apply_renames_and_removals() {
    auto* g = m_.mutable_graph();
    google::protobuf::RepeatedPtrField<NodeProto> kept;
    for (int i = 0; i < g->node_size(); ++i) {
      if (dead_[static_cast<size_t>(i)]) continue;
      NodeProto& n = *g->mutable_node(i);
      for (int k = 0; k < n.input_size(); ++k)
        if (!n.input(k).empty()) n.set_input(k, resolve(n.input(k)));
      *kept.Add() = std::move(n);
    }
    g->mutable_node()->Swap(&kept);
    for (auto& o : *g->mutable_output()) o.set_name(resolve(o.name()));
    // What follows a rewrite now carries integer elements where the export declared float
    // (a weight's Unsqueeze after its DequantizeLinear went) or the reverse: declared element
    // types of intermediate values and outputs are dropped for shape inference to redo;
    // their shapes stay.
    if (facts_.removed_nodes + facts_.rewritten_nodes > 0)
      for (auto* list : {g->mutable_output(), g->mutable_value_info()})
        for (auto& v : *list)
          if (v.type().has_tensor_type())
            v.mutable_type()->mutable_tensor_type()->clear_elem_type();
  }

  onnx::ModelProto& m_;
  const std::string& origin_;
  std::unordered_map<std::string, int32_t> stored_type_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_set<std::string> graph_outputs_;
  std::vector<char> dead_;
  std::unordered_map<std::string, std::string> rename_;
  QuantizedFacts facts_;
};

}  // namespace

int integer_dtype_bits(int32_t t) {
  switch (t) {
    case TensorProto::INT8:
    case TensorProto::UINT8:
      return 8;
    case TensorProto::INT16:
    case TensorProto::UINT16:
      return 16;
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 32;
    case TensorProto::INT64:
    case TensorProto::UINT64:
      return 64;
    // Newer than Debian's ONNX 1.12, which has no names for them: UINT4, INT4 (ONNX 1.16)
    // and UINT2, INT2 (1.20).
    case 21:
    case 22:
      return 4;
    case 25:
    case 26:
      return 2;
    default:
      return 0;
  }
}

QuantizedFacts dequantize_model(onnx::ModelProto& m, const std::string& origin) {
  return Rewriter(m, origin).run();
}

}  // namespace h4h
