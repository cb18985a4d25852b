#include "frontend/onnx_loader.h"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/einsum.h"
#include "frontend/file_io.h"
#include "frontend/quantized.h"
#include "frontend/user_error.h"
#include "frontend/utf8.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

namespace h4h {
namespace {

using onnx::ModelProto;
using onnx::NodeProto;

std::string node_label(const NodeProto& n) {
  return fmt::format("node '{}' ({})", n.name(), n.op_type());
}

int default_domain_opset(const ModelProto& m, const std::string& origin) {
  int opset = -1;
  for (const auto& imp : m.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx") opset = static_cast<int>(imp.version());
  if (opset < 0) throw UserError(fmt::format("{}: the model imports no ai.onnx opset", origin));
  return opset;
}

void set_default_domain_opset(ModelProto& m, int opset) {
  for (auto& imp : *m.mutable_opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx") imp.set_version(opset);
}

// Ops whose meaning (inputs, attributes, shapes) is the same from opset 17 to 25 (ONNX's
// docs/Changelog.md, versions 18-25): later versions only admit new element types
// (bfloat16 in 22; float8, int4, float4, int2 in 19-25) or, where an attribute is named,
// add one that only matters for those types or whose default is opset 17's behaviour. A
// model of opset 18-25 that uses only these is read as opset 17; any other op names itself.
const std::map<std::string, std::vector<std::string>>& ops_unchanged_since_17() {
  // clang-format off
  static const std::map<std::string, std::vector<std::string>> ops = {
      {"Conv", {}}, {"Gemm", {}}, {"MatMul", {}}, {"Einsum", {}}, {"Add", {}}, {"Sub", {}},
      {"Mul", {}}, {"Div", {}}, {"Pow", {}}, {"Sqrt", {}}, {"Exp", {}}, {"Log", {}}, {"Neg", {}},
      {"Abs", {}}, {"Reciprocal", {}}, {"Erf", {}}, {"Relu", {}}, {"Clip", {}}, {"Sigmoid", {}},
      {"Tanh", {}}, {"HardSigmoid", {}}, {"HardSwish", {}}, {"LeakyRelu", {}}, {"PRelu", {}},
      {"Elu", {}}, {"Selu", {}}, {"Softplus", {}}, {"Softmax", {}}, {"LogSoftmax", {}},
      {"LayerNormalization", {}}, {"BatchNormalization", {}}, {"InstanceNormalization", {}},
      {"Min", {}}, {"Max", {}}, {"Where", {}}, {"Equal", {}}, {"Less", {}}, {"Greater", {}},
      {"Not", {}}, {"Floor", {}}, {"Ceil", {}}, {"MaxPool", {}}, {"GlobalAveragePool", {}},
      {"GlobalMaxPool", {}}, {"Concat", {}}, {"Slice", {}}, {"Gather", {}}, {"Expand", {}},
      {"Tile", {}}, {"Dropout", {}}, {"Range", {}}, {"DynamicQuantizeLinear", {}},
      // Type-only changes (19: float8; 21: int4).
      {"Reshape", {}}, {"Flatten", {}}, {"Squeeze", {}}, {"Unsqueeze", {}}, {"Transpose", {}},
      {"Identity", {}}, {"Shape", {}}, {"Size", {}}, {"Constant", {}}, {"ConstantOfShape", {}},
      {"Cast", {"saturate", "round_mode"}},
      {"QuantizeLinear", {"saturate", "output_dtype", "block_size", "precision"}},
      {"DequantizeLinear", {"block_size", "output_dtype"}},
      // 19 added dilations; 18 added Pad's axes (4th input) and 19 its wrap mode.
      {"AveragePool", {"dilations"}}, {"Pad", {}},
  };
  // clang-format on
  return ops;
}

// ONNX 1.12 (Debian's) knows opsets up to 17: older models are converted to 11 by ONNX's
// own version converter (its adapters rewrite Clip, Pad, Resize, ...); opset 18-25 models
// whose ops did not change meaning are read as 17. Returns the opset the model is now in.
int bring_to_supported_opset(ModelProto& m, int opset, const std::string& origin) {
  if (opset >= kMinOpset && opset <= kMaxOpset) return opset;
  if (opset >= kMinConvertibleOpset && opset < kMinOpset) {
    try {
      m = onnx::version_conversion::ConvertVersion(m, kMinOpset);
    } catch (const std::exception& e) {
      std::string msg = e.what();
      msg = msg.substr(0, msg.find('\n'));
      throw UserError(fmt::format(
          "{}: opset {} could not be converted to opset {} by ONNX's version converter: {}", origin,
          opset, kMinOpset, msg));
    }
    return kMinOpset;
  }
  if (opset > kMaxOpset && opset <= kMaxReadableOpset) {
    for (auto& n : *m.mutable_graph()->mutable_node()) {
      if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
      auto it = ops_unchanged_since_17().find(n.op_type());
      const bool pad_as_17 = n.op_type() != "Pad" || n.input_size() <= 3;
      bool wrap = false;
      for (const auto& a : n.attribute()) wrap |= a.name() == "mode" && a.s() == "wrap";
      if (it == ops_unchanged_since_17().end() || !pad_as_17 || wrap)
        throw UserError(fmt::format(
            "{}: opset {}: {} changed meaning after opset {}, the newest that Debian's ONNX 1.12 "
            "reads; re-export with opset_version {}",
            origin, opset, node_label(n), kMaxOpset, kMaxOpset));
      // The attributes a later version added, at their opset-17 meaning, are dropped.
      auto* attrs = n.mutable_attribute();
      for (int i = attrs->size() - 1; i >= 0; --i) {
        const auto& a = attrs->Get(i);
        if (std::find(it->second.begin(), it->second.end(), a.name()) == it->second.end()) continue;
        const bool default_meaning =
            (a.name() == "dilations" &&
             std::all_of(a.ints().begin(), a.ints().end(), [](int64_t d) { return d == 1; })) ||
            (a.name() == "block_size" && a.i() == 0) || a.name() == "saturate" ||
            a.name() == "output_dtype" || a.name() == "round_mode" ||
            (a.name() == "precision" && a.i() == 0);
        if (!default_meaning)
          throw UserError(fmt::format(
              "{}: opset {}: {} uses '{}', which opset {} does not have; re-export with "
              "opset_version {}",
              origin, opset, node_label(n), a.name(), kMaxOpset, kMaxOpset));
        attrs->DeleteSubrange(i, 1);
      }
    }
    set_default_domain_opset(m, kMaxOpset);
    return kMaxOpset;
  }
  throw UserError(
      fmt::format("{}: opset {} is not supported (h4hsim reads opsets {}-{}, converting {}-{} and "
                  "reading {}-{} as {} when no op changed); re-export with opset_version {}",
                  origin, opset, kMinOpset, kMaxOpset, kMinConvertibleOpset, kMinOpset - 1,
                  kMaxOpset + 1, kMaxReadableOpset, kMaxOpset, kMaxOpset));
}

// Ops of other domains are not simulated; ONNX Runtime's quantized contrib ops were
// rewritten before this (frontend/quantized.h).
void check_domains(const ModelProto& m, const std::string& origin) {
  for (const auto& n : m.graph().node())
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      throw UserError(fmt::format("{}: unsupported op '{}' from domain '{}' ({})", origin,
                                  n.op_type(), n.domain(), node_label(n)));
}

// Refused right after parsing, before any pass over the graph costs time or memory.
void check_graph_size(const ModelProto& m, const std::string& origin) {
  const auto& g = m.graph();
  for (const auto& [what, count] : {std::pair{"nodes", g.node_size()},
                                    std::pair{"initializers", g.initializer_size()},
                                    std::pair{"graph inputs", g.input_size()},
                                    std::pair{"graph outputs", g.output_size()}})
    if (count > kMaxGraphNodes)
      throw UserError(fmt::format("{}: the graph has {} {}, more than h4hsim's limit of {}", origin,
                                  count, what, kMaxGraphNodes));
}

// Names are free bytes in the protobuf; they end up in messages, JSON (which must be UTF-8)
// and CSV. Bytes that are not UTF-8, and control characters, become \xNN (every use of a
// name is rewritten alike, so the graph's wiring is unchanged).
void escape_names(ModelProto& m) {
  auto fix = [](std::string* s) {
    bool plain = true;
    for (unsigned char c : *s) plain = plain && c >= 0x20 && c < 0x7F;
    if (!plain) *s = escape_unprintable(*s, /*keep_line_breaks=*/false);
  };
  auto* g = m.mutable_graph();
  for (auto& n : *g->mutable_node()) {
    fix(n.mutable_name());
    fix(n.mutable_op_type());
    fix(n.mutable_domain());
    for (auto& s : *n.mutable_input()) fix(&s);
    for (auto& s : *n.mutable_output()) fix(&s);
  }
  for (auto* list : {g->mutable_input(), g->mutable_output(), g->mutable_value_info()})
    for (auto& vi : *list) fix(vi.mutable_name());
  for (auto& t : *g->mutable_initializer()) fix(t.mutable_name());
}

std::string dims_text(const onnx::TensorShapeProto& shape) {
  std::string s;
  for (const auto& d : shape.dim())
    s += (s.empty() ? "" : ", ") + (d.has_dim_value() ? std::to_string(d.dim_value())
                                    : d.dim_param().empty() ? std::string("?") : d.dim_param());
  return "[" + s + "]";
}

// ONNX dims are >= 0. A negative one is refused (it would otherwise just be "unknown"),
// except -1 (or 0) as the first dim of a data input, which some exporters write for a
// dynamic batch and fix_batch treats as one. A data input with an empty (0) dim elsewhere
// would simulate nothing: refused too.
void check_declared_dims(const ModelProto& m, const std::vector<std::string>& data_inputs,
                         const std::string& origin) {
  for (const auto& t : m.graph().initializer())
    for (int64_t d : t.dims())
      if (d < 0)
        throw UserError(fmt::format("{}: initializer '{}' has a negative dim ([{}]); ONNX dims "
                                    "are >= 0", origin, t.name(), fmt::join(t.dims(), ", ")));
  for (const auto& in : m.graph().input()) {
    if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape()) continue;
    const auto& shape = in.type().tensor_type().shape();
    const bool is_data =
        std::find(data_inputs.begin(), data_inputs.end(), in.name()) != data_inputs.end();
    for (int k = 0; k < shape.dim_size(); ++k) {
      if (!shape.dim(k).has_dim_value()) continue;
      const int64_t d = shape.dim(k).dim_value();
      const bool batch_slot = is_data && k == 0 && (d == -1 || d == 0);
      if (d < 0 && !batch_slot)
        throw UserError(fmt::format("{}: input '{}' has a negative dim ({}); ONNX dims are >= 0",
                                    origin, in.name(), dims_text(shape)));
      if (d == 0 && is_data && !batch_slot)
        throw UserError(fmt::format("{}: data input '{}' has a zero dim ({}): an empty tensor, "
                                    "nothing to simulate", origin, in.name(), dims_text(shape)));
    }
  }
}

// Nodes with empty names get a stable synthesized one, so every error can name a node.
void name_nodes(ModelProto& m) {
  std::unordered_set<std::string> used;
  for (const auto& n : m.graph().node()) used.insert(n.name());
  int k = 0;
  for (auto& n : *m.mutable_graph()->mutable_node()) {
    if (!n.name().empty()) continue;
    std::string name;
    do name = fmt::format("{}_{}", n.op_type(), k++);
    while (used.count(name));
    used.insert(name);
    n.set_name(name);
  }
}

// Checks that every tensor is defined exactly once, then orders nodes topologically
// (ONNX requires it, but not every exporter obeys). A cycle is the user's error.
void validate_and_sort(ModelProto& m, const std::string& origin) {
  auto* g = m.mutable_graph();
  std::unordered_map<std::string, int> producer;
  std::unordered_set<std::string> defined;
  // ONNX's checker refuses a name declared twice (SSA form); the loader would have taken the
  // first declaration's shape and silently dropped the other.
  for (const auto& i : g->input())
    if (!defined.insert(i.name()).second)
      throw UserError(fmt::format("{}: graph input '{}' is declared twice", origin, i.name()));
  std::unordered_set<std::string> initializers;
  for (const auto& t : g->initializer()) {
    if (!initializers.insert(t.name()).second)
      throw UserError(fmt::format("{}: initializer '{}' is declared twice", origin, t.name()));
    defined.insert(t.name());
  }
  for (int k = 0; k < g->node_size(); ++k) {
    const auto& n = g->node(k);
    for (const auto& out : n.output()) {
      if (out.empty()) continue;
      if (defined.count(out) || producer.count(out))
        throw UserError(fmt::format("{}: tensor '{}' is produced twice (second time by {})",
                                    origin, out, node_label(n)));
      producer[out] = k;
    }
  }
  std::vector<int> indegree(g->node_size(), 0);
  std::vector<std::vector<int>> users(g->node_size());
  for (int k = 0; k < g->node_size(); ++k) {
    const auto& n = g->node(k);
    for (const auto& in : n.input()) {
      if (in.empty() || defined.count(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end())
        throw UserError(fmt::format("{}: tensor '{}' used by {} is never defined", origin, in,
                                    node_label(n)));
      ++indegree[k];
      users[it->second].push_back(k);
    }
  }
  std::deque<int> ready;
  for (int k = 0; k < g->node_size(); ++k)
    if (indegree[k] == 0) ready.push_back(k);
  std::vector<int> order;
  while (!ready.empty()) {
    const int k = ready.front();
    ready.pop_front();
    order.push_back(k);
    for (int u : users[k])
      if (--indegree[u] == 0) ready.push_back(u);
  }
  for (const auto& o : g->output())
    if (!defined.count(o.name()) && !producer.count(o.name()))
      throw UserError(fmt::format("{}: graph output '{}' is produced by no node (and is not a "
                                  "graph input or initializer)", origin, o.name()));
  if (order.size() != static_cast<size_t>(g->node_size())) {
    for (int k = 0; k < g->node_size(); ++k)
      if (indegree[k] > 0)
        throw UserError(fmt::format("{}: the graph has a cycle through {}", origin,
                                    node_label(g->node(k))));
  }
  google::protobuf::RepeatedPtrField<NodeProto> sorted;
  for (int k : order) *sorted.Add() = g->node(k);
  g->mutable_node()->Swap(&sorted);
}

// Every node must match its ONNX schema (input and output counts, attribute names and
// types) before shape inference, folding and lowering index into it: they assume a
// well-formed node (a one-input Reshape was read past its inputs; found by fuzzing). Ops
// ONNX does not define are left to build_graph, which names them as unsupported.
void check_nodes_against_schemas(const ModelProto& m, int opset, const std::string& origin) {
  for (const auto& n : m.graph().node()) {
    const std::string domain = n.domain() == "ai.onnx" ? "" : n.domain();
    const auto* schema = onnx::OpSchemaRegistry::Schema(n.op_type(), opset, domain);
    if (!schema) continue;
    try {
      schema->Verify(n);
    } catch (const std::exception& e) {
      std::string msg = e.what();
      msg = msg.substr(0, msg.find('\n'));
      throw UserError(fmt::format("{}: {} is not a valid ONNX {} (opset {}): {}", origin, node_label(n),
                                  n.op_type(), opset, msg));
    }
  }
}

std::vector<std::string> pick_data_inputs(const ModelProto& m, const OnnxLoadOptions& opts,
                                          const std::string& origin) {
  std::unordered_set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> names;
  for (const auto& i : m.graph().input())
    if (!inits.count(i.name())) names.push_back(i.name());
  if (!opts.data_inputs.empty()) {
    for (const auto& want : opts.data_inputs)
      if (std::find(names.begin(), names.end(), want) == names.end()) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        throw UserError(fmt::format("{}: --inputs names '{}', which is not a graph input "
                                    "(inputs: {})", origin, want, all));
      }
    return opts.data_inputs;
  }
  if (names.empty()) throw UserError(fmt::format("{}: the graph has no data input", origin));
  return {names.front()};
}

// Fixes the batch of each data input. A symbolic first dim becomes `batch`; any other
// symbolic dim is left for the resolution check, which names the tensor and node.
void fix_batch(ModelProto& m, const std::vector<std::string>& data_inputs, int64_t batch,
               const std::string& origin) {
  for (auto& in : *m.mutable_graph()->mutable_input()) {
    if (std::find(data_inputs.begin(), data_inputs.end(), in.name()) == data_inputs.end()) continue;
    if (!in.type().has_tensor_type() || !in.type().tensor_type().has_shape())
      throw UserError(fmt::format("{}: data input '{}' has no shape", origin, in.name()));
    auto* shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() == 0) continue;
    auto* d0 = shape->mutable_dim(0);
    if (d0->has_dim_value() && d0->dim_value() > 0) {
      // A fixed batch is kept; asking for another one cannot be honoured, since reshape
      // targets in such exports hard-code it.
      if (batch != 0 && d0->dim_value() != batch)
        throw UserError(fmt::format("{}: input '{}' has a fixed batch of {}; --batch {} needs a "
                                    "model exported with a dynamic batch axis",
                                    origin, in.name(), d0->dim_value(), batch));
      continue;
    }
    d0->clear_dim_param();
    d0->set_dim_value(batch == 0 ? 1 : batch);
  }
  // Graph outputs keep their element type only: their declared symbolic dims would
  // otherwise be merged with the now-concrete inferred ones. An output that is a graph input
  // or an initializer (valid ONNX: a pass-through) keeps no type at all: ONNX 1.12's
  // inference reads the outputs' types after the inputs' and would take the output's
  // (shapeless) type for the tensor, leaving every consumer's shape unknown.
  std::unordered_set<std::string> given;
  for (const auto& in : m.graph().input()) given.insert(in.name());
  for (const auto& t : m.graph().initializer()) given.insert(t.name());
  for (auto& out : *m.mutable_graph()->mutable_output()) {
    if (given.count(out.name()))
      out.clear_type();
    else if (out.type().has_tensor_type())
      out.mutable_type()->mutable_tensor_type()->clear_shape();
  }
}

// After fix_batch: the graph inputs (not initializers) with a dim still unknown.
std::vector<std::string> find_dynamic_inputs(const ModelProto& m) {
  std::unordered_set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  std::vector<std::string> out;
  for (const auto& in : m.graph().input()) {
    if (inits.count(in.name())) continue;
    const auto& type = in.type();
    if (!type.has_tensor_type() || !type.tensor_type().has_shape()) {
      out.push_back(in.name());
      continue;
    }
    const auto& shape = type.tensor_type().shape();
    if (std::any_of(shape.dim().begin(), shape.dim().end(),
                    [](const auto& d) { return !d.has_dim_value(); }))
      out.push_back(in.name());
  }
  return out;
}

void record_type(const onnx::TypeProto& type, TensorFacts& f) {
  if (!type.has_tensor_type()) return;
  const auto& tt = type.tensor_type();
  if (tt.elem_type() != 0) f.dtype = tt.elem_type();
  if (!tt.has_shape()) return;
  std::vector<int64_t> dims;
  for (const auto& d : tt.shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) return;
    dims.push_back(d.dim_value());
  }
  f.dims = dims;
  f.shape_known = true;
}

void collect_facts(const ModelProto& m, LoadedOnnx& out) {
  const auto& g = m.graph();
  for (const auto& vi : g.input()) record_type(vi.type(), out.tensors[vi.name()]);
  for (const auto& vi : g.value_info()) record_type(vi.type(), out.tensors[vi.name()]);
  for (const auto& vi : g.output()) record_type(vi.type(), out.tensors[vi.name()]);
  for (const auto& t : g.initializer()) {
    auto& f = out.tensors[t.name()];
    f.dims.assign(t.dims().begin(), t.dims().end());
    f.shape_known = true;
    f.dtype = t.data_type();
  }
}

// Shapes ONNX 1.12's inference cannot produce, computed by us; re-declared as value_info
// before every round so that inference propagates them downstream.
using ExtraShapes = std::unordered_map<std::string, std::pair<int32_t, std::vector<int64_t>>>;

// ONNX 1.12's convolution and pooling shape inference trusts its node: it sizes the per-axis
// strides, pads and dilations by the input's rank but walks them by the weight's, and divides
// by the strides, so a weight whose rank differs from the input's (wherever either comes
// from), or a zero stride, crashed the process (found by fuzzing). Inference therefore looks
// its schemas up here: the global registry's, except that those ops get a copy whose
// inference function first makes the checks ONNX leaves out; a violation ends inference with
// a UserError. (The global registry itself is left as ONNX built it.)
class GuardedSchemaRegistry : public onnx::ISchemaRegistry {
 public:
  GuardedSchemaRegistry() {
    // op -> index of its weight input (-1: pooling, no weight)
    const std::pair<const char*, int> ops[] = {{"Conv", 1},        {"ConvInteger", 1}, {"ConvTranspose", 1},
                                               {"QLinearConv", 3}, {"MaxPool", -1},    {"AveragePool", -1},
                                               {"LpPool", -1}};
    for (const auto& [op, weight] : ops)
      for (int v = 1; v <= kMaxOpset; ++v) {
        const auto* schema = onnx::OpSchemaRegistry::Schema(op, v, "");
        if (!schema || !schema->has_type_and_shape_inference_function() || guarded_.count(schema))
          continue;
        onnx::OpSchema copy = *schema;
        copy.TypeAndShapeInferenceFunction(checked(schema->GetTypeAndShapeInferenceFunction(), op, weight));
        guarded_.emplace(schema, std::move(copy));
      }
  }

