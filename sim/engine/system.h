#pragma once
// System: the elaborated chip — NpuTile (array + vector unit), CimCluster, one DMA engine
// per unit, the shared Bus and DRAM — and the scheduler threads that run a mapped workload
// on it. Life cycle: parse → map → build (elaborate once per ArchConfig, one per process:
// the SystemC kernel is a process-wide singleton) → run (any number of workloads, one
// after another, each from a quiet memory system) → stats.
//
// Scheduling: one thread per unit (array, vector, CIM, copy DMA, views) takes its kernels
// in network order; a kernel starts when its producers are done and its unit is free. In
// hetero_parallel, units overlap wherever the DAG allows; every other schema runs one
// kernel at a time. Inferences run back to back, each after the previous one is done.
// Tensors live where sim/memory/tensor_plan puts them: activations in the global buffer
// when they fit (the units' DMA engines reach it directly), spills, network inputs/outputs
// and weights in DRAM through the shared bus. memory.activations_on_chip: false is the
// ablation: every tensor through DRAM, operands packed as before the on-chip hierarchy.
#include <memory>
#include <string>
#include <vector>

#include "frontend/workload.h"
#include "models/dram/dram_timing.h"
#include "sim/config/arch_config.h"
#include "sim/engine/run_stats.h"
#include "sim/mapper/mapper.h"

namespace h4h {

struct RunOptions {
  int inferences = 1;
  bool trace = false;   // keep bus transactions for the timeline
  // Watchdog on simulated chip time: no real network needs an hour of it per run, and a
  // schedule that deadlocks must end too.
  double max_simulated_s = 3600;
  // A piece of a larger network (a NAS block alone): its inputs start in the global buffer
  // and its outputs stay there, when they fit (sim/memory/tensor_plan).
  bool network_io_on_chip = false;
};

class System {
 public:
  explicit System(const ArchConfig& cfg);  // elaborates; only one System per process
  ~System();
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  RunStats run(const Workload& w, const Mapping& m, const RunOptions& opts);
  const ArchConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace h4h
