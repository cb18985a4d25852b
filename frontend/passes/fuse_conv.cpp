// Conv-side fusions an inference compiler always does: BatchNorm folded into the preceding
// Conv's weights and bias, and cheap activations applied on the conv/linear output path.
#include <boost/range/iterator_range.hpp>

#include "frontend/passes/pass.h"
#include "frontend/passes/pattern_util.h"

namespace h4h {
namespace {

class FoldBatchNormPass : public Pass {
 public:
  const char* name() const override { return "fold_batchnorm"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      if (!g.dag[v].alive || g.dag[v].op_type != "BatchNormalization") continue;
      const OpNode bn = g.dag[v];
      if (bn.inputs.size() < 3) continue;
      auto conv = live_producer(g, bn.inputs[0], "Conv");
      if (!conv || !sole_consumer(g, bn.inputs[0]) || !g.dag[*conv].activation.empty()) continue;
      if (!g.is_static(bn.inputs[1]) || !g.is_static(bn.inputs[2])) continue;
      OpNode& c = g.dag[*conv];
      // W' = W·γ/σ, b' = (b − μ)·γ/σ + β: the stored weights keep their size and the
      // conv gains BN's bias if it had none; γ is absorbed into W'.
      c.absorbed_params.push_back(bn.inputs[1]);
      if (c.inputs.size() < 3 || c.inputs[2].empty()) {
        c.inputs.resize(3);
        c.inputs[2] = bn.inputs[2];
      } else {
        c.absorbed_params.push_back(bn.inputs[2]);
      }
      c.outputs[0] = bn.outputs[0];
      c.absorbed.push_back(bn.name);
      g.kill(v);
      g.refresh(*conv);
      changed = true;
    }
    return changed;
  }
};

bool is_fusable_activation(const std::string& op) {
  return op == "Relu" || op == "Clip" || op == "LeakyRelu" || op == "HardSigmoid" ||
         op == "HardSwish";
}

class FuseActivationPass : public Pass {
 public:
  const char* name() const override { return "fuse_activation"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      if (!g.dag[v].alive || !is_fusable_activation(g.dag[v].op_type)) continue;
      const OpNode act = g.dag[v];
      auto p = g.producer(act.inputs[0]);
      if (!p) continue;
      OpNode& prod = g.dag[*p];
      if ((prod.op_type != "Conv" && prod.op_type != "Linear") || !prod.activation.empty()) continue;
      if (!sole_consumer(g, act.inputs[0])) continue;
      prod.activation = act.op_type;
      prod.outputs[0] = act.outputs[0];
      prod.absorbed.push_back(act.name);
      g.kill(v);
      g.refresh(*p);
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fold_batchnorm_pass() { return std::make_unique<FoldBatchNormPass>(); }
std::unique_ptr<Pass> make_fuse_activation_pass() { return std::make_unique<FuseActivationPass>(); }

}  // namespace h4h
