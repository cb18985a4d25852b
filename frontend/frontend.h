#pragma once
// The frontend's front door: a model file (ONNX or SCALE-Sim topology) in, a Workload out.
#include <string>
#include <vector>

#include "frontend/workload.h"
#include "onnx/onnx_pb.h"

namespace h4h {

struct FrontendOptions {
  int64_t batch = 0;                     // 0 = not given: 1 for a dynamic batch axis
  std::vector<std::string> data_inputs;  // --inputs; empty = first graph input
  int activation_bits = 8, weight_bits = 8;  // storage precision of the byte counts
};

// ONNX: load, infer and fold shapes, build the graph, run the default passes, lower.
Workload load_onnx_workload(const std::string& path, const FrontendOptions& opts);
// The same for a model built in memory (NAS subnets); `origin` names it in messages.
Workload load_onnx_model_workload(onnx::ModelProto model, const std::string& origin,
                                  const FrontendOptions& opts);

// Chooses the reader by content: ONNX files, or SCALE-Sim .csv topologies.
Workload load_workload(const std::string& path, const FrontendOptions& opts);

}  // namespace h4h
