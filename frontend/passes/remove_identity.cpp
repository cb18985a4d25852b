// Identity and (inference-mode) Dropout copy their input: remove them so that patterns
// and kernels see through them.
#include <boost/range/iterator_range.hpp>

#include "frontend/passes/pass.h"

namespace h4h {
namespace {

class RemoveIdentityPass : public Pass {
 public:
  const char* name() const override { return "remove_identity"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      OpNode& n = g.dag[v];
      if (!n.alive || (n.op_type != "Identity" && n.op_type != "Dropout")) continue;
      if (n.inputs.empty() || n.outputs.empty()) continue;
      const std::string in = n.inputs[0], out = n.outputs[0];
      g.kill(v);
      g.rename_tensor_uses(out, in);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_remove_identity_pass() { return std::make_unique<RemoveIdentityPass>(); }

}  // namespace h4h
