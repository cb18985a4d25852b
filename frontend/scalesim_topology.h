#pragma once
// SCALE-Sim (v2) topology CSVs as workloads, so SCALE-Sim users can bring their files.
//
// Two formats, told apart by the header row (case-insensitive, fields trimmed):
//   conv:  Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
//          Num Filter, Strides,        [optional 9th column: Stride width | Sparsity]
//   GEMM:  Layer, M, N, K,             [optional 5th column: Sparsity]
// The header spellings found in SCALE-Sim's own topologies/ are accepted too: a UTF-8 BOM,
// "Layer" for "Layer name" (and "Layer Name" in GEMM files), "Num Filters", "Channel",
// "Stride height"/"Stride width" (what SCALE-Sim's write_topo_file emits), no trailing comma.
//
// Semantics follow scalesim/topology_utils.py (scale-sim-v2, main @ 22f88b1):
// - Output size, no padding: Hout = ceil((H - Fh + s) / s) = ceil((H - Fh) / s) + 1.
//   Note: ceil, not floor. When s does not divide H - Fh SCALE-Sim counts the last, partial
//   window (AlexNet's 224/11/4 gives 55, where floor((H - Fh) / s) + 1 would give 54); we
//   reproduce that so MACs and cycles match SCALE-Sim's.
//   MACs = Hout * Wout * Fh * Fw * Channels * Num Filter.
// - A 9th conv field is the stride width (append_topo_arrays copies Strides into it when
//   absent). The `dev` branch reads a 9th "Sparsity" column as an N:M ratio instead; a header
//   naming that column selects that reading. Only dense ratios (N == M) load: sparsity is
//   not modelled here, so anything else is a UserError rather than a silently dense layer.
// - Depthwise: a layer whose name contains "DP" (case-sensitive substring, SCALE-Sim's
//   `'DP' in elems[0]`) is run by SCALE-Sim as `Channels` separate layers named
//   "<name>Channel_<i>", each with Channels = 1 and the row's Num Filter. Here it is ONE conv
//   kernel with groups = Channels, in_channels = Channels and
//   out_channels = Channels * Num Filter (Num Filter acts as the depth multiplier); its
//   GEMM view is per group, {batch = Channels, m = Hout*Wout, n = Num Filter, k = Fh*Fw},
//   i.e. exactly SCALE-Sim's per-channel layer repeated Channels times, same MACs.
//   A row without "DP" is dense even if Num Filter is 1 (SCALE-Sim's mobilenet.csv writes its
//   depthwise layers that way, and SCALE-Sim simulates them as dense convs).
// - Conv GEMM view (SCALE-Sim's get_transformed_mnk_dimensions): m = Hout*Wout (ofmap
//   pixels), n = filters per group, k = (Channels/groups)*Fh*Fw (the window), batch = groups.
// - GEMM rows: load_arrays_gemm turns "M, N, K" into the conv layer
//   [IFMAP M x K, filter 1 x K, 1 channel, N filters, stride 1], so M is the output rows
//   (ofmap pixels, the IFMAP operand's rows), N the output columns (filters: the static
//   K x N operand) and K the contraction (window). Lowered to KernelClass::linear with
//   gemm {1, M, N, K}, MACs = M*N*K, weights K*N, input M*K, output M*N.
// - The files carry no edges: layers form a chain, layer i reads layer i-1's output.
// - Kernel names must be unique (workload.h), but real SCALE-Sim files repeat names
//   (mlperf/Sentimental_seqLSTM.csv has two "FC"); the n-th repeat becomes "<name>#<n>".
// - Accepted row quirks: a trailing comma or none, whitespace around fields, CRLF, blank or
//   all-empty rows, and a `#` comment to the end of the row (mobilnet_paper.csv's "1,#dw").
// - workload.model is the file stem ("alexnet" for ".../alexnet.csv").
// Every mistake is a one-line UserError naming file:line and, for a field, its column.
#include <string>

#include "frontend/workload.h"

namespace h4h {

// Reads `path`; UserError if it is missing, a directory or not a valid topology.
Workload load_scalesim_topology(const std::string& path);

// Parses topology text; `origin` names it in errors and gives the model name (its stem).
Workload parse_scalesim_topology(const std::string& text, const std::string& origin);

}  // namespace h4h
