#include "nas/onnx_builder.h"

#include <cmath>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "onnx/shape_inference/implementation.h"

namespace h4h::nas {

namespace {

// Appends nodes to one graph; names are unique per block prefix.
class GraphWriter {
 public:
  explicit GraphWriter(onnx::ModelProto& m) : g_(*m.mutable_graph()) {}

  void data_input(const std::string& name, int64_t c, int64_t size) {
    auto* vi = g_.add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    auto* shape = tt->mutable_shape();
    shape->add_dim()->set_dim_param("batch");
    for (int64_t d : {c, size, size}) shape->add_dim()->set_dim_value(d);
  }
  void output(const std::string& name) {
    auto* vi = g_.add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  }
  // A learnable parameter: a graph input with a shape and no values.
  std::string param(const std::string& name, std::initializer_list<int64_t> dims) {
    auto* vi = g_.add_input();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
    return name;
  }
  // Immediates: integer shapes and split sizes are int64 initializers (ONNX's shape
  // inference reads initializers, not Constant outputs); float scalars are Constant nodes
  // so that no float initializer is mistaken for a learnable parameter.
  std::string const_ints(const std::string& name, std::initializer_list<int64_t> values) {
    auto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (int64_t v : values) t->add_int64_data(v);
    return name;
  }
  std::string const_float(const std::string& name, float value) {
    auto& n = node("Constant", {}, {name}, name);
    auto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    auto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(value);
    return name;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs, const std::string& name) {
    auto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *n;
  }
  std::string op(const std::string& op_type, const std::vector<std::string>& ins, const std::string& out) {
    node(op_type, ins, {out}, out);
    return out;
  }
  static void ints(onnx::NodeProto& n, const std::string& name, std::initializer_list<int64_t> v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void real(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }

  // Conv (BN folded into its bias), optionally followed by HardSwish.
  std::string conv(const std::string& p, const std::string& x, int64_t cin, int64_t cout,
                   int64_t k, int64_t stride, int64_t groups, bool act) {
    const std::string w = param(p + ".weight", {cout, cin / groups, k, k});
    const std::string b = param(p + ".bias", {cout});
    auto& n = node("Conv", {x, w, b}, {p + ".out"}, p);
    ints(n, "kernel_shape", {k, k});
    ints(n, "strides", {stride, stride});
    ints(n, "pads", {k / 2, k / 2, k / 2, k / 2});
    integer(n, "group", groups);
    if (!act) return p + ".out";
    return op("HardSwish", {p + ".out"}, p + ".act");
  }
  // Linear over the last axis: MatMul + Add, as PyTorch exports nn.Linear on 3-D input.
  std::string linear(const std::string& p, const std::string& x, int64_t in, int64_t out) {
    const std::string w = param(p + ".weight", {in, out});
    const std::string b = param(p + ".bias", {out});
    op("MatMul", {x, w}, p + ".mm");
    return op("Add", {p + ".mm", b}, p + ".out");
  }
  std::string layer_norm(const std::string& p, const std::string& x, int64_t c) {
    const std::string s = param(p + ".weight", {c});
    const std::string b = param(p + ".bias", {c});
    auto& n = node("LayerNormalization", {x, s, b}, {p + ".out"}, p);
    integer(n, "axis", -1);
    real(n, "epsilon", 1e-5f);
    return p + ".out";
  }
  std::string transpose(const std::string& x, const std::string& out, std::initializer_list<int64_t> perm) {
    auto& n = node("Transpose", {x}, {out}, out);
    ints(n, "perm", perm);
    return out;
  }
  // Exact GELU as PyTorch exports it before opset 20: x · 0.5 · (1 + erf(x / √2)).
  std::string gelu(const std::string& p, const std::string& x) {
    op("Div", {x, const_float(p + ".sqrt2", static_cast<float>(std::sqrt(2.0)))}, p + ".div");
    op("Erf", {p + ".div"}, p + ".erf");
    op("Add", {p + ".erf", const_float(p + ".one", 1.0f)}, p + ".add");
    op("Mul", {x, p + ".add"}, p + ".mul");
    return op("Mul", {p + ".mul", const_float(p + ".half", 0.5f)}, p + ".out");
  }

 private:
  onnx::GraphProto& g_;
};

std::string emit_block(GraphWriter& gw, const BlockInstance& b, const std::string& p, const std::string& x) {
  switch (b.kind) {
    case BlockKind::stem:
      return gw.conv(p + ".conv", x, b.in_channels, b.out_channels, b.kernel, b.stride, 1, true);
    case BlockKind::mbconv: {
      const int64_t mid = b.in_channels * b.expansion;
      std::string h = x;
      if (b.expansion != 1) h = gw.conv(p + ".expand", h, b.in_channels, mid, 1, 1, 1, true);
      h = gw.conv(p + ".dw", h, mid, mid, b.kernel, b.stride, mid, true);
      h = gw.conv(p + ".project", h, mid, b.out_channels, 1, 1, 1, false);
      if (!b.residual()) return h;
      return gw.op("Add", {x, h}, p + ".residual");
    }
    case BlockKind::transformer: {
      const int64_t c = b.in_channels, n = b.in_size * b.in_size, d = c / b.heads;
      // NCHW → tokens [batch, N, C]; Reshape's 0 keeps the (symbolic) batch.
      gw.op("Reshape", {x, gw.const_ints(p + ".flat_shape", {0, c, n})}, p + ".flat");
      const std::string t = gw.transpose(p + ".flat", p + ".tokens", {0, 2, 1});
      // MHSA, pre-norm.
      const std::string qkv = gw.linear(p + ".attn.qkv", gw.layer_norm(p + ".norm1", t, c), c, 3 * c);
      auto& split = gw.node("Split", {qkv, gw.const_ints(p + ".attn.split", {c, c, c})},
                            {p + ".attn.q", p + ".attn.k", p + ".attn.v"}, p + ".attn.split_qkv");
      GraphWriter::integer(split, "axis", -1);
      // Reshape's 0 copies the batch and -1 takes the token count.
      const std::string heads_shape = gw.const_ints(p + ".attn.heads_shape", {0, -1, b.heads, d});
      for (const char* part : {"q", "k", "v"})
        gw.op("Reshape", {p + ".attn." + part, heads_shape}, p + ".attn." + part + "_h");
      const std::string q = gw.transpose(p + ".attn.q_h", p + ".attn.q_t", {0, 2, 1, 3});
      const std::string kt = gw.transpose(p + ".attn.k_h", p + ".attn.k_t", {0, 2, 3, 1});
      const std::string v = gw.transpose(p + ".attn.v_h", p + ".attn.v_t", {0, 2, 1, 3});
      gw.op("MatMul", {q, kt}, p + ".attn.scores");
      const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(d)));
      gw.op("Mul", {p + ".attn.scores", gw.const_float(p + ".attn.scale", scale)}, p + ".attn.scaled");
      auto& sm = gw.node("Softmax", {p + ".attn.scaled"}, {p + ".attn.probs"}, p + ".attn.softmax");
      GraphWriter::integer(sm, "axis", -1);
      gw.op("MatMul", {p + ".attn.probs", v}, p + ".attn.context");
      gw.transpose(p + ".attn.context", p + ".attn.context_t", {0, 2, 1, 3});
      gw.op("Reshape", {p + ".attn.context_t", gw.const_ints(p + ".attn.merge_shape", {0, -1, c})},
            p + ".attn.merged");
      const std::string attn = gw.linear(p + ".attn.proj", p + ".attn.merged", c, c);
      const std::string r1 = gw.op("Add", {t, attn}, p + ".residual1");
      // FFN, pre-norm.
      const int64_t hidden = b.mlp_ratio * c;
      std::string f = gw.linear(p + ".mlp.fc1", gw.layer_norm(p + ".norm2", r1, c), c, hidden);
      f = gw.gelu(p + ".mlp.gelu", f);
      f = gw.linear(p + ".mlp.fc2", f, hidden, c);
      const std::string r2 = gw.op("Add", {r1, f}, p + ".residual2");
      // Tokens → NCHW for whatever follows.
      gw.transpose(r2, p + ".untokens", {0, 2, 1});
      return gw.op("Reshape",
                   {p + ".untokens", gw.const_ints(p + ".image_shape", {0, c, b.in_size, b.in_size})},
                   p + ".out");
    }
    case BlockKind::head: {
      const std::string h = gw.conv(p + ".conv", x, b.in_channels, b.out_channels, 1, 1, 1, true);
      gw.op("GlobalAveragePool", {h}, p + ".pool");
      gw.op("Flatten", {p + ".pool"}, p + ".flat");
      const std::string w = gw.param(p + ".fc.weight", {b.classes, b.out_channels});
      const std::string bias = gw.param(p + ".fc.bias", {b.classes});
      auto& n = gw.node("Gemm", {p + ".flat", w, bias}, {p + ".logits"}, p + ".fc");
      GraphWriter::integer(n, "transB", 1);
      return p + ".logits";
    }
  }
  return x;
}

onnx::ModelProto new_model(const std::string& name) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("h4hsim");
  m.set_producer_version(H4H_VERSION);
  auto* imp = m.add_opset_import();
  imp->set_domain("");
  imp->set_version(17);
  m.mutable_graph()->set_name(name);
  return m;
}

