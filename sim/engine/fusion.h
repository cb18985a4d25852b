#pragma once
// Epilogue fusion: elementwise, activation and normalisation kernels that follow a GEMM on
// the NPU array or the CIM cluster run on its output tiles (pieces) on the vector unit,
// pipelined with the GEMM, and the intermediate tensors are never stored (Vela's and TVM's
// epilogue fusion; NVDLA's SDP).
// Plain C++: which kernels fuse into which, from the workload and the mapping.
//
// A kernel k joins the group of GEMM h when: k is a vector kernel of a fusable op (not a
// reduction, pooling, softmax or data movement) on the vector unit; one of its inputs is
// the output of the group's last kernel, read by k alone and not a network output; k writes
// one tensor with as many elements as h's output (it streams tile by tile); and every other
// input of k is a network input or produced before h in network order (it exists when h
// starts). Chains continue (GEMM → Add → Relu).
#include <vector>

#include "frontend/workload.h"
#include "sim/mapper/mapper.h"

namespace h4h {

struct FusionPlan {
  std::vector<int> head;                  // per kernel: the kernel whose job runs it (itself)
  std::vector<std::vector<int>> members;  // per kernel: the kernels fused into it, in order
  std::vector<char> fused_tensor;         // per tensor: produced and consumed inside a group
  bool fused(int k) const { return head[k] != k; }
  int fused_count() const;
};

bool is_fusable_epilogue_op(const std::string& op);

// No fusion at all when `enabled` is false (the ablation).
FusionPlan plan_fusion(const Workload& w, const Mapping& m, bool enabled);

}  // namespace h4h
