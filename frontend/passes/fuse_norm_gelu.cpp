// Recognizes the two vector-unit functions that exporters spell out op by op:
// LayerNorm (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div [·γ + β], and opset 17's
// LayerNormalization) and exact GELU (x · 0.5 · (1 + erf(x / √2))).
#include <boost/range/iterator_range.hpp>

#include "frontend/passes/pass.h"
#include "frontend/passes/pattern_util.h"

namespace h4h {
namespace {

// Follows `tensor` to its sole consumer if that consumer has op type `op`.
std::optional<Vertex> next(const Graph& g, const std::string& tensor, const char* op) {
  auto c = sole_consumer(g, tensor);
  if (!c || g.dag[*c].op_type != op) return std::nullopt;
  return c;
}

class FuseLayerNormPass : public Pass {
 public:
  const char* name() const override { return "fuse_layernorm"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      if (!g.dag[v].alive) continue;
      if (g.dag[v].op_type == "LayerNormalization") {
        OpNode& n = g.dag[v];
        n.op_type = "LayerNorm";
        n.outputs.resize(1);  // mean / inv-std-dev outputs are training-only
        changed = true;
        continue;
      }
      if (g.dag[v].op_type == "ReduceMean" && match_decomposed(g, v)) changed = true;
    }
    return changed;
  }

 private:
  static bool match_decomposed(Graph& g, Vertex mean1) {
    const std::string x = g.dag[mean1].inputs[0];
    const std::string mu = g.dag[mean1].outputs[0];
    auto sub = sole_consumer(g, mu);
    if (!sub || g.dag[*sub].op_type != "Sub" || g.dag[*sub].inputs[0] != x ||
        g.dag[*sub].inputs[1] != mu)
      return false;
    const std::string d = g.dag[*sub].outputs[0];
    // d feeds the variance branch (Pow or d·d) and the Div.
    auto users = g.consumers(d);
    if (users.size() != 2 || g.is_graph_output(d)) return false;
    std::optional<Vertex> sq, div;
    for (auto u : users) {
      const auto& op = g.dag[u].op_type;
      if (op == "Pow" || (op == "Mul" && g.dag[u].inputs[0] == d && g.dag[u].inputs[1] == d)) sq = u;
      else if (op == "Div" && g.dag[u].inputs[0] == d) div = u;
    }
    if (!sq || !div) return false;
    if (g.dag[*sq].op_type == "Pow" && !scalar_near(g, g.dag[*sq].inputs[1], 2.0)) return false;
    auto mean2 = next(g, g.dag[*sq].outputs[0], "ReduceMean");
    if (!mean2) return false;
    auto add_eps = next(g, g.dag[*mean2].outputs[0], "Add");
    if (!add_eps || !g.is_static(other_input(g.dag[*add_eps], g.dag[*mean2].outputs[0]))) return false;
    auto sqrt = next(g, g.dag[*add_eps].outputs[0], "Sqrt");
    if (!sqrt || g.dag[*div].inputs[1] != g.dag[*sqrt].outputs[0]) return false;

    std::vector<Vertex> dead = {*sub, *sq, *mean2, *add_eps, *sqrt, *div};
    std::string out = g.dag[*div].outputs[0];
    std::vector<std::string> inputs = {x};
    // Optional affine part: · γ then + β, both static.
    if (auto mul = next(g, out, "Mul"); mul && g.is_static(other_input(g.dag[*mul], out))) {
      inputs.push_back(other_input(g.dag[*mul], out));
      dead.push_back(*mul);
      out = g.dag[*mul].outputs[0];
      if (auto add = next(g, out, "Add"); add && g.is_static(other_input(g.dag[*add], out))) {
        inputs.push_back(other_input(g.dag[*add], out));
        dead.push_back(*add);
        out = g.dag[*add].outputs[0];
      }
    }
    OpNode& ln = g.dag[mean1];
    ln.op_type = "LayerNorm";
    ln.inputs = inputs;
    ln.outputs = {out};
    for (auto v : dead) {
      ln.absorbed.push_back(g.dag[v].name);
      g.kill(v);
    }
    g.refresh(mean1);
    return true;
  }
};

class FuseGeluPass : public Pass {
 public:
  const char* name() const override { return "fuse_gelu"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      if (g.dag[v].alive && g.dag[v].op_type == "Erf" && match(g, v)) changed = true;
    }
    return changed;
  }

 private:
  static bool match(Graph& g, Vertex erf) {
    // erf input: x / √2 or x · (1/√2)
    auto scale = g.producer(g.dag[erf].inputs[0]);
    if (!scale) return false;
    const OpNode& s = g.dag[*scale];
    if (s.inputs.size() != 2 || !sole_consumer(g, s.outputs[0])) return false;
    const std::string x = s.inputs[0];
    if (!((s.op_type == "Div" && scalar_near(g, s.inputs[1], 1.41421356)) ||
          (s.op_type == "Mul" && scalar_near(g, s.inputs[1], 0.70710678))))
      return false;
    auto add = next(g, g.dag[erf].outputs[0], "Add");
    if (!add || !scalar_near(g, other_input(g.dag[*add], g.dag[erf].outputs[0]), 1.0)) return false;
    auto m1 = next(g, g.dag[*add].outputs[0], "Mul");
    if (!m1) return false;
    auto m2 = next(g, g.dag[*m1].outputs[0], "Mul");
    if (!m2) return false;
    // The two Muls apply x and 0.5, in either order.
    const std::string a = other_input(g.dag[*m1], g.dag[*add].outputs[0]);
    const std::string b = other_input(g.dag[*m2], g.dag[*m1].outputs[0]);
    const bool ok = (a == x && scalar_near(g, b, 0.5)) || (b == x && scalar_near(g, a, 0.5));
    if (!ok) return false;
    OpNode& gelu = g.dag[*scale];
    const std::string out = g.dag[*m2].outputs[0];
    for (auto v : {erf, *add, *m1, *m2}) {
      gelu.absorbed.push_back(g.dag[v].name);
      g.kill(v);
    }
    gelu.op_type = "GELU";
    gelu.inputs = {x};
    gelu.outputs = {out};
    g.refresh(*scale);
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_layernorm_pass() { return std::make_unique<FuseLayerNormPass>(); }
std::unique_ptr<Pass> make_fuse_gelu_pass() { return std::make_unique<FuseGeluPass>(); }

}  // namespace h4h