  const onnx::OpSchema* GetSchema(const std::string& key, const int max_inclusive_version,
                                  const std::string& domain) const override {
    const auto* schema = onnx::OpSchemaRegistry::Schema(key, max_inclusive_version, domain);
    const auto it = guarded_.find(schema);
    return it == guarded_.end() ? schema : &it->second;
  }

 private:
  static onnx::InferenceFunction checked(onnx::InferenceFunction inner, std::string name, int weight) {
    return [inner, name, weight](onnx::InferenceContext& ctx) {
      for (const char* attr : {"strides", "dilations", "kernel_shape"})
        if (const auto* a = ctx.getAttribute(attr))
          for (int64_t x : a->ints())
            if (x <= 0)
              throw UserError(fmt::format("a {} has {} [{}]; every value must be > 0", name, attr,
                                          fmt::join(a->ints(), ", ")));
      auto rank = [&ctx](size_t i) {
        const auto* t = i < ctx.getNumInputs() ? ctx.getInputType(i) : nullptr;
        return t && t->has_tensor_type() && t->tensor_type().has_shape() ? t->tensor_type().shape().dim_size()
                                                                         : -1;
      };
      if (weight >= 0 && rank(0) >= 0 && rank(weight) >= 0 && rank(0) != rank(weight))
        throw UserError(fmt::format("a {} has an input of rank {} and a weight of rank {}; they must be equal",
                                    name, rank(0), rank(weight)));
      inner(ctx);
    };
  }

