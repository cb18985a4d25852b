#pragma once
// ArchConfig: the typed, validated description of one NPU+CIM chip. One params struct per
// component; every field is declared once (sim/config/arch_config.cpp) with its YAML path,
// unit, default and the source of that default. Life cycle: parse → validate → resolve
// defaults → hash; components take their params struct by const reference.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/param_schema.h"

namespace h4h {

enum class Dataflow { os, ws, is };

struct VectorUnitParams {
  int64_t lanes = 0;             // elementwise operations per cycle
  int64_t add_cycles = 0;        // cycles per lane-op, by op kind
  int64_t mul_cycles = 0;
  int64_t max_cycles = 0;
  int64_t exp_cycles = 0;
  int64_t div_cycles = 0;
  int64_t sqrt_cycles = 0;
};

struct SramParams {
  int64_t ifmap_kib = 0, filter_kib = 0, ofmap_kib = 0;
  int64_t ifmap_banks = 0, filter_banks = 0, ofmap_banks = 0;
};

struct NpuParams {
  bool enabled = false;          // systolic array present (the vector unit always is)
  int64_t rows = 0, cols = 0;    // PEs
  std::string dataflow;          // os | ws | is
  double clock_mhz = 0;
  int64_t precision_bits = 0;
  SramParams sram;
  VectorUnitParams vector;

  Dataflow dataflow_kind() const;
};

struct CimParams {
  bool enabled = false;
  std::string impl;              // factory name of the macro model
  int64_t macro_count = 0;
  int64_t rows = 0;              // wordlines: the input (reduction) dimension
  int64_t cols = 0;              // bitcell columns; weights per row = cols / weight_bits
  int64_t weight_bits = 0;
  int64_t input_bits = 0;
  int64_t cycles_per_input_bit = 0;
  int64_t adc_latency_cycles = 0;       // ADC (analog) or adder tree (digital) latency
  int64_t cols_per_adc = 0;             // columns multiplexed onto one ADC / adder tree
  int64_t weight_write_rows_per_cycle = 0;
  double clock_mhz = 0;
};

struct BusParams {
  int64_t width_bytes = 0;
  double clock_mhz = 0;
  int64_t latency_cycles = 0;
  std::string arbitration;       // round_robin | fixed_priority
};

struct DramParams {
  std::string kind;              // lpddr4 | lpddr5
  int64_t channels = 0, banks = 0, row_bytes = 0;
  int64_t tck_ps = 0;
  int64_t trcd_cycles = 0, tcl_cycles = 0, trp_cycles = 0, tras_cycles = 0;
  int64_t burst_length = 0;
  int64_t bus_width_bits = 0;    // per channel
  bool refresh_enabled = false;
  double trefi_ns = 0, trfc_ns = 0;

  // Peak bandwidth implied by the timing (double data rate): what the DRAM model must
  // approach on long sequential streams, never exceed.
  double peak_bytes_per_ns() const;
  // Quantities the DRAM model derives from several keys. validate_arch_config checks each
  // (whole bytes per burst, refresh at least one tCK apart), so models never divide by zero
  // or step through time by zero.
  int64_t burst_bits() const { return burst_length * bus_width_bits; }
  int64_t burst_bytes() const { return burst_bits() / 8; }
  int64_t trefi_cycles() const;  // refresh interval, whole tCK (rounded down)
  int64_t trfc_cycles() const;   // refresh duration, whole tCK (rounded up)
};

struct EnergyParams {
  double npu_mac_pj = 0;
  double sram_read_pj_per_byte = 0, sram_write_pj_per_byte = 0;
  double vector_op_pj = 0;
  double cim_mac_pj = 0;
  double adc_conversion_pj = 0;
  double cim_weight_write_pj_per_bit = 0;
  double bus_pj_per_byte = 0;
  double dram_read_pj_per_byte = 0, dram_write_pj_per_byte = 0, dram_activate_pj = 0;
  double npu_leakage_mw = 0, cim_macro_leakage_mw = 0, sram_leakage_mw = 0, bus_leakage_mw = 0,
         dram_leakage_mw = 0;
};

struct AreaParams {             // optional: 0 = not given
  double npu_mm2 = 0, cim_macro_mm2 = 0, sram_mm2 = 0, bus_mm2 = 0;
};

struct ArchConfig {
  std::string name;
  std::string description;
  NpuParams npu;
  CimParams cim;
  BusParams bus;
  DramParams dram;
  EnergyParams energy;
  AreaParams area;
  std::string origin;            // file it came from ("" for defaults); not part of the hash
};

// The declaration table: one entry per key, in `config show` order.
const std::vector<ParamDecl<ArchConfig>>& arch_param_decls();

ArchConfig default_arch_config();
// Parse + validate; every error is a UserError naming `origin` and the YAML path.
ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& origin);
ArchConfig load_arch_config(const std::string& path);
// Sets one key from its text form (sweeps override keys by path); validates it.
void set_arch_param(ArchConfig& cfg, const std::string& path, const std::string& value_text);
// Cross-field rules (e.g. cim.cols divisible by cim.cols_per_adc); UserError on violation.
void validate_arch_config(const ArchConfig& cfg);

std::string show_arch_config(const ArchConfig& cfg);  // resolved YAML with units + sources
std::string arch_keys_markdown();                     // the key reference (docs/arch_config.md)
std::string config_hash(const ArchConfig& cfg);       // 16 hex digits, stable

}  // namespace h4h
