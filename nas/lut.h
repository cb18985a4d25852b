#pragma once
// LUT: per-block latency and energy learned from the simulator ("train the lookup table").
// Every distinct block instance of a space is simulated alone — its own ONNX graph through
// the same frontend, mapper and SystemC engine as a full network, all in one elaboration —
// and stored by block key. Tables are keyed by (arch config hash, schema, simulator
// version), so one file serves several arch configs and never mixes stale numbers in.
//
// What an entry is: one cold inference of the block alone (batch 1): it reads its input
// from DRAM and writes its output to DRAM, and programs its CIM weights, as every kernel
// does in a full run (the engine fuses nothing across kernels). What isolation misses —
// NPU/CIM overlap across block boundaries, the macro budget being shared by the whole
// network (residency and scratch rounds), DRAM row state carried between blocks — is
// what the per-space correction, fitted on a few full simulations, accounts for.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nas/blocks.h"
#include "nas/search_space.h"
#include "onnx/onnx_pb.h"
#include "sim/config/arch_config.h"
#include "sim/engine/run_stats.h"
#include "sim/mapper/mapper.h"

namespace h4h {
class System;
}

namespace h4h::nas {

struct LutEntry {
  double latency_ns = 0;
  double energy_pj = 0;
  EnergyBreakdown energy;  // by component, sums to energy_pj
  int64_t macs = 0;
};

// Linear correction of the block sums: full ≈ slope · Σ entries + intercept.
struct Correction {
  int samples = 0;  // full simulations it was fitted on (0 = none: the raw sum)
  uint64_t seed = 0;
  double latency_slope = 1, latency_intercept_ns = 0;
  double energy_slope = 1, energy_intercept_pj = 0;
};

struct LutTable {
  std::string arch_name, arch_hash, schema, simulator_version;
  std::map<std::string, LutEntry> entries;       // by BlockInstance::key()
  std::map<std::string, Correction> corrections; // by space name
};

struct LutFile {
  std::map<std::string, LutTable> tables;  // by table_key()
};

std::string simulator_version();
std::string table_key(const std::string& arch_hash, const std::string& schema);

// A missing file is an empty LUT; a corrupt one is a UserError.
LutFile load_lut(const std::string& path);
void save_lut(const LutFile& lut, const std::string& path);  // atomic

// The table for (cfg, schema), created empty when absent.
LutTable& lut_table(LutFile& lut, const ArchConfig& cfg, const SchemaSpec& spec);
// The table for (cfg, schema) or a UserError saying how to build it.
const LutTable& require_lut_table(const LutFile& lut, const std::string& lut_path,
                                  const ArchConfig& cfg, const SchemaSpec& spec);

// Simulates one network built in memory on an elaborated System: the cold inference.
struct SimResult {
  double latency_ns = 0;
  double energy_pj = 0;
  EnergyBreakdown energy;
  int64_t macs = 0;
};
SimResult simulate_model(System& sys, const SchemaSpec& spec, onnx::ModelProto model,
                         const std::string& origin);

// Blocks of `space` that `table` lacks, in key order.
std::vector<BlockInstance> missing_blocks(const SearchSpace& space, const LutTable& table);

// Simulates the missing blocks into `table`; calls `checkpoint` every few seconds and at
// the end (the caller saves the file, so a killed build keeps what it finished).
// Returns the number of blocks simulated.
int64_t fill_lut(LutTable& table, const SearchSpace& space, System& sys, const SchemaSpec& spec,
                 bool progress, const std::function<void()>& checkpoint);

}  // namespace h4h::nas
