#include "frontend/const_tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <numeric>

#include "onnx/onnx_pb.h"

namespace h4h {
namespace {

using onnx::TensorProto;

// Saturates at INT64_MAX for a negative dim or a product past 64 bits, so that every
// "> kMaxFoldElems" check refuses such a tensor instead of seeing a wrapped-around size.
int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(p, d, &p)) return INT64_MAX;
  return p;
}

// A double as an int64 if it is one (in range, not NaN), for values computed in floating point.
std::optional<int64_t> to_int64(double x) {
  if (!(x >= -9.2233720368547758e18 && x < 9.2233720368547758e18)) return std::nullopt;
  return static_cast<int64_t>(x);
}

bool is_float_type(int32_t t) {
  return t == TensorProto::FLOAT || t == TensorProto::DOUBLE || t == TensorProto::FLOAT16 ||
         t == TensorProto::BFLOAT16;
}

bool is_int_type(int32_t t) {
  switch (t) {
    case TensorProto::INT64: case TensorProto::INT32: case TensorProto::INT16:
    case TensorProto::INT8: case TensorProto::UINT8: case TensorProto::UINT16:
    case TensorProto::UINT32: case TensorProto::UINT64: case TensorProto::BOOL:
      return true;
    default:
      return false;
  }
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t attr_int(const onnx::NodeProto& n, const char* name, int64_t def) {
  const auto* a = find_attr(n, name);
  return a ? a->i() : def;
}

std::optional<std::vector<int64_t>> attr_ints(const onnx::NodeProto& n, const char* name) {
  const auto* a = find_attr(n, name);
  if (!a) return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

ConstTensor empty_like_type(bool is_float, int32_t dtype, std::vector<int64_t> dims) {
  ConstTensor c;
  c.is_float = is_float;
  c.onnx_dtype = dtype;
  c.dims = std::move(dims);
  if (is_float) c.f.assign(product(c.dims), 0.0);
  else c.i.assign(product(c.dims), 0);
  return c;
}

// Numpy-style broadcast of `dims` to `out`: returns, for each output index, the input index.
std::vector<int64_t> broadcast_index(const std::vector<int64_t>& dims,
                                     const std::vector<int64_t>& out) {
  const size_t rank = out.size();
  std::vector<int64_t> padded(rank, 1);
  std::copy(dims.begin(), dims.end(), padded.begin() + (rank - dims.size()));
  std::vector<int64_t> in_stride(rank, 0);
  int64_t s = 1;
  for (size_t d = rank; d-- > 0;) {
    in_stride[d] = padded[d] == 1 ? 0 : s;
    s *= padded[d];
  }
  const int64_t total = product(out);
  std::vector<int64_t> idx(total);
  std::vector<int64_t> coord(rank, 0);
  for (int64_t k = 0; k < total; ++k) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; ++d) off += coord[d] * in_stride[d];
    idx[k] = off;
    for (size_t d = rank; d-- > 0;) {
      if (++coord[d] < out[d]) break;
      coord[d] = 0;
    }
  }
  return idx;
}

std::optional<std::vector<int64_t>> broadcast_dims(const std::vector<std::vector<int64_t>>& all) {
  size_t rank = 0;
  for (const auto& d : all) rank = std::max(rank, d.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto& d : all) {
    for (size_t k = 0; k < d.size(); ++k) {
      int64_t& o = out[rank - d.size() + k];
      int64_t v = d[k];
      if (v == o || v == 1) continue;
      if (o == 1) o = v;
      else return std::nullopt;
    }
  }
  return out;
}

using IntOp = std::function<int64_t(int64_t, int64_t)>;
using FloatOp = std::function<double(double, double)>;

