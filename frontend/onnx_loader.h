#pragma once
// ONNX loading: parse → validate → fix the batch → ONNX shape inference → fold shape
// subgraphs to constants → repeat until every shape that can be resolved is. The result
// is a model whose remaining nodes are the network's real computation.
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "frontend/const_tensor.h"
#include "frontend/quantized.h"
#include "onnx/onnx_pb.h"

namespace h4h {

struct OnnxLoadOptions {
  // Batch for data inputs whose first dim is symbolic; 0 = not given (1 for dynamic
  // inputs, the model's own batch for fixed ones).
  int64_t batch = 0;
  // Names of the data inputs. Empty: the first graph input that is not an initializer is
  // the data input and every other graph input is a parameter (graph-only exports).
  std::vector<std::string> data_inputs;
};

enum class TensorKind { activation, param, constant };

struct TensorFacts {
  std::vector<int64_t> dims;
  bool shape_known = false;
  int32_t dtype = 0;                  // onnx::TensorProto_DataType, 0 = unknown
  TensorKind kind = TensorKind::activation;
};

struct LoadedOnnx {
  std::string path;
  int opset = 0;                                            // after conversion (11-17)
  QuantizedFacts quantized;                                 // a quantized model's precisions
  onnx::ModelProto model;                                   // folded nodes removed
  std::vector<std::string> data_inputs;
  std::set<std::string> graph_params;                       // original parameter tensors
  std::unordered_map<std::string, TensorFacts> tensors;     // everything we know
  std::unordered_map<std::string, ConstTensor> consts;      // folded/constant values
  int fold_iterations = 0;
  int folded_nodes = 0;
  // Graph inputs whose shape --batch does not fix (a symbolic or missing dim other than
  // the first of a data input, or no shape at all): a shape that stays unresolved is blamed
  // on them only when it depends on one of them.
  std::vector<std::string> dynamic_inputs;
};

// Opsets of the default domain we read. ONNX 1.12's shape inference knows up to 17; older
// models from kMinConvertibleOpset are converted to kMinOpset by ONNX's version converter,
// newer ones up to kMaxReadableOpset are read as 17 when none of their ops changed meaning.
constexpr int kMinOpset = 11;
constexpr int kMaxOpset = 17;
constexpr int kMinConvertibleOpset = 7;
constexpr int kMaxReadableOpset = 25;

// Most nodes (and, separately, initializers, graph inputs and graph outputs) a model may
// have: ~80x the largest torchvision export (Swin-T, ~2,600 nodes); loading 200,000 takes
// seconds and a few hundred MB. Larger graphs are refused right after parsing.
constexpr int kMaxGraphNodes = 200000;

LoadedOnnx load_onnx(const std::string& path, const OnnxLoadOptions& opts);
// Same, on a model already in memory (tests build tiny graphs in code).
LoadedOnnx load_onnx_model(onnx::ModelProto model, const std::string& origin,
                           const OnnxLoadOptions& opts);

}  // namespace h4h