void finish(onnx::ModelProto& m, const std::string& out) {
  GraphWriter(m).output(out);
  // Fills value_info for every tensor, so the file opens with shapes in any viewer.
  onnx::shape_inference::InferShapes(m);
}

}  // namespace

onnx::ModelProto build_subnet_model(const SearchSpace& space, const Subnet& s) {
  check_subnet(space, s);
  onnx::ModelProto m = new_model(space.name);
  m.set_doc_string(encode_subnet(s));
  GraphWriter gw(m);
  gw.data_input("input", space.in_channels, s.resolution);
  std::string x = "input";
  // Block names follow the supernet's module paths: stem, stages.<i>.<j>, head.
  const auto blocks = subnet_blocks(space, s);
  size_t next = 0;
  x = emit_block(gw, blocks[next++], "stem", x);
  for (size_t i = 0; i < s.stages.size(); ++i)
    for (size_t j = 0; j < s.stages[i].blocks.size(); ++j)
      x = emit_block(gw, blocks[next++], fmt::format("stages.{}.{}", i, j), x);
  x = emit_block(gw, blocks[next++], "head", x);
  finish(m, x);
  return m;
}

onnx::ModelProto build_block_model(const BlockInstance& b) {
  onnx::ModelProto m = new_model(b.key());
  GraphWriter gw(m);
  gw.data_input("input", b.in_channels, b.in_size);
  finish(m, emit_block(gw, b, "block", "input"));
  return m;
}

void save_model(const onnx::ModelProto& m, const std::string& path) {
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw UserError(fmt::format("{}: could not serialize the model", path));
  write_output(path, bytes);
}

}  // namespace h4h::nas
