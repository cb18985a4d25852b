#include "frontend/lower.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "frontend/einsum.h"
#include "frontend/user_error.h"

namespace h4h {
namespace {

int64_t product(const std::vector<int64_t>& d, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t p = 1;
  for (size_t k = from; k < std::min(to, d.size()); ++k) p *= d[k];
  return p;
}

// a · b for a kernel's MAC or operation count: UserError naming the node past the bound
// (the factors are tensor sizes <= 2^40 each, so their product may not fit 64 bits).
int64_t count_mul(int64_t a, int64_t b, const Graph& g, const OpNode& n) {
  int64_t r = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r) || r > kMaxWorkloadMacs)
    throw UserError(
        fmt::format("{}: node '{}' ({}): {} x {} operations is more than 2^50, h4hsim's "
                    "limit for one kernel",
                    g.origin, n.name, n.op_type, a, b));
  return r;
}

bool is_pool(const std::string& op) {
  return op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
         op == "GlobalMaxPool";
}

bool is_data_movement(const std::string& op) {
  static const std::unordered_set<std::string> ops = {
      "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Slice",
      "Pad", "Gather", "Expand", "Tile", "ScatterND", "Identity", "Dropout"};
  return ops.count(op) != 0;
}

// Reductions and normalizations read every input element; elementwise ops produce one
// result per output element.
bool reads_whole_input(const std::string& op) {
  return op == "Softmax" || op == "LogSoftmax" || op == "LayerNorm" || op == "ReduceMean" ||
         op == "DynamicQuantizeLinear" || op == "ReduceSum" || op == "ReduceMax" ||
         op == "InstanceNormalization";
}

