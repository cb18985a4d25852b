#pragma once
// ConstTensor: a small tensor whose values are known before execution (shape arithmetic,
// Constant nodes). The shape folder evaluates ONNX's shape subgraphs on these so that
// data-dependent Reshape/Expand targets become constants that shape inference can use.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
class NodeProto;
}  // namespace onnx

namespace h4h {

struct ConstTensor {
  bool is_float = false;          // float storage in `f`, integer/bool storage in `i`
  int32_t onnx_dtype = 7;         // onnx::TensorProto_DataType (7 = INT64)
  std::vector<int64_t> dims;
  std::vector<int64_t> i;
  std::vector<double> f;

  int64_t size() const;
  int64_t int_at(int64_t k) const { return is_float ? static_cast<int64_t>(f[k]) : i[k]; }
  double float_at(int64_t k) const { return is_float ? f[k] : static_cast<double>(i[k]); }
  std::vector<int64_t> as_ints() const;

  static ConstTensor ints(std::vector<int64_t> values, std::vector<int64_t> dims);
  static ConstTensor scalar_int(int64_t v) { return ints({v}, {}); }
};

// Largest constant we are willing to materialize while folding: shape subgraphs are tiny,
// masks built from shapes are at most a few feature maps. Anything bigger stays dynamic.
constexpr int64_t kMaxFoldElems = 1 << 20;

// Reads a TensorProto's values when they are stored inline; nullopt for external or
// missing data (graph-only exports), or for data types we do not fold (strings, ...).
std::optional<ConstTensor> const_from_proto(const onnx::TensorProto& t);
void const_to_proto(const ConstTensor& c, const std::string& name, onnx::TensorProto* out);

// Evaluates one node on constant inputs. `inputs[k]` is nullptr for an absent optional
// input. Returns nullopt when the op is not foldable here (the node then stays dynamic).
// `input_shapes` carry what shape inference knows (Shape/Size need only those).
std::optional<std::vector<ConstTensor>> eval_const_node(
    const onnx::NodeProto& node, int opset, const std::vector<const ConstTensor*>& inputs,
    const std::vector<std::optional<std::vector<int64_t>>>& input_shapes);

}  // namespace h4h