  std::map<const onnx::OpSchema*, onnx::OpSchema> guarded_;
};

const onnx::ISchemaRegistry& inference_schemas() {
  static const GuardedSchemaRegistry registry;
  return registry;
}

void run_shape_inference(ModelProto& m, const std::string& origin, const ExtraShapes& extra) {
  m.mutable_graph()->clear_value_info();
  for (const auto& [name, typed] : extra) {
    auto* vi = m.mutable_graph()->add_value_info();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(typed.first);
    auto* shape = tt->mutable_shape();
    for (int64_t d : typed.second) shape->add_dim()->set_dim_value(d);
  }
  // Not strict: a node ONNX cannot infer is left unknown; our folding and the final
  // resolution check decide whether that matters.
  // No data propagation: ONNX 1.12's propagators crash on malformed graphs: Shape's reads
  // the type of an input whose type is unknown through a null pointer (found by fuzzing),
  // and, by their source, Add/Mul/Sub's index past a rank-0 operand. fold_once evaluates the
  // same shape arithmetic (Shape, Gather, Concat, Slice, Add, ...) once the dims are
  // concrete, which fix_batch makes them, so the rounds below resolve what data propagation
  // would have.
  onnx::ShapeInferenceOptions options(/*check_type=*/false, /*error_mode=*/0,
                                      /*data_prop=*/false);
  try {
    onnx::shape_inference::InferShapes(m, &inference_schemas(), options);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    throw UserError(fmt::format("{}: ONNX shape inference failed: {}", origin, msg));
  }
}

// Einsum: ONNX 1.12 infers only its rank.
bool infer_extra_shapes(const ModelProto& m, LoadedOnnx& out, ExtraShapes& extra) {
  bool added = false;
  for (const auto& n : m.graph().node()) {
    if (n.op_type() != "Einsum" || n.output_size() < 1 || extra.count(n.output(0))) continue;
    if (out.tensors[n.output(0)].shape_known) continue;
    std::string eq;
    for (const auto& a : n.attribute())
      if (a.name() == "equation") eq = a.s();
    std::vector<std::vector<int64_t>> dims;
    int32_t dtype = 0;
    for (const auto& in : n.input()) {
      const auto& f = out.tensors[in];
      if (!f.shape_known) return added;
      dims.push_back(f.dims);
      dtype = f.dtype;
    }
    if (auto shape = einsum_output_shape(eq, dims)) {
      extra[n.output(0)] = {dtype == 0 ? onnx::TensorProto::FLOAT : dtype, *shape};
      auto& f = out.tensors[n.output(0)];
      f.dims = *shape;
      f.shape_known = true;
      added = true;
    }
  }
  return added;
}

bool output_is_graph_output(const std::unordered_set<std::string>& graph_outputs,
                            const NodeProto& n) {
  for (const auto& no : n.output())
    if (graph_outputs.count(no)) return true;
  return false;
}

// One sweep in topological order: evaluates every node whose inputs are constants (or,
// for Shape/Size, whose input shape is known). Returns the indices of folded nodes.
std::vector<int> fold_once(const ModelProto& m, LoadedOnnx& out) {
  std::vector<int> folded;
  const auto& g = m.graph();
  std::unordered_set<std::string> graph_outputs;
  for (const auto& o : g.output()) graph_outputs.insert(o.name());
  for (int k = 0; k < g.node_size(); ++k) {
    const auto& n = g.node(k);
    if (output_is_graph_output(graph_outputs, n)) continue;
    std::vector<const ConstTensor*> ins;
    std::vector<std::optional<std::vector<int64_t>>> shapes;
    for (const auto& name : n.input()) {
      auto c = out.consts.find(name);
      ins.push_back(name.empty() || c == out.consts.end() ? nullptr : &c->second);
      auto t = out.tensors.find(name);
      if (t != out.tensors.end() && t->second.shape_known) shapes.emplace_back(t->second.dims);
      else shapes.emplace_back(std::nullopt);
    }
    auto result = eval_const_node(n, out.opset, ins, shapes);
    if (!result || result->size() < static_cast<size_t>(n.output_size())) continue;
    for (int o = 0; o < n.output_size(); ++o) {
      if (n.output(o).empty()) continue;
      const ConstTensor& c = (*result)[o];
      out.consts[n.output(o)] = c;
      auto& f = out.tensors[n.output(o)];
      f.dims = c.dims;
      f.shape_known = true;
      f.dtype = c.onnx_dtype;
      f.kind = TensorKind::constant;
    }
    folded.push_back(k);
  }
  return folded;
}

// Replaces folded nodes by initializers holding their values, so that the next round of
// ONNX shape inference sees constant Reshape/Expand targets.
void apply_folds(ModelProto& m, const std::vector<int>& folded, const LoadedOnnx& out) {
  auto* g = m.mutable_graph();
  std::unordered_set<int> drop(folded.begin(), folded.end());
  std::unordered_set<std::string> needed;
  for (int k = 0; k < g->node_size(); ++k)
    if (!drop.count(k))
      for (const auto& in : g->node(k).input()) needed.insert(in);
  // Compact in place (swaps, no copies): Swin folds thousands of nodes over ~20 rounds.
  auto* nodes = g->mutable_node();
  int write = 0;
  for (int k = 0; k < nodes->size(); ++k) {
    if (drop.count(k)) {
      for (const auto& o : nodes->Get(k).output())
        if (!o.empty() && needed.count(o)) const_to_proto(out.consts.at(o), o, g->add_initializer());
      continue;
    }
    if (write != k) nodes->SwapElements(write, k);
    ++write;
  }
  nodes->DeleteSubrange(write, nodes->size() - write);
}

}  // namespace

