#pragma once
// SCALE-Sim (v2) topology files as workloads, so SCALE-Sim users can bring their CSVs.
//
// Conv format:  Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,
//               Channels, Num Filter, Strides,   (an optional 9th field: stride width)
// GEMM format:  Layer, M, N, K,
// Semantics follow scalesim/topology_utils.py:
// - no padding: Hout = ceil((H − Fh + s) / s);
// - a layer whose name contains "DP" is depthwise: SCALE-Sim runs it as `Channels`
//   separate single-channel layers with `Num Filter` filters each. Here it is one conv
//   kernel with groups = Channels, Cin = Channels, Cout = Channels · Num Filter, which has
//   the same MACs (Channels · Hout · Wout · Fh · Fw · Num Filter);
// - GEMM rows become a layer with IFMAP M×K, filter 1×K, 1 channel, N filters: M output
//   rows (ofmap pixels), N output columns (filters), K the reduction; MACs = M·N·K;
// - layers form a chain: layer i reads layer i−1's output (the files carry no edges);
// - a trailing comma, a missing trailing comma, surrounding whitespace and a `#` comment
//   at the end of a row (as in SCALE-Sim's own mobilnet_paper.csv) are accepted.
#include <string>

#include "frontend/workload.h"

namespace h4h {

Workload load_scalesim_topology(const std::string& path);
Workload parse_scalesim_topology(const std::string& text, const std::string& origin);

}  // namespace h4h
