// Fuzz target: ONNX bytes through the whole frontend (protobuf parse, validation and
// topological sort, ONNX shape inference, constant folding, passes, lowering).
// Contract under test: a malformed model is a h4h::UserError, never a crash, another
// exception, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>

#include "frontend/frontend.h"
#include "frontend/user_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnx::ModelProto model;
  // Bytes protobuf rejects never reach our code (load_onnx turns that into a UserError
  // itself); fuzzing protobuf's parser is not our job.
  if (!model.ParseFromArray(data, static_cast<int>(size))) return 0;
  try {
    h4h::load_onnx_model_workload(std::move(model), "fuzz", h4h::FrontendOptions{});
  } catch (const h4h::UserError&) {
  }
  return 0;
}
