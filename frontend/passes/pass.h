#pragma once
// A graph pass: a name and `apply(Graph&) -> changed`. Pattern passes state the op types
// they target, check a cheap match, then rewrite; a rewrite tells the graph which node it
// changed (Graph::kill, refresh, rename_tensor_uses), never re-derives the whole graph. The
// PassManager refuses two passes with one name and runs them in registration order.
#include <memory>
#include <string>
#include <vector>

#include "frontend/graph.h"

namespace h4h {

class Pass {
 public:
  virtual ~Pass() = default;
  virtual const char* name() const = 0;
  virtual bool apply(Graph& g) = 0;
};

class PassManager {
 public:
  void add(std::unique_ptr<Pass> pass);  // throws std::logic_error on a duplicate name
  // Runs every pass once, in order; returns the names of the passes that changed the graph.
  std::vector<std::string> run(Graph& g);
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<Pass>> passes_;
};

std::unique_ptr<Pass> make_remove_identity_pass();    // Identity, Dropout
std::unique_ptr<Pass> make_fold_batchnorm_pass();     // Conv → BatchNormalization
std::unique_ptr<Pass> make_fuse_layernorm_pass();     // ReduceMean/Sub/Pow/.../Add pattern
std::unique_ptr<Pass> make_fuse_gelu_pass();          // x·0.5·(1+erf(x/√2))
std::unique_ptr<Pass> make_fuse_swish_pass();        // x·sigmoid(x), x·hardsigmoid(x)
std::unique_ptr<Pass> make_fuse_linear_pass();        // MatMul(x, W) [+ b], Gemm(x, W)
std::unique_ptr<Pass> make_fuse_activation_pass();    // Conv/Linear → Relu/Clip/...
std::unique_ptr<Pass> make_mark_attention_pass();     // QKᵀ → Softmax → ·V

// The default pipeline, in the order the frontend runs it.
PassManager default_pass_pipeline();

}  // namespace h4h