std::optional<ConstTensor> binary(const ConstTensor& a, const ConstTensor& b, const IntOp& iop,
                                  const FloatOp& fop, bool result_bool = false) {
  auto out_dims = broadcast_dims({a.dims, b.dims});
  if (!out_dims || product(*out_dims) > kMaxFoldElems) return std::nullopt;
  const bool as_float = a.is_float || b.is_float;
  auto ia = broadcast_index(a.dims, *out_dims);
  auto ib = broadcast_index(b.dims, *out_dims);
  ConstTensor c;
  c.dims = *out_dims;
  if (result_bool) {
    c.is_float = false;
    c.onnx_dtype = TensorProto::BOOL;
    c.i.resize(ia.size());
    for (size_t k = 0; k < ia.size(); ++k)
      c.i[k] = as_float ? static_cast<int64_t>(fop(a.float_at(ia[k]), b.float_at(ib[k])))
                        : iop(a.int_at(ia[k]), b.int_at(ib[k]));
  } else if (as_float) {
    c.is_float = true;
    c.onnx_dtype = a.is_float ? a.onnx_dtype : b.onnx_dtype;
    c.f.resize(ia.size());
    for (size_t k = 0; k < ia.size(); ++k) c.f[k] = fop(a.float_at(ia[k]), b.float_at(ib[k]));
  } else {
    c.is_float = false;
    c.onnx_dtype = a.onnx_dtype;
    c.i.resize(ia.size());
    for (size_t k = 0; k < ia.size(); ++k) c.i[k] = iop(a.i[ia[k]], b.i[ib[k]]);
  }
  return c;
}

ConstTensor gather_elements(const ConstTensor& src, const std::vector<int64_t>& src_index,
                            std::vector<int64_t> dims) {
  ConstTensor c = empty_like_type(src.is_float, src.onnx_dtype, std::move(dims));
  for (size_t k = 0; k < src_index.size(); ++k) {
    if (src.is_float) c.f[k] = src.f[src_index[k]];
    else c.i[k] = src.i[src_index[k]];
  }
  return c;
}

int64_t norm_axis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// Strides of a row-major tensor.
std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) s[d - 1] = s[d] * dims[d];
  return s;
}

std::optional<ConstTensor> eval_slice(const ConstTensor& x, std::vector<int64_t> starts,
                                      std::vector<int64_t> ends, std::vector<int64_t> axes,
                                      std::vector<int64_t> steps) {
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || ends.size() != starts.size() || steps.size() != starts.size())
    return std::nullopt;
  std::vector<int64_t> lo(rank, 0), step(rank, 1), out_dims = x.dims;
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t ax = norm_axis(axes[k], rank);
    if (ax < 0 || ax >= rank || steps[k] == 0) return std::nullopt;
    const int64_t dim = x.dims[ax];
    int64_t s = starts[k], e = ends[k], st = steps[k];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st == INT64_MIN) return std::nullopt;
    // (e - s - 1) / st + 1 is ceil((e - s) / st) without overflowing for a huge step.
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      out_dims[ax] = e > s ? (e - s - 1) / st + 1 : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      out_dims[ax] = s > e ? (s - e - 1) / (-st) + 1 : 0;
    }
    lo[ax] = s;
    step[ax] = st;
  }
  const auto in_stride = strides_of(x.dims);
  const int64_t total = product(out_dims);
  std::vector<int64_t> index(total);
  std::vector<int64_t> coord(rank, 0);
  for (int64_t k = 0; k < total; ++k) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d) off += (lo[d] + coord[d] * step[d]) * in_stride[d];
    index[k] = off;
    for (int64_t d = rank; d-- > 0;) {
      if (++coord[d] < out_dims[d]) break;
      coord[d] = 0;
    }
  }
  return gather_elements(x, index, out_dims);
}

