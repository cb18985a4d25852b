#pragma once
// Lowering: each live graph node becomes one Kernel with its class, geometry, MACs, bytes
// and producers. MAC convention (the one public figures use): Conv = N·Cout·Hout·Wout·
// (Cin/groups)·kh·kw; Gemm/MatMul = output elements × K; everything else 0.
#include "frontend/graph.h"
#include "frontend/workload.h"

namespace h4h {

struct LowerOptions {
  int activation_bits = 8, weight_bits = 8;  // storage precision of the byte counts
};

Workload lower_to_workload(const Graph& g, const LowerOptions& opts);

}  // namespace h4h
