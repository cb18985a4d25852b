#pragma once
// Small helpers shared by the pattern passes.
#include <cmath>
#include <optional>
#include <string>

#include "frontend/graph.h"

namespace h4h {

// The one live consumer of `tensor`, if it has exactly one and is not a graph output
// (fusing across a graph output would hide a tensor the user asked for).
inline std::optional<Vertex> sole_consumer(const Graph& g, const std::string& tensor) {
  if (g.is_graph_output(tensor)) return std::nullopt;
  return g.only_consumer(tensor);
}

inline std::optional<Vertex> live_producer(const Graph& g, const std::string& tensor,
                                           const char* op_type) {
  auto p = g.producer(tensor);
  if (!p || g.dag[*p].op_type != op_type) return std::nullopt;
  return p;
}

// The input of a binary node that is not `known`, or empty if `known` is not an input.
inline std::string other_input(const OpNode& n, const std::string& known) {
  if (n.inputs.size() != 2) return {};
  if (n.inputs[0] == known) return n.inputs[1];
  if (n.inputs[1] == known) return n.inputs[0];
  return {};
}

inline bool scalar_near(const Graph& g, const std::string& tensor, double want,
                        double tol = 1e-3) {
  auto v = g.scalar_value(tensor);
  return v && std::fabs(*v - want) <= tol * std::max(1.0, std::fabs(want));
}

}  // namespace h4h