// Dims of size 1 can move freely in memory; a permutation that keeps the others in order
// is a relabelling, not a copy.
bool transpose_is_view(const std::vector<int64_t>& in_dims, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(in_dims.size())) return false;
    if (in_dims[p] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

// A slice is a view when it takes one contiguous block: only the outermost non-unit
// axis is cut (with step 1) and every axis inside it is taken whole.
bool slice_is_view(const std::vector<int64_t>& in_dims, const std::vector<int64_t>& out_dims) {
  if (in_dims.size() != out_dims.size()) return false;
  size_t first_cut = in_dims.size();
  for (size_t d = 0; d < in_dims.size(); ++d)
    if (in_dims[d] != out_dims[d]) {
      first_cut = d;
      break;
    }
  if (first_cut == in_dims.size()) return true;
  for (size_t d = 0; d < first_cut; ++d)
    if (in_dims[d] != 1) return false;
  for (size_t d = first_cut + 1; d < in_dims.size(); ++d)
    if (in_dims[d] != out_dims[d]) return false;
  return true;
}

// Gather of one constant index on an axis with only unit dims outside it (qkv[0] in
// attention) picks one contiguous block: a view.
bool gather_is_view(const Graph& g, const OpNode& n) {
  if (n.inputs.size() < 2 || !g.is_static(n.inputs[1]) || g.elems(n.inputs[1]) != 1) return false;
  const auto& in = g.dims(n.inputs[0]);
  int64_t axis = n.attr_i("axis", 0);
  if (axis < 0) axis += static_cast<int64_t>(in.size());
  return product(in, 0, static_cast<size_t>(std::max<int64_t>(axis, 0))) == 1;
}

void lower_conv(const Graph& g, const OpNode& n, Kernel& k) {
  const auto& x = g.dims(n.inputs[0]);
  const auto& w = g.dims(n.inputs[1]);
  const auto& y = g.dims(n.outputs[0]);
  if (x.size() < 3 || w.size() != x.size() || y.size() != x.size())
    throw UserError(fmt::format("{}: node '{}' (Conv): unexpected ranks (input {}, weight {})",
                                g.origin, n.name, x.size(), w.size()));
  k.cls = KernelClass::conv;
  auto& c = k.conv;
  c.batch = x[0];
  c.in_channels = x[1];
  c.out_channels = y[1];
  c.groups = n.attr_i("group", 1);
  const bool is2d = x.size() == 4;
  c.in_h = x[2];
  c.in_w = is2d ? x[3] : 1;
  c.out_h = y[2];
  c.out_w = is2d ? y[3] : 1;
  c.kernel_h = w[2];
  c.kernel_w = is2d ? w[3] : 1;
  auto strides = n.attr_ints("strides");
  c.stride_h = strides.size() > 0 ? strides[0] : 1;
  c.stride_w = strides.size() > 1 ? strides[1] : 1;
  const int64_t k_per_output = product(w, 1);  // (Cin/groups)·kh·kw
  k.macs = count_mul(product(y), k_per_output, g, n);
  // GEMM view per group: rows = output pixels, cols = filters of the group, K = reduction.
  k.gemm.batch = c.groups;
  k.gemm.m = c.batch * product(y, 2);
  k.gemm.n = c.out_channels / std::max<int64_t>(c.groups, 1);
  k.gemm.k = k_per_output;
}

// Numpy matmul: A [..., m, k] · B [..., k, n]; 1-D operands get a unit dim.
void lower_gemm_like(const Graph& g, const OpNode& n, Kernel& k, bool weight_static) {
  auto a = g.dims(n.inputs[0]);
  auto b = g.dims(n.inputs[1]);
  const auto& y = g.dims(n.outputs[0]);
  int64_t m, kk, nn;
  const bool is_2d = n.op_type == "Gemm" || n.attr_i("gemm_2d", 0) != 0;
  if (a.empty() || b.empty() || (is_2d && (a.size() != 2 || b.size() != 2)))
    throw UserError(fmt::format("{}: node '{}' ({}): unexpected operand ranks ({} and {})",
                                g.origin, n.name, n.op_type, a.size(), b.size()));
  if (is_2d) {
    // Gemm: 2-D only, with optional transposes.
    const bool ta = n.attr_i("transA", 0) != 0, tb = n.attr_i("transB", 0) != 0;
    m = ta ? a[1] : a[0];
    kk = ta ? a[0] : a[1];
    nn = tb ? b[0] : b[1];
  } else {
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    m = a[a.size() - 2];
    kk = a.back();
    nn = b.back();
  }
  k.cls = weight_static ? KernelClass::linear : KernelClass::matmul;
  k.macs = count_mul(product(y), kk, g, n);
  const int64_t out_mn = std::max<int64_t>(m * nn, 1);
  if (weight_static) {
    // A shared weight: every leading dim of the activation is just more rows.
    k.gemm = {1, product(y) / std::max<int64_t>(nn, 1), nn, kk};
  } else {
    k.gemm = {product(y) / out_mn, m, nn, kk};
  }
}

// Einsum (MaxViT writes its attention with it). Labels present in both operands and the
// output are batch dims; in one operand and the output, m or n; in both operands but not
// the output, the contraction K. MACs = product of every label's size (= output × K).
void lower_einsum(const Graph& g, const OpNode& n, Kernel& k) {
  const auto eq = n.attrs.count("equation") ? n.attrs.at("equation").s : std::string();
  std::vector<size_t> ranks;
  for (const auto& in : n.inputs) ranks.push_back(g.dims(in).size());
  auto labels = parse_einsum(eq, ranks);
  if (!labels || ranks.empty() || ranks.size() > 2)
    throw UserError(fmt::format("{}: unsupported Einsum '{}' (node '{}'): only explicit "
                                "one- or two-operand equations are supported",
                                g.origin, eq, n.name));
  if (ranks.size() == 1) {
    k.cls = KernelClass::vector;  // a transpose or a reduction: no multiply
    k.vector_ops = k.input_elems;
    return;
  }
  std::map<std::string, int64_t> size;
  for (size_t i = 0; i < 2; ++i)
    for (size_t d = 0; d < ranks[i]; ++d)
      size[labels->inputs[i][d]] = std::max(size[labels->inputs[i][d]], g.dims(n.inputs[i])[d]);
  auto has = [](const std::vector<std::string>& v, const std::string& l) {
    return std::find(v.begin(), v.end(), l) != v.end();
  };
  GemmGeometry gm{1, 1, 1, 1};
  int64_t all = 1;
  for (const auto& [label, sz] : size) {
    all = count_mul(all, sz, g, n);
    const bool a = has(labels->inputs[0], label), b = has(labels->inputs[1], label);
    const bool o = has(labels->output, label);
    if (a && b && o) gm.batch *= sz;
    else if (a && b) gm.k *= sz;
    else if (a && o) gm.m *= sz;
    else if (b && o) gm.n *= sz;
    else gm.k *= sz;  // summed away within one operand: part of the reduction
  }
  k.cls = g.is_static(n.inputs[1]) ? KernelClass::linear : KernelClass::matmul;
  k.gemm = gm;
  k.macs = all;
}

}  // namespace

