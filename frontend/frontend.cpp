#include "frontend/frontend.h"

#include <fmt/format.h>

#include "frontend/graph.h"
#include "frontend/lower.h"
#include "frontend/onnx_loader.h"
#include "frontend/passes/pass.h"
#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"

namespace h4h {

namespace {
OnnxLoadOptions load_options(const FrontendOptions& opts) {
  OnnxLoadOptions load_opts;
  load_opts.batch = opts.batch;
  load_opts.data_inputs = opts.data_inputs;
  return load_opts;
}

Workload lower_loaded(const LoadedOnnx& loaded, const FrontendOptions& opts) {
  Graph g = build_graph(loaded);
  default_pass_pipeline().run(g);
  return lower_to_workload(g, LowerOptions{opts.activation_bits, opts.weight_bits});
}
}  // namespace

Workload load_onnx_workload(const std::string& path, const FrontendOptions& opts) {
  return lower_loaded(load_onnx(path, load_options(opts)), opts);
}

Workload load_onnx_model_workload(onnx::ModelProto model, const std::string& origin,
                                  const FrontendOptions& opts) {
  return lower_loaded(load_onnx_model(std::move(model), origin, load_options(opts)), opts);
}

static bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Workload load_workload(const std::string& path, const FrontendOptions& opts) {
  if (ends_with(path, ".csv")) {
    if (opts.batch > 1)
      throw UserError(fmt::format("{}: --batch applies to ONNX models; SCALE-Sim topologies "
                                  "describe batch-1 layers", path));
    Workload w = load_scalesim_topology(path);
    w.activation_bits = opts.activation_bits;
    w.weight_bits = opts.weight_bits;
    return w;
  }
  return load_onnx_workload(path, opts);
}

}  // namespace h4h
