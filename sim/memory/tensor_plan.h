#pragma once
// TensorPlan: where each activation tensor of a workload lives between its producer and its
// last consumer: in the on-chip global buffer (at an offset) or in DRAM. Plain C++, from
// the workload alone (steps are positions in network order; the engine turns them into
// time).
//
// Rules:
// - a view (a data-movement kernel that is not a copy: Reshape, Flatten, ...) aliases its
//   input: its output shares the input's storage, whose life extends to the view's consumers;
// - network inputs arrive in DRAM and network outputs must end there, so a storage holding
//   either lives in DRAM (its consumers read it there, its producer writes it there);
// - every other storage is placed by the arena (sim/memory/arena.h) in the global buffer,
//   or spilled to DRAM when it does not fit;
// - `activations_on_chip = false` (the ablation switch) puts every tensor in DRAM.
#include <cstdint>
#include <string>
#include <vector>

#include "frontend/workload.h"

namespace h4h {

// `none`: never stored (an intermediate inside a fused group, sim/engine/fusion).
enum class TensorHome { global_buffer, dram, none };
const char* to_string(TensorHome h);

struct TensorPlacement {
  TensorHome home = TensorHome::dram;
  int storage = -1;           // the tensor whose bytes it occupies (itself, or what it views)
  int64_t offset_bytes = -1;  // in the global buffer, when home == global_buffer
  int first_step = 0;         // its storage's life, in kernel steps (inclusive)
  int last_step = 0;
  std::string reason;         // "on chip", "spilled", "network input", "network output",
                              // "ablation", "fused"
};

struct TensorPlanParams {
  int64_t global_buffer_bytes = 0;
  int64_t alignment_bytes = 64;
  bool activations_on_chip = true;
  // The workload is a piece of a larger network (a NAS block simulated alone): its inputs
  // are already in the global buffer and its outputs stay there, as in the middle of the
  // network, when they fit. Off: they are pinned in DRAM.
  bool network_io_on_chip = false;
  // Per kernel, how many times it reads each input (an NPU GEMM re-reads its ifmap once
  // per filter block); empty: once. What spilling a tensor costs — its write plus every
  // read, in DRAM bytes — ranks it for the global buffer when not everything fits.
  std::vector<int64_t> input_reads;
  // Per kernel, the step it runs at (a fused kernel runs with its group's head); empty: its
  // index. Per tensor, whether it is never stored (fused); empty: all are.
  std::vector<int> kernel_step;
  // Per kernel, the step from which its outputs occupy storage; empty: its kernel_step. A
  // kernel that starts while its producer runs (row-band pipelining across units) writes
  // from its producer's step on, so its outputs must not take bytes that the producer's
  // inputs, or anything alive between the two, still hold.
  std::vector<int> kernel_start_step;
  std::vector<char> fused_tensor;
};

struct TensorPlan {
  std::vector<TensorPlacement> tensors;  // parallel to Workload::tensors
  int64_t peak_bytes = 0;   // global buffer that would keep every placeable storage on chip
  int64_t used_bytes = 0;   // highest byte of the global buffer in use

  bool on_chip(int tensor) const { return tensors[tensor].home == TensorHome::global_buffer; }
};

// A kernel is a view when it moves no data (the mapper gives it no unit).
bool is_view_kernel(const Kernel& k);

TensorPlan plan_tensors(const Workload& w, const TensorPlanParams& p);

// Buffer reuse as ordering: the arena lets a storage take bytes that an earlier storage
// held until its last step. In network order that is safe; when units run concurrently
// (hetero_parallel) the new storage's producer could overwrite bytes a consumer of the old
// one has not read yet (write after read). So per kernel: the kernels that read or wrote an
// earlier storage overlapping one it writes in the global buffer, which it waits for. Every
// listed kernel comes earlier in network order (no cycles with the producers' edges).
std::vector<std::vector<int>> buffer_reuse_dependencies(const Workload& w, const TensorPlan& plan);

}  // namespace h4h