Workload lower_to_workload(const Graph& g, const LowerOptions& opts) {
  Workload w;
  w.model = g.origin;
  w.batch = g.batch;
  w.activation_bits = opts.activation_bits;
  w.weight_bits = opts.weight_bits;
  std::unordered_map<std::string, int> tensor_of_name;  // the latest tensor of each name
  std::unordered_set<std::string> claimed_params;
  const std::unordered_set<std::string> graph_outputs(g.graph_outputs.begin(),
                                                      g.graph_outputs.end());
  auto add_tensor = [&](const std::string& name, bool shape_known) {
    Tensor t;
    t.name = name;
    if (shape_known) {
      t.shape = g.dims(name);
      t.elems = g.elems(name);
    }
    t.network_output = graph_outputs.count(name) != 0;
    t.bits = g.storage_bits(name);
    w.tensors.push_back(std::move(t));
    return tensor_of_name[name] = static_cast<int>(w.tensors.size()) - 1;
  };

  for (Vertex v : g.live_topological_order()) {
    const OpNode& n = g.dag[v];
    Kernel k;
    k.name = n.name;
    k.op = n.op_type;
    k.activation = n.activation;
    k.tag = n.tag;
    if (!n.outputs.empty()) k.output_shape = g.dims(n.outputs[0]);
    for (const auto& o : n.outputs)
      if (!o.empty() && g.facts(o).shape_known) k.output_elems += g.elems(o);

    auto claim = [&](const std::string& t) {
      auto it = g.param_origins.find(t);
      if (it == g.param_origins.end()) return;
      for (const auto& p : it->second) {
        auto lp = g.learnable_params.find(p);
        if (lp != g.learnable_params.end() && claimed_params.insert(p).second)
          k.param_elems += lp->second;
      }
    };
    int64_t largest_param_elems = 0;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::string& t = n.inputs[i];
      if (t.empty()) continue;
      if (g.is_static(t)) {
        const bool is_param = g.facts(t).kind == TensorKind::param;
        // The weights' width is that of the largest stored operand (not an int32 bias).
        if (is_param && g.elems(t) > largest_param_elems) {
          largest_param_elems = g.elems(t);
          k.weight_bits = g.storage_bits(t);
        }
        // Scalars and shape operands are immediates, not stored weights.
        if (is_param || g.elems(t) > 1) {
          if (!(n.op_type == "Reshape" || n.op_type == "Expand" || n.op_type == "Tile" ||
                n.op_type == "Slice" || n.op_type == "Pad" || n.op_type == "Unsqueeze" ||
                n.op_type == "Squeeze" || n.op_type == "Split" || n.op_type == "Clip" ||
                n.op_type == "Resize") || is_param)
            k.weight_elems += g.elems(t);
        }
        claim(t);
        continue;
      }
      k.input_shapes.push_back(g.dims(t));
      k.input_elems += g.elems(t);
      // A name no kernel wrote yet is a network input.
      const auto known = tensor_of_name.find(t);
      k.inputs.push_back(known != tensor_of_name.end() ? known->second : add_tensor(t, true));
    }
    for (const auto& t : n.absorbed_params) claim(t);
    // Operands at the width the model stores its (first) data input at.
    if (!k.inputs.empty()) k.activation_bits = w.tensors[static_cast<size_t>(k.inputs[0])].bits;

    const std::string& op = n.op_type;
    if (op == "Conv") {
      lower_conv(g, n, k);
    } else if (op == "Linear") {
      lower_gemm_like(g, n, k, /*weight_static=*/true);
    } else if (op == "MatMul" || op == "Gemm") {
      lower_gemm_like(g, n, k, /*weight_static=*/false);
    } else if (op == "Einsum") {
      lower_einsum(g, n, k);
    } else if (is_pool(op)) {
      k.cls = KernelClass::pool;
      const auto ks = checked_elems(n.attr_ints("kernel_shape"));
      if (!ks)
        throw UserError(fmt::format("{}: node '{}' ({}): kernel_shape [{}] is not a size", g.origin,
                                    n.name, op, fmt::join(n.attr_ints("kernel_shape"), ", ")));
      k.vector_ops =
          op.rfind("Global", 0) == 0 ? k.input_elems : count_mul(k.output_elems, *ks, g, n);
    } else if (is_data_movement(op)) {
      k.cls = KernelClass::data_movement;
      const auto& in = g.dims(n.inputs[0]);
      if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
          op == "Identity" || op == "Dropout")
        k.is_copy = false;
      else if (op == "Transpose")
        k.is_copy = !transpose_is_view(in, n.attr_ints("perm"));
      else if (op == "Slice")
        k.is_copy = !slice_is_view(in, k.output_shape);
      else if (op == "Gather")
        k.is_copy = !gather_is_view(g, n);
      else if (op == "Pad")
        k.is_copy = k.output_shape != in;  // a zero pad changes nothing
      else
        k.is_copy = true;
    } else {
      k.cls = KernelClass::vector;
      k.vector_ops = reads_whole_input(op) ? std::max(k.input_elems, k.output_elems)
                                           : k.output_elems;
    }
    for (const auto& o : n.outputs)
      if (!o.empty()) k.outputs.push_back(add_tensor(o, g.facts(o).shape_known));
    w.kernels.push_back(std::move(k));
  }
  link_tensors(w);
  check_workload_limits(w);
  return w;
}

}  // namespace h4h
