// x·sigmoid(x) is SiLU (EfficientNet, RegNet-Y) and x·hardsigmoid(x) with α = 1/6, β = ½ is
// HardSwish (MobileNetV3 before opset 14 had the op): one vector function, not two kernels.
#include <cmath>

#include <boost/range/iterator_range.hpp>

#include "frontend/passes/pass.h"
#include "frontend/passes/pattern_util.h"

namespace h4h {
namespace {

class FuseSwishPass : public Pass {
 public:
  const char* name() const override { return "fuse_swish"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      if (!g.dag[v].alive) continue;
      const std::string op = g.dag[v].op_type;
      if (op != "Sigmoid" && op != "HardSigmoid") continue;
      if (op == "HardSigmoid" && !is_hardswish_gate(g.dag[v])) continue;
      const std::string x = g.dag[v].inputs[0];
      const std::string gate = g.dag[v].outputs[0];
      auto mul = sole_consumer(g, gate);
      if (!mul || g.dag[*mul].op_type != "Mul" || other_input(g.dag[*mul], gate) != x) continue;
      OpNode& n = g.dag[v];
      n.op_type = op == "Sigmoid" ? "SiLU" : "HardSwish";
      n.attrs.clear();
      n.outputs = g.dag[*mul].outputs;
      n.absorbed.push_back(g.dag[*mul].name);
      g.kill(*mul);
      g.refresh(v);
      changed = true;
    }
    return changed;
  }

 private:
  static bool is_hardswish_gate(const OpNode& n) {
    auto a = n.attrs.find("alpha");
    auto b = n.attrs.find("beta");
    const double alpha = a == n.attrs.end() ? 0.2 : a->second.f;
    const double beta = b == n.attrs.end() ? 0.5 : b->second.f;
    return std::fabs(alpha - 1.0 / 6.0) < 1e-4 && std::fabs(beta - 0.5) < 1e-4;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_swish_pass() { return std::make_unique<FuseSwishPass>(); }

}  // namespace h4h
