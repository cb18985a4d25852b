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
// Every kernel reads its inputs from and writes its outputs to DRAM (no cross-kernel
// fusion), through its unit's DMA engine and the shared bus.
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
