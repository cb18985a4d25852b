#pragma once
// What one simulated run produced: per-kernel records, per-unit counters, energy by
// component. Filled by the engine, printed by sim/report.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "frontend/workload.h"
#include "models/unit_result.h"
#include "sim/engine/chip_area.h"
#include "sim/mapper/mapper.h"
#include "sim/memory/tensor_plan.h"

namespace h4h {

// Bytes moved between the units and memory, by where they went and what they were: DRAM
// (through the bus) by kind of data, and the on-chip global buffer.
struct TrafficBreakdown {
  int64_t weights = 0;           // DRAM: weights streamed into the filter SRAM or CIM macros
  int64_t activations_in = 0;    // DRAM: network inputs read
  int64_t activations_out = 0;   // DRAM: network outputs written
  int64_t spills = 0;            // DRAM: intermediate tensors written and read back
  int64_t burst_padding = 0;     // DRAM: the rest of partly used bursts (whole bursts move)
  int64_t onchip_read = 0;       // global buffer
  int64_t onchip_write = 0;
  int64_t dram() const { return weights + activations_in + activations_out + spills + burst_padding; }
  int64_t onchip() const { return onchip_read + onchip_write; }
  TrafficBreakdown& operator+=(const TrafficBreakdown& o) {
    weights += o.weights;
    activations_in += o.activations_in;
    activations_out += o.activations_out;
    spills += o.spills;
    burst_padding += o.burst_padding;
    onchip_read += o.onchip_read;
    onchip_write += o.onchip_write;
    return *this;
  }
};

struct EnergyBreakdown {
  double npu_compute = 0, npu_sram = 0, vector = 0, cim_compute = 0, cim_weight_write = 0, bus = 0,
         dram = 0, leakage = 0, global_buffer = 0, cim_buffer = 0;
  double total() const;
};

struct KernelRecord {
  int index = 0;               // into Workload::kernels
  int inference = 0;
  Unit unit = Unit::none;
  int unit_instance = 0;       // which instance of `unit` ran it
  double start_ns = 0, end_ns = 0, stall_ns = 0;
  UnitResult result;
  TrafficBreakdown traffic;
  double energy_pj = 0;        // dynamic energy of this kernel (compute, SRAM, bus, DRAM bytes)
  // energy_pj by component, plus `leakage`: the inference's static energy attributed to its
  // kernels by their time on their unit, so the records of an inference sum exactly to its
  // total energy.
  EnergyBreakdown energy;
  std::vector<int64_t> macros; // CIM macros it used
  int fused_into = -1;         // the GEMM whose job ran it as an epilogue (its span), or -1
};


// Every part of the breakdown with its name (the run JSON's key), in one order: the JSON
// report, the stats checks, LUT files and total() all go through this list, so a new part
// is added here once.
inline constexpr std::pair<const char*, double EnergyBreakdown::*> kEnergyParts[] = {
    {"npu_compute", &EnergyBreakdown::npu_compute},
    {"npu_sram", &EnergyBreakdown::npu_sram},
    {"vector", &EnergyBreakdown::vector},
    {"cim_compute", &EnergyBreakdown::cim_compute},
    {"cim_weight_write", &EnergyBreakdown::cim_weight_write},
    {"bus", &EnergyBreakdown::bus},
    {"dram", &EnergyBreakdown::dram},
    {"leakage", &EnergyBreakdown::leakage},
    {"global_buffer", &EnergyBreakdown::global_buffer},
    {"cim_buffer", &EnergyBreakdown::cim_buffer}};

inline double EnergyBreakdown::total() const {
  double sum = 0;  // in the list's order: the same sum, to the bit, as the parts written out
  for (const auto& [name, part] : kEnergyParts) sum += this->*part;
  return sum;
}

struct UnitUse {
  double busy_ns = 0;
  double utilization = 0;      // busy / latency
};

struct InferenceStats {
  double latency_ns = 0;
  EnergyBreakdown energy;
  int64_t dram_bytes = 0;
  TrafficBreakdown traffic;      // its DRAM part sums to dram_bytes
  int64_t bus_bytes = 0;
  int64_t dram_activates = 0;
  UnitUse npu, vector, cim, bus, dram, dma;
};

struct BusSlice {
  double start_ns, end_ns;
  int initiator;
  int64_t bytes;
};

struct DramSlice {
  int64_t channel;
  double start_ns, end_ns;
  int64_t bursts;
  bool row_hit;
};

struct RunStats {
  std::string model, arch, arch_hash, schema;
  double npu_clock_mhz = 0;
  int64_t total_macs = 0;            // per inference
  std::vector<KernelRecord> records; // every kernel of every inference, in completion order
  std::vector<InferenceStats> inferences;
  std::vector<std::string> initiator_names;  // bus initiator ids → unit names (trace)
  std::vector<BusSlice> bus_slices;           // kept when tracing
  std::vector<DramSlice> dram_slices;         // kept when tracing
  int64_t dram_channels = 0;
  int64_t cim_macros = 0;
  int64_t resident_macros = 0;
  int64_t global_buffer_bytes = 0;       // capacity (0: none)
  int64_t global_buffer_peak_bytes = 0;  // would keep every placeable tensor on chip
  int64_t global_buffer_used_bytes = 0;  // highest byte the placement uses
  bool activations_on_chip = false;
  std::vector<TensorPlacement> tensors;  // parallel to Workload::tensors
  int fused_kernels = 0;                 // kernels run as epilogues of a GEMM
  // The chip's modelled (or given) area and on-chip static power (sim/engine/chip_area);
  // leakage energy per inference is their total plus the DRAM background, x latency.
  ChipParts area_mm2, leakage_mw;
  double dram_background_mw = 0;
  int64_t tech_node_nm = 0;
};

// Every number of a run's results is finite, or this throws std::logic_error naming the first
// one that is not: the config's bounds keep every sum finite, so NaN or inf is a bug, to be
// reported as an internal error, never printed as null or inf or stored as a sweep result.
void check_results_finite(const RunStats& s);

}  // namespace h4h