std::optional<ConstTensor> eval_gather(const ConstTensor& data, const ConstTensor& idx,
                                       int64_t axis) {
  const int64_t rank = static_cast<int64_t>(data.dims.size());
  axis = norm_axis(axis, rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  std::vector<int64_t> out_dims(data.dims.begin(), data.dims.begin() + axis);
  out_dims.insert(out_dims.end(), idx.dims.begin(), idx.dims.end());
  out_dims.insert(out_dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  if (product(out_dims) > kMaxFoldElems) return std::nullopt;
  const int64_t outer = product({data.dims.begin(), data.dims.begin() + axis});
  const int64_t inner = product({data.dims.begin() + axis + 1, data.dims.end()});
  const int64_t n = data.dims[axis];
  std::vector<int64_t> index;
  index.reserve(product(out_dims));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t q = 0; q < idx.size(); ++q) {
      int64_t j = idx.int_at(q);
      if (j < 0) j += n;
      if (j < 0 || j >= n) return std::nullopt;
      for (int64_t in = 0; in < inner; ++in) index.push_back((o * n + j) * inner + in);
    }
  return gather_elements(data, index, out_dims);
}

std::optional<ConstTensor> eval_concat(const std::vector<const ConstTensor*>& in, int64_t axis) {
  if (in.empty()) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(in[0]->dims.size());
  axis = norm_axis(axis, rank);
  if (axis < 0 || axis >= rank) return std::nullopt;
  std::vector<int64_t> out_dims = in[0]->dims;
  out_dims[axis] = 0;
  bool any_float = false;
  for (const auto* t : in) {
    if (static_cast<int64_t>(t->dims.size()) != rank) return std::nullopt;
    if (__builtin_add_overflow(out_dims[axis], t->dims[axis], &out_dims[axis])) return std::nullopt;
    any_float |= t->is_float;
  }
  if (product(out_dims) > kMaxFoldElems) return std::nullopt;
  ConstTensor c;
  c.is_float = any_float;
  c.onnx_dtype = in[0]->onnx_dtype;
  c.dims = out_dims;
  const int64_t outer = product({out_dims.begin(), out_dims.begin() + axis});
  for (int64_t o = 0; o < outer; ++o)
    for (const auto* t : in) {
      const int64_t chunk = product({t->dims.begin() + axis, t->dims.end()});
      for (int64_t k = 0; k < chunk; ++k) {
        if (any_float) c.f.push_back(t->float_at(o * chunk + k));
        else c.i.push_back(t->i[o * chunk + k]);
      }
    }
  return c;
}

std::optional<ConstTensor> eval_transpose(const ConstTensor& x, std::vector<int64_t> perm) {
  const size_t rank = x.dims.size();
  if (perm.empty())
    for (size_t d = 0; d < rank; ++d) perm.push_back(static_cast<int64_t>(rank - 1 - d));
  if (perm.size() != rank) return std::nullopt;
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p]) return std::nullopt;
    seen[p] = true;
  }
  std::vector<int64_t> out_dims(rank);
  for (size_t d = 0; d < rank; ++d) out_dims[d] = x.dims[perm[d]];
  const auto in_stride = strides_of(x.dims);
  const int64_t total = product(out_dims);
  std::vector<int64_t> index(total), coord(rank, 0);
  for (int64_t k = 0; k < total; ++k) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; ++d) off += coord[d] * in_stride[perm[d]];
    index[k] = off;
    for (size_t d = rank; d-- > 0;) {
      if (++coord[d] < out_dims[d]) break;
      coord[d] = 0;
    }
  }
  return gather_elements(x, index, out_dims);
}

ConstTensor cast_to(const ConstTensor& x, int32_t to) {
  ConstTensor c;
  c.dims = x.dims;
  c.onnx_dtype = to;
  c.is_float = is_float_type(to);
  const int64_t n = x.size();
  if (c.is_float) {
    c.f.resize(n);
    for (int64_t k = 0; k < n; ++k) c.f[k] = x.float_at(k);
  } else {
    c.i.resize(n);
    for (int64_t k = 0; k < n; ++k) {
      // NaN and out-of-range floats have no integer value: 0 rather than undefined behaviour.
      const int64_t v = x.is_float ? to_int64(std::trunc(x.f[k])).value_or(0) : x.i[k];
      c.i[k] = to == TensorProto::BOOL ? (v != 0) : v;
    }
  }
  return c;
}

// Resolves an ONNX Reshape target (0 = copy the input dim, -1 = infer) against an input.
std::optional<std::vector<int64_t>> resolve_reshape(const std::vector<int64_t>& in_dims,
                                                    const std::vector<int64_t>& target,
                                                    bool allowzero) {
  std::vector<int64_t> out(target.size());
  int64_t known = 1, infer_at = -1;
  for (size_t k = 0; k < target.size(); ++k) {
    int64_t v = target[k];
    if (v == 0 && !allowzero) {
      if (k >= in_dims.size()) return std::nullopt;
      v = in_dims[k];
    }
    if (v == -1) {
      if (infer_at >= 0) return std::nullopt;
      infer_at = static_cast<int64_t>(k);
      continue;
    }
    if (v < 0) return std::nullopt;
    out[k] = v;
    if (__builtin_mul_overflow(known, v, &known)) return std::nullopt;
  }
  const int64_t total = product(in_dims);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) return std::nullopt;
    out[infer_at] = total / known;
  } else if (known != total) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

