#pragma once
// ArchConfig: the typed, validated description of one NPU+CIM chip. One params struct per
// component; every field is declared once (sim/config/arch_config.cpp) with its YAML path,
// unit, default and the source of that default. Life cycle: parse → validate → resolve
// defaults → hash; components take their params struct by const reference.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/bus/bus_params.h"
#include "models/cim/cim_macro.h"
#include "models/dram/dram_controller.h"
#include "models/npu/npu_params.h"
#include "models/sram/global_buffer_params.h"
#include "sim/config/param_schema.h"

namespace h4h {

// Each component's section embeds its model's params struct (models/), so the config is
// the one source of every value and default: the engine hands `cfg.npu`, `cfg.cim`,
// `cfg.bus` and `cfg.dram` to the models as they are. What the models do not need (presence
// flags, precision, the DRAM standard's name) is added here.

struct NpuParams : NpuTileParams {
  bool enabled = false;          // systolic array present (the vector unit always is)
};

struct CimParams : CimMacroParams {
  bool enabled = false;
  double clock_mhz = 0;
  // The cluster's buffers (models/cim/cim_cluster.h, CimBuffers): capacity, banks, and the
  // bytes a bank moves per CIM cycle (both buffers).
  int64_t input_buffer_kib = 0, input_buffer_banks = 0;
  int64_t output_buffer_kib = 0, output_buffer_banks = 0;
  int64_t weight_buffer_kib = 0;
  int64_t buffer_bank_width_bytes = 0;
};

struct BusParams : BusTimingParams {};

struct DramParams : DramTimingParams {
  std::string kind;              // a JEDEC preset (sim/config/dram_presets)
  DramControllerParams controller;
};

// The on-chip memory shared by the units (the NPU's own SRAMs are npu.sram). The global
// buffer's clock is the NPU's; the engine fills `global_buffer.clock_mhz` from it.
struct MemoryParams {
  GlobalBufferParams global_buffer;
  // false: every tensor goes through DRAM, as before the on-chip hierarchy existed (an
  // ablation: what on-chip reuse buys, and the old numbers reproduced).
  bool activations_on_chip = false;
};

struct EnergyParams {
  double npu_mac_pj = 0;
  double sram_read_pj_per_byte = 0, sram_write_pj_per_byte = 0;
  double global_buffer_read_pj_per_byte = 0, global_buffer_write_pj_per_byte = 0;
  double vector_op_pj = 0;
  double cim_mac_pj = 0;
  double adc_conversion_pj = 0;
  double cim_weight_write_pj_per_bit = 0;
  double cim_buffer_read_pj_per_byte = 0, cim_buffer_write_pj_per_byte = 0;
  double bus_pj_per_byte = 0;
  double dram_read_pj_per_byte = 0, dram_write_pj_per_byte = 0, dram_activate_pj = 0;
  double dram_leakage_mw = 0;  // DRAM background power (on-chip leakage: TechParams, area)
};

// The technology the chip is built in: it sets every unit's modelled area and the static
// power density (sim/engine/chip_area), which the scales multiply.
struct TechParams {
  int64_t node_nm = 0;
  double logic_leakage_scale = 1, sram_leakage_scale = 1;
};

// Measured areas replacing the model's (0 = modelled), and the DRAM PHY's area.
struct AreaParams {
  double npu_mm2 = 0, cim_macro_mm2 = 0, sram_mm2 = 0, global_buffer_mm2 = 0, cim_buffers_mm2 = 0,
         bus_mm2 = 0;
  double dram_phy_mm2_per_channel = 0;  // per 16 bits of channel width
};

struct ArchConfig {
  std::string name;
  std::string description;
  NpuParams npu;
  CimParams cim;
  BusParams bus;
  DramParams dram;
  MemoryParams memory;
  EnergyParams energy;
  TechParams tech;
  AreaParams area;
  std::string origin;            // file it came from ("" for defaults); not part of the hash
  // Provenance, not part of the hash: the keys the YAML or an override set, and the keys
  // whose value the dram.kind preset filled (a preset never replaces a given key).
  std::set<std::string> given_keys;
  std::set<std::string> preset_keys;
};

// The precision the network runs at (precision.*): the CIM macro's fields hold it, as the
// macro stores weights at it and streams inputs at it; everything else reads it here.
inline int activation_bits(const ArchConfig& c) { return static_cast<int>(c.cim.input_bits); }
inline int weight_bits(const ArchConfig& c) { return static_cast<int>(c.cim.weight_bits); }

// The declaration table: one entry per key, in `config show` order.
const std::vector<ParamDecl<ArchConfig>>& arch_param_decls();

ArchConfig default_arch_config();
// Parse + validate; every error is a UserError naming `origin` and the YAML path.
ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& origin);
// A config may start from another: `base: FILE` (relative to the config's own file) loads
// that one, then this file's keys override it; chains nest, cycles are an error.
ArchConfig load_arch_config(const std::string& path);
// load_arch_config, then `--set`-style KEY=VALUE overrides in order, then validation; every
// error names the override.
ArchConfig load_arch_config(const std::string& path, const std::vector<std::string>& key_values);
void apply_arch_overrides(ArchConfig& cfg, const std::vector<std::string>& key_values);
// Sets one key from its text form (sweeps override keys by path); validates it.
void set_arch_param(ArchConfig& cfg, const std::string& path, const std::string& value_text);
// Cross-field rules (e.g. cim.cols divisible by cim.cols_per_adc); UserError on violation.
void validate_arch_config(const ArchConfig& cfg);

std::string show_arch_config(const ArchConfig& cfg);  // resolved YAML with units + sources
// `config show --json`: {"origin", "config_hash", "values": {group: {key: value}} nested as
// the YAML, "units": {path: unit}, "from_preset": [paths the dram.kind preset filled]}.
nlohmann::json arch_config_json(const ArchConfig& cfg);
std::string arch_keys_markdown();                     // the key reference (docs/arch_config.md)
std::string config_hash(const ArchConfig& cfg);       // 16 hex digits, stable

}  // namespace h4h
