#pragma once
#include <string>

#include "frontend/graph.h"
#include "frontend/lower.h"
#include "frontend/onnx_loader.h"
#include "frontend/passes/pass.h"
#include "frontend/workload.h"
#include "tests/frontend/model_builder.h"

namespace h4h::test {

inline Graph graph_of(const ModelBuilder& b, int64_t batch = 0,
                      std::vector<std::string> data_inputs = {}) {
  OnnxLoadOptions o;
  o.batch = batch;
  o.data_inputs = std::move(data_inputs);
  return build_graph(load_onnx_model(b.model(), "tiny.onnx", o));
}

inline Workload lower_all(const ModelBuilder& b, int64_t batch = 0,
                          std::vector<std::string> data_inputs = {}) {
  Graph g = graph_of(b, batch, std::move(data_inputs));
  default_pass_pipeline().run(g);
  return lower_to_workload(g, LowerOptions{});
}

inline const Kernel* find_op(const Workload& w, const std::string& op) {
  for (const auto& k : w.kernels)
    if (k.op == op) return &k;
  return nullptr;
}

inline std::string source_path(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }

}  // namespace h4h::test
