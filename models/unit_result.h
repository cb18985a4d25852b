#pragma once
// What executing one kernel on a unit produced: times, stalls and the action counts that
// the energy table prices.
#include <cstdint>
#include <vector>

#include <systemc>

namespace h4h {

struct UnitResult {
  sc_core::sc_time start, end;
  sc_core::sc_time stall = sc_core::SC_ZERO_TIME;  // waiting for operands that were not there yet
  int64_t compute_cycles = 0;      // in the unit's own clock
  int64_t program_cycles = 0;      // CIM weight (re)programming
  int64_t load_bytes = 0;          // memory → unit
  int64_t store_bytes = 0;         // unit → memory
  int64_t onchip_load_bytes = 0;   // the part of load_bytes served by the global buffer
  int64_t onchip_store_bytes = 0;  // the part of store_bytes written to it
  int64_t sram_read_bytes = 0;
  int64_t sram_write_bytes = 0;
  int64_t vector_lane_ops = 0;
  int64_t epilogue_cycles = 0;     // vector unit cycles of a fused epilogue (NPU clock)
  int64_t cim_macs = 0;
  int64_t adc_conversions = 0;
  int64_t weight_write_bits = 0;
  int64_t prefetched_weight_bytes = 0;  // the next kernel's weights moved during this one
  int64_t cim_buffer_read_bytes = 0;    // CIM input/output/weight buffer traffic
  int64_t cim_buffer_write_bytes = 0;
  // How well the work fits the unit (report columns; SCALE-Sim's names for the array):
  // the unit's peak MACs per own-clock cycle (array: rows x cols; CIM: every macro at full
  // columns), the fraction of PEs mapped (array: mapping efficiency) and MACs over
  // compute cycles x PEs with ideal memory (array: compute utilization), and the bitcells
  // holding weights in the macros used (CIM).
  double peak_macs_per_cycle = 0;
  double mapping_efficiency = 0, array_compute_utilization = 0;
  double cim_cell_utilization = 0;
  // Bytes moved per stream of the job, in the job's order (loads, stores): the engine
  // attributes them to tensors and weights.
  std::vector<int64_t> loaded, stored;
};

}  // namespace h4h