int64_t ConstTensor::size() const { return is_float ? static_cast<int64_t>(f.size())
                                                    : static_cast<int64_t>(i.size()); }

std::vector<int64_t> ConstTensor::as_ints() const {
  std::vector<int64_t> v(size());
  for (int64_t k = 0; k < size(); ++k) v[k] = int_at(k);
  return v;
}

ConstTensor ConstTensor::ints(std::vector<int64_t> values, std::vector<int64_t> dims) {
  ConstTensor c;
  c.is_float = false;
  c.onnx_dtype = TensorProto::INT64;
  c.i = std::move(values);
  c.dims = std::move(dims);
  return c;
}

std::optional<ConstTensor> const_from_proto(const TensorProto& t) {
  if (t.data_location() == TensorProto::EXTERNAL) return std::nullopt;
  ConstTensor c;
  c.onnx_dtype = t.data_type();
  c.dims.assign(t.dims().begin(), t.dims().end());
  for (int64_t d : c.dims)
    if (d < 0) return std::nullopt;
  const int64_t n = product(c.dims);
  if (n > kMaxFoldElems) return std::nullopt;
  const std::string& raw = t.raw_data();
  auto read_raw = [&](auto sample) -> bool {
    using T = decltype(sample);
    if (raw.size() != static_cast<size_t>(n) * sizeof(T)) return false;
    for (int64_t k = 0; k < n; ++k) {
      T v;
      std::memcpy(&v, raw.data() + k * sizeof(T), sizeof(T));
      if (c.is_float) c.f.push_back(static_cast<double>(v));
      else c.i.push_back(static_cast<int64_t>(v));
    }
    return true;
  };
  c.is_float = is_float_type(c.onnx_dtype);
  if (!c.is_float && !is_int_type(c.onnx_dtype)) return std::nullopt;
  const bool has_raw = t.has_raw_data();
  bool ok = true;
  switch (c.onnx_dtype) {
    case TensorProto::FLOAT:
      if (has_raw) ok = read_raw(float{});
      else c.f.assign(t.float_data().begin(), t.float_data().end());
      break;
    case TensorProto::DOUBLE:
      if (has_raw) ok = read_raw(double{});
      else c.f.assign(t.double_data().begin(), t.double_data().end());
      break;
    case TensorProto::INT64:
      if (has_raw) ok = read_raw(int64_t{});
      else c.i.assign(t.int64_data().begin(), t.int64_data().end());
      break;
    case TensorProto::INT32:
      if (has_raw) ok = read_raw(int32_t{});
      else c.i.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case TensorProto::BOOL:
    case TensorProto::UINT8:
      if (has_raw) ok = read_raw(uint8_t{});
      else c.i.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    case TensorProto::INT8:
      if (has_raw) ok = read_raw(int8_t{});
      else c.i.assign(t.int32_data().begin(), t.int32_data().end());
      break;
    default:
      return std::nullopt;  // fp16/bf16 and exotic ints: not needed for shape arithmetic
  }
  if (!ok || c.size() != n) return std::nullopt;
  return c;
}

void const_to_proto(const ConstTensor& c, const std::string& name, TensorProto* out) {
  out->Clear();
  out->set_name(name);
  for (int64_t d : c.dims) out->add_dims(d);
  if (c.is_float) {
    // Stored as float32 whatever the source precision: only the shape matters downstream.
    out->set_data_type(c.onnx_dtype == TensorProto::DOUBLE ? TensorProto::DOUBLE
                                                            : TensorProto::FLOAT);
    for (double v : c.f) {
      if (out->data_type() == TensorProto::DOUBLE) out->add_double_data(v);
      else out->add_float_data(static_cast<float>(v));
    }
  } else if (c.onnx_dtype == TensorProto::INT64 || c.onnx_dtype == TensorProto::UINT64 ||
             c.onnx_dtype == TensorProto::UINT32) {
    out->set_data_type(TensorProto::INT64);
    for (int64_t v : c.i) out->add_int64_data(v);
  } else {
    out->set_data_type(c.onnx_dtype);
    for (int64_t v : c.i) out->add_int32_data(static_cast<int32_t>(v));
  }
}