LoadedOnnx load_onnx(const std::string& path, const OnnxLoadOptions& opts) {
  const std::string bytes = read_user_file(path, "an ONNX file");
  ModelProto model;
  if (bytes.empty()) throw UserError(fmt::format("{}: file is empty, not an ONNX model", path));
  if (!model.ParseFromString(bytes))
    throw UserError(fmt::format("{}: not a valid ONNX model (protobuf parse failed: truncated "
                                "or not an ONNX file)", path));
  return load_onnx_model(std::move(model), path, opts);
}

LoadedOnnx load_onnx_model(ModelProto model, const std::string& origin,
                           const OnnxLoadOptions& opts) {
  if (opts.batch < 0)
    throw UserError(fmt::format("--batch must be > 0, got {}", opts.batch));
  // A protobuf of another message type often parses "successfully" as a ModelProto with
  // only unknown fields, so check for the parts every real model has.
  if (!model.has_graph() || model.graph().node_size() == 0 || model.ir_version() <= 0)
    throw UserError(fmt::format("{}: not an ONNX model (no ir_version or no graph nodes)", origin));
  check_graph_size(model, origin);
  escape_names(model);
  LoadedOnnx out;
  out.path = escape_unprintable(origin, /*keep_line_breaks=*/false);  // it becomes JSON's "model"
  const int declared_opset = default_domain_opset(model, origin);
  name_nodes(model);
  validate_and_sort(model, origin);
  out.quantized = dequantize_model(model, origin);
  check_domains(model, origin);
  // ONNX's version converter assumes well-formed nodes: they are checked at their own
  // opset first.
  if (declared_opset >= kMinConvertibleOpset && declared_opset < kMinOpset)
    check_nodes_against_schemas(model, declared_opset, origin);
  out.opset = bring_to_supported_opset(model, declared_opset, origin);
  check_nodes_against_schemas(model, out.opset, origin);
  out.data_inputs = pick_data_inputs(model, opts, origin);
  check_declared_dims(model, out.data_inputs, origin);
  fix_batch(model, out.data_inputs, opts.batch, origin);
  out.dynamic_inputs = find_dynamic_inputs(model);

  // Parameters: graph inputs that are not data inputs, and initializers.
  for (const auto& in : model.graph().input())
    if (std::find(out.data_inputs.begin(), out.data_inputs.end(), in.name()) ==
        out.data_inputs.end())
      out.graph_params.insert(in.name());
  for (const auto& t : model.graph().initializer()) {
    out.graph_params.insert(t.name());
    if (auto c = const_from_proto(t)) out.consts[t.name()] = std::move(*c);
  }

  // Infer, fold, repeat: each round resolves the next Reshape whose target depends on a
  // shape computed from an earlier one (Swin has one such chain per block).
  constexpr int kMaxRounds = 256;
  ExtraShapes extra;
  for (int round = 0; round < kMaxRounds; ++round) {
    run_shape_inference(model, origin, extra);
    collect_facts(model, out);
    const bool inferred_more = infer_extra_shapes(model, out, extra);
    for (const auto& [name, c] : out.consts) {
      auto& f = out.tensors[name];
      f.dims = c.dims;
      f.shape_known = true;
      if (!out.graph_params.count(name)) f.kind = TensorKind::constant;
    }
    auto folded = fold_once(model, out);
    out.fold_iterations = round + 1;
    if (folded.empty() && !inferred_more) break;
    out.folded_nodes += static_cast<int>(folded.size());
    apply_folds(model, folded, out);
  }
  for (const auto& p : out.graph_params) {
    auto& f = out.tensors[p];
    // A parameter with stored values is still a parameter (weights), not a folded constant.
    f.kind = TensorKind::param;
  }
  out.model = std::move(model);
  return out;
}

}  // namespace h4h
