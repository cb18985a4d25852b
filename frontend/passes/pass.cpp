#include "frontend/passes/pass.h"

#include <stdexcept>

namespace h4h {

void PassManager::add(std::unique_ptr<Pass> pass) {
  for (const auto& p : passes_)
    if (std::string(p->name()) == pass->name())
      throw std::logic_error(std::string("pass registered twice: ") + pass->name());
  passes_.push_back(std::move(pass));
}

std::vector<std::string> PassManager::run(Graph& g) {
  std::vector<std::string> changed;
  // Rewrites keep the graph's name indexes current (Graph::refresh, rename_tensor_uses),
  // so the Boost edges are re-derived once, for lowering, not after every pass.
  for (auto& p : passes_)
    if (p->apply(g)) changed.push_back(p->name());
  g.rebuild_edges();
  return changed;
}

std::vector<std::string> PassManager::names() const {
  std::vector<std::string> out;
  for (const auto& p : passes_) out.push_back(p->name());
  return out;
}

PassManager default_pass_pipeline() {
  // Order matters: Identity/Dropout go first so patterns see through them; LayerNorm and
  // GELU are recognized before Linear fusion claims the Adds; activations fuse last.
  PassManager pm;
  pm.add(make_remove_identity_pass());
  pm.add(make_fold_batchnorm_pass());
  pm.add(make_fuse_layernorm_pass());
  pm.add(make_fuse_gelu_pass());
  pm.add(make_fuse_swish_pass());
  pm.add(make_fuse_linear_pass());
  pm.add(make_fuse_activation_pass());
  pm.add(make_mark_attention_pass());
  return pm;
}

}  // namespace h4h