std::optional<std::vector<ConstTensor>> eval_const_node(
    const onnx::NodeProto& node, int opset, const std::vector<const ConstTensor*>& in,
    const std::vector<std::optional<std::vector<int64_t>>>& in_shapes) {
  const std::string& op = node.op_type();
  auto one = [](std::optional<ConstTensor> t) -> std::optional<std::vector<ConstTensor>> {
    if (!t) return std::nullopt;
    return std::vector<ConstTensor>{std::move(*t)};
  };
  auto have = [&](size_t k) { return k < in.size() && in[k] != nullptr; };

  // Ops that need only the input's shape, not its values.
  if (op == "Shape" || op == "Size") {
    if (in_shapes.empty() || !in_shapes[0]) return std::nullopt;
    const auto& dims = *in_shapes[0];
    if (op == "Size") return one(ConstTensor::scalar_int(product(dims)));
    const int64_t rank = static_cast<int64_t>(dims.size());
    int64_t start = std::clamp<int64_t>(norm_axis(attr_int(node, "start", 0), rank), 0, rank);
    int64_t end = std::clamp<int64_t>(norm_axis(attr_int(node, "end", rank), rank), 0, rank);
    std::vector<int64_t> v(dims.begin() + start, dims.begin() + std::max(start, end));
    const int64_t n = static_cast<int64_t>(v.size());
    return one(ConstTensor::ints(std::move(v), {n}));
  }
  if (op == "Constant") {
    if (const auto* a = find_attr(node, "value")) return one(const_from_proto(a->t()));
    if (const auto* a = find_attr(node, "value_int")) return one(ConstTensor::scalar_int(a->i()));
    if (const auto* a = find_attr(node, "value_ints")) {
      std::vector<int64_t> v(a->ints().begin(), a->ints().end());
      const int64_t n = static_cast<int64_t>(v.size());
      return one(ConstTensor::ints(std::move(v), {n}));
    }
    if (const auto* a = find_attr(node, "value_float")) {
      ConstTensor c;
      c.is_float = true;
      c.onnx_dtype = TensorProto::FLOAT;
      c.f = {a->f()};
      return one(c);
    }
    return std::nullopt;
  }
  if (op == "ConstantOfShape") {
    if (!have(0)) return std::nullopt;
    auto dims = in[0]->as_ints();
    for (int64_t d : dims)
      if (d < 0) return std::nullopt;
    if (product(dims) > kMaxFoldElems) return std::nullopt;
    ConstTensor fill;
    if (const auto* a = find_attr(node, "value")) {
      auto v = const_from_proto(a->t());
      if (!v || v->size() != 1) return std::nullopt;
      fill = *v;
    } else {
      fill.is_float = true;
      fill.onnx_dtype = TensorProto::FLOAT;
      fill.f = {0.0};
    }
    ConstTensor c = empty_like_type(fill.is_float, fill.onnx_dtype, dims);
    if (c.is_float) std::fill(c.f.begin(), c.f.end(), fill.f[0]);
    else std::fill(c.i.begin(), c.i.end(), fill.i[0]);
    return one(c);
  }

  // Every other foldable op needs all of its present inputs as constants.
  for (size_t k = 0; k < static_cast<size_t>(node.input_size()); ++k)
    if (!node.input(k).empty() && !have(k)) return std::nullopt;
  if (in.empty()) return std::nullopt;

  if (op == "Identity") return one(*in[0]);
  if (op == "Cast") return one(cast_to(*in[0], static_cast<int32_t>(attr_int(node, "to", 1))));
  if (op == "Neg" || op == "Abs" || op == "Floor" || op == "Ceil" || op == "Sqrt" ||
      op == "Not" || op == "Reciprocal" || op == "Round") {
    ConstTensor c = *in[0];
    for (int64_t k = 0; k < c.size(); ++k) {
      if (c.is_float) {
        double& v = c.f[k];
        if (op == "Neg") v = -v;
        else if (op == "Abs") v = std::fabs(v);
        else if (op == "Floor") v = std::floor(v);
        else if (op == "Ceil") v = std::ceil(v);
        else if (op == "Sqrt") v = std::sqrt(v);
        else if (op == "Reciprocal") v = 1.0 / v;
        else if (op == "Round") v = std::nearbyint(v);
        else return std::nullopt;
      } else {
        int64_t& v = c.i[k];
        if ((op == "Neg" || op == "Abs") && v == INT64_MIN)
          return std::nullopt;  // no int64 negation
        if (op == "Neg") v = -v;
        else if (op == "Abs") v = v < 0 ? -v : v;
        else if (op == "Not") v = !v;
        else if (op == "Floor" || op == "Ceil" || op == "Round") {}
        else return std::nullopt;
      }
    }
    return one(c);
  }
  // Integer shape arithmetic that overflows int64 has no right answer: the node stays
  // dynamic (unfolded) rather than folding a wrapped-around dim.
  bool overflow = false;
  auto checked =
      [&overflow](std::optional<ConstTensor> t) -> std::optional<std::vector<ConstTensor>> {
    if (overflow || !t) return std::nullopt;
    return std::vector<ConstTensor>{std::move(*t)};
  };
  if (op == "Add")
    return checked(binary(
        *in[0], *in[1],
        [&overflow](int64_t a, int64_t b) {
          int64_t r = 0;
          overflow |= __builtin_add_overflow(a, b, &r);
          return r;
        },
        std::plus<double>()));
  if (op == "Sub")
    return checked(binary(
        *in[0], *in[1],
        [&overflow](int64_t a, int64_t b) {
          int64_t r = 0;
          overflow |= __builtin_sub_overflow(a, b, &r);
          return r;
        },
        std::minus<double>()));
  if (op == "Mul")
    return checked(binary(
        *in[0], *in[1],
        [&overflow](int64_t a, int64_t b) {
          int64_t r = 0;
          overflow |= __builtin_mul_overflow(a, b, &r);
          return r;
        },
        std::multiplies<double>()));
  if (op == "Div") {
    for (int64_t k = 0; k < in[1]->size(); ++k)
      if (!in[1]->is_float && in[1]->i[k] == 0) return std::nullopt;
    // ONNX integer Div truncates toward zero (as C++ does); INT64_MIN / -1 does not fit.
    return checked(binary(
        *in[0], *in[1],
        [&overflow](int64_t a, int64_t b) {
          if (a == INT64_MIN && b == -1) return overflow = true, int64_t{0};
          return a / b;
        },
        std::divides<double>()));
  }
  if (op == "Mod") {
    for (int64_t k = 0; k < in[1]->size(); ++k)
      if (in[1]->float_at(k) == 0) return std::nullopt;
    const bool fmod = attr_int(node, "fmod", 0) != 0;
    return checked(binary(
        *in[0], *in[1],
        [fmod, &overflow](int64_t a, int64_t b) {
          if (a == INT64_MIN && b == -1) return overflow = true, int64_t{0};  // traps in C++
          int64_t r = a % b;  // C++ sign follows the dividend, as fmod=1
          if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b;  // Python-style sign of divisor
          return r;
        },
        [fmod](double a, double b) {
          double r = std::fmod(a, b);
          if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
          return r;
        }));
  }
  if (op == "Pow")
    return checked(binary(
        *in[0], *in[1],
        [&overflow](int64_t a, int64_t b) {
          const auto r = to_int64(std::pow(static_cast<double>(a), static_cast<double>(b)));
          overflow |= !r;
          return r.value_or(0);
        },
        [](double a, double b) { return std::pow(a, b); }));
  if (op == "Max" || op == "Min") {
    const bool mx = op == "Max";
    ConstTensor acc = *in[0];
    for (size_t k = 1; k < in.size(); ++k) {
      auto r = binary(
          acc, *in[k], [mx](int64_t a, int64_t b) { return mx ? std::max(a, b) : std::min(a, b); },
          [mx](double a, double b) { return mx ? std::max(a, b) : std::min(a, b); });
      if (!r) return std::nullopt;
      acc = *r;
    }
    return one(acc);
  }
  if (op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" ||
      op == "GreaterOrEqual" || op == "And" || op == "Or") {
    auto cmp = [&op](double a, double b) -> bool {
      if (op == "Equal") return a == b;
      if (op == "Less") return a < b;
      if (op == "Greater") return a > b;
      if (op == "LessOrEqual") return a <= b;
      if (op == "GreaterOrEqual") return a >= b;
      if (op == "And") return a != 0 && b != 0;
      return a != 0 || b != 0;
    };
    return one(binary(
        *in[0], *in[1],
        [&cmp](int64_t a, int64_t b) {
          return static_cast<int64_t>(cmp(static_cast<double>(a), static_cast<double>(b)));
        },
        [&cmp](double a, double b) { return cmp(a, b) ? 1.0 : 0.0; }, /*result_bool=*/true));
  }
  if (op == "Where") {
    if (in.size() < 3) return std::nullopt;
    auto out_dims = broadcast_dims({in[0]->dims, in[1]->dims, in[2]->dims});
    if (!out_dims || product(*out_dims) > kMaxFoldElems) return std::nullopt;
    auto ic = broadcast_index(in[0]->dims, *out_dims);
    auto ix = broadcast_index(in[1]->dims, *out_dims);
    auto iy = broadcast_index(in[2]->dims, *out_dims);
    const bool as_float = in[1]->is_float || in[2]->is_float;
    ConstTensor c = empty_like_type(as_float, in[1]->onnx_dtype, *out_dims);
    for (size_t k = 0; k < ic.size(); ++k) {
      const ConstTensor* src = in[0]->int_at(ic[k]) ? in[1] : in[2];
      const int64_t j = in[0]->int_at(ic[k]) ? ix[k] : iy[k];
      if (as_float) c.f[k] = src->float_at(j);
      else c.i[k] = src->i[j];
    }
    return one(c);
  }
  if (op == "Unsqueeze" || op == "Squeeze") {
    std::optional<std::vector<int64_t>> axes =
        opset >= 13 ? (have(1) ? std::optional(in[1]->as_ints()) : std::nullopt)
                    : attr_ints(node, "axes");
    ConstTensor c = *in[0];
    if (op == "Unsqueeze") {
      if (!axes) return std::nullopt;
      const int64_t out_rank = static_cast<int64_t>(c.dims.size() + axes->size());
      std::vector<int64_t> norm;
      for (int64_t a : *axes) norm.push_back(norm_axis(a, out_rank));
      std::sort(norm.begin(), norm.end());
      for (int64_t a : norm) {
        if (a < 0 || a > static_cast<int64_t>(c.dims.size())) return std::nullopt;
        c.dims.insert(c.dims.begin() + a, 1);
      }
    } else {
      std::vector<int64_t> out;
      const int64_t rank = static_cast<int64_t>(c.dims.size());
      for (int64_t d = 0; d < rank; ++d) {
        bool drop = false;
        if (axes) {
          for (int64_t a : *axes) drop |= norm_axis(a, rank) == d;
        } else {
          drop = c.dims[d] == 1;
        }
        if (!drop) out.push_back(c.dims[d]);
      }
      c.dims = out;
    }
    return one(c);
  }
  if (op == "Reshape" || op == "Flatten") {
    ConstTensor c = *in[0];
    if (op == "Flatten") {
      const int64_t rank = static_cast<int64_t>(c.dims.size());
      const int64_t axis = norm_axis(attr_int(node, "axis", 1), rank);
      if (axis < 0 || axis > rank) return std::nullopt;
      const int64_t outer = product({c.dims.begin(), c.dims.begin() + axis});
      c.dims = {outer, c.size() / std::max<int64_t>(outer, 1)};
      return one(c);
    }
    auto dims = resolve_reshape(c.dims, in[1]->as_ints(), attr_int(node, "allowzero", 0) != 0);
    if (!dims) return std::nullopt;
    c.dims = *dims;
    return one(c);
  }
  if (op == "Concat") return one(eval_concat(in, attr_int(node, "axis", 0)));
  if (op == "Gather") return one(eval_gather(*in[0], *in[1], attr_int(node, "axis", 0)));
  if (op == "Transpose") return one(eval_transpose(*in[0], attr_ints(node, "perm").value_or(
                                                               std::vector<int64_t>{})));
  if (op == "Slice") {
    if (opset < 10) {
      auto starts = attr_ints(node, "starts"), ends = attr_ints(node, "ends");
      if (!starts || !ends) return std::nullopt;
      return one(eval_slice(*in[0], *starts, *ends,
                            attr_ints(node, "axes").value_or(std::vector<int64_t>{}), {}));
    }
    if (in.size() < 3) return std::nullopt;
    return one(eval_slice(*in[0], in[1]->as_ints(), in[2]->as_ints(),
                          have(3) ? in[3]->as_ints() : std::vector<int64_t>{},
                          have(4) ? in[4]->as_ints() : std::vector<int64_t>{}));
  }
  if (op == "Range") {
    if (in.size() < 3) return std::nullopt;
    if (in[0]->size() < 1 || in[1]->size() < 1 || in[2]->size() < 1) return std::nullopt;
    const double start = in[0]->float_at(0), limit = in[1]->float_at(0), delta = in[2]->float_at(0);
    if (delta == 0) return std::nullopt;
    const double count = std::ceil((limit - start) / delta);  // may be NaN or huge
    if (!(count <= static_cast<double>(kMaxFoldElems))) return std::nullopt;
    const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
    ConstTensor c = empty_like_type(in[0]->is_float, in[0]->onnx_dtype, {n});
    for (int64_t k = 0; k < n; ++k) {
      if (c.is_float) c.f[k] = start + k * delta;
      else c.i[k] = static_cast<int64_t>(start) + k * static_cast<int64_t>(delta);
    }
    return one(c);
  }
  if (op == "Expand") {
    auto shape = in[1]->as_ints();
    auto out_dims = broadcast_dims({in[0]->dims, shape});
    if (!out_dims || product(*out_dims) > kMaxFoldElems) return std::nullopt;
    return one(gather_elements(*in[0], broadcast_index(in[0]->dims, *out_dims), *out_dims));
  }
  if (op == "Tile") {
    auto reps = in[1]->as_ints();
    if (reps.size() != in[0]->dims.size()) return std::nullopt;
    std::vector<int64_t> out_dims(reps.size());
    for (size_t d = 0; d < reps.size(); ++d)
      if (reps[d] < 0 || __builtin_mul_overflow(in[0]->dims[d], reps[d], &out_dims[d]))
        return std::nullopt;
    if (product(out_dims) > kMaxFoldElems) return std::nullopt;
    const auto in_stride = strides_of(in[0]->dims);
    std::vector<int64_t> index(product(out_dims)), coord(reps.size(), 0);
    for (size_t k = 0; k < index.size(); ++k) {
      int64_t off = 0;
      for (size_t d = 0; d < reps.size(); ++d) off += (coord[d] % in[0]->dims[d]) * in_stride[d];
      index[k] = off;
      for (size_t d = reps.size(); d-- > 0;) {
        if (++coord[d] < out_dims[d]) break;
        coord[d] = 0;
      }
    }
    return one(gather_elements(*in[0], index, out_dims));
  }
  if (op == "ReduceProd" || op == "ReduceSum" || op == "ReduceMax" || op == "ReduceMin") {
    // Only the full reduction of a 1-D vector appears in shape arithmetic.
    if (in[0]->dims.size() > 1 || attr_ints(node, "axes") || have(1)) return std::nullopt;
    double acc = op == "ReduceProd" ? 1.0 : op == "ReduceSum" ? 0.0 : in[0]->float_at(0);
    for (int64_t k = 0; k < in[0]->size(); ++k) {
      const double v = in[0]->float_at(k);
      if (op == "ReduceProd") acc *= v;
      else if (op == "ReduceSum") acc += v;
      else if (op == "ReduceMax") acc = std::max(acc, v);
      else acc = std::min(acc, v);
    }
    ConstTensor c = empty_like_type(in[0]->is_float, in[0]->onnx_dtype,
                                    attr_int(node, "keepdims", 1) ? std::vector<int64_t>{1}
                                                                  : std::vector<int64_t>{});
    if (c.is_float) c.f[0] = acc;
    else c.i[0] = static_cast<int64_t>(acc);
    return one(c);
  }
  return std::nullopt;
}

}  // namespace h4h
