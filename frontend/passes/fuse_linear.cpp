// A GEMM with a static weight is a Linear kernel (the class CIM macros can hold):
// Gemm(x, W[, b]) and MatMul(x, W) with an optional following Add of a static bias.
#include <boost/range/iterator_range.hpp>

#include "frontend/passes/pass.h"
#include "frontend/passes/pattern_util.h"

namespace h4h {
namespace {

class FuseLinearPass : public Pass {
 public:
  const char* name() const override { return "fuse_linear"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      OpNode& n = g.dag[v];
      if (!n.alive || n.inputs.size() < 2) continue;
      const bool gemm = n.op_type == "Gemm";
      if (!gemm && n.op_type != "MatMul") continue;
      if (g.is_static(n.inputs[0]) || !g.is_static(n.inputs[1])) continue;
      n.op_type = "Linear";
      // Gemm is 2-D with transpose flags; lowering reads its operands differently.
      if (gemm) n.attrs["gemm_2d"].i = 1;
      if (!gemm) {
        // MatMul(x, W) + b  → Linear(x, W, b)
        const std::string out = n.outputs[0];
        auto add = sole_consumer(g, out);
        if (add && g.dag[*add].op_type == "Add") {
          const std::string bias = other_input(g.dag[*add], out);
          const auto& wdims = g.dims(n.inputs[1]);
          if (!bias.empty() && g.is_static(bias) && !wdims.empty() &&
              g.elems(bias) == wdims.back()) {
            n.inputs.push_back(bias);
            n.outputs[0] = g.dag[*add].outputs[0];
            n.absorbed.push_back(g.dag[*add].name);
            g.kill(*add);
            g.refresh(v);
          }
        }
      }
      changed = true;
    }
    return changed;
  }
};

// Attention: QKᵀ (a MatMul of two dynamic operands) → scale/bias/mask → Softmax → ·V.
// The kernels stay separate (they run on different units) but are tagged with their role.
class MarkAttentionPass : public Pass {
 public:
  const char* name() const override { return "mark_attention"; }
  bool apply(Graph& g) override {
    bool changed = false;
    for (auto v : boost::make_iterator_range(boost::vertices(g.dag))) {
      if (!g.dag[v].alive || g.dag[v].op_type != "Softmax" || !g.dag[v].tag.empty()) continue;
      std::vector<Vertex> logits_path;
      auto qk = find_qk(g, g.dag[v].inputs[0], logits_path, 0);
      auto av = find_av(g, g.dag[v].outputs[0]);
      if (!qk || !av) continue;
      g.dag[*qk].tag = "attention.qk";
      for (auto p : logits_path) g.dag[p].tag = "attention.logits";
      g.dag[v].tag = "attention.softmax";
      g.dag[*av].tag = "attention.av";
      changed = true;
    }
    return changed;
  }

 private:
  static bool dynamic_matmul(const Graph& g, Vertex v) {
    const OpNode& n = g.dag[v];
    return (n.op_type == "MatMul" || n.op_type == "Einsum") && n.inputs.size() == 2 &&
           !g.is_static(n.inputs[0]) && !g.is_static(n.inputs[1]);
  }

  // Walks back from the softmax input through scaling, bias/mask adds and reshapes.
  static std::optional<Vertex> find_qk(const Graph& g, const std::string& t,
                                       std::vector<Vertex>& path, int depth) {
    auto p = g.producer(t);
    if (!p || depth > 6) return std::nullopt;
    if (dynamic_matmul(g, *p)) return p;
    const OpNode& n = g.dag[*p];
    if (n.op_type != "Add" && n.op_type != "Mul" && n.op_type != "Div" && n.op_type != "Reshape" &&
        n.op_type != "Sub")
      return std::nullopt;
    for (const auto& in : n.inputs) {
      if (in.empty() || g.is_static(in)) continue;
      std::vector<Vertex> sub = path;
      sub.push_back(*p);
      if (auto q = find_qk(g, in, sub, depth + 1)) {
        path = sub;
        return q;
      }
    }
    return std::nullopt;
  }

  static std::optional<Vertex> find_av(const Graph& g, std::string t) {
    for (int depth = 0; depth < 4; ++depth) {
      auto c = sole_consumer(g, t);
      if (!c) return std::nullopt;
      if (dynamic_matmul(g, *c) && g.dag[*c].inputs[0] == t) return c;
      if (g.dag[*c].op_type != "Reshape" && g.dag[*c].op_type != "Cast") return std::nullopt;
      t = g.dag[*c].outputs[0];
    }
    return std::nullopt;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_linear_pass() { return std::make_unique<FuseLinearPass>(); }
std::unique_ptr<Pass> make_mark_attention_pass() { return std::make_unique<MarkAttentionPass>(); }

}  // namespace h4h
