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

enum class TensorHome { global_buffer, dram };
const char* to_string(TensorHome h);

struct TensorPlacement {
  TensorHome home = TensorHome::dram;
  int storage = -1;           // the tensor whose bytes it occupies (itself, or what it views)
  int64_t offset_bytes = -1;  // in the global buffer, when home == global_buffer
  int first_step = 0;         // its storage's life, in kernel steps (inclusive)
  int last_step = 0;
  std::string reason;         // "on chip", "spilled", "network input", "network output",
                              // "ablation"
};

struct TensorPlanParams {
  int64_t global_buffer_bytes = 0;
  int64_t alignment_bytes = 64;
  bool activations_on_chip = true;
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

}  // namespace h4h
