#pragma once
// LUT: per-block latency and energy learned from the simulator ("train the lookup table").
// Every distinct block instance of a space is simulated alone — its own ONNX graph through
// the same frontend, mapper and SystemC engine as a full network, all in one elaboration —
// and stored by block key. Tables are keyed by (arch config hash, schema, simulator
// version), so one file serves several arch configs and never mixes stale numbers in.
//
// What an entry is: one inference of the block alone (batch 1) — the first (cold: every
// CIM weight programmed) or, with Metric::steady, the second of two back-to-back runs
// (weights the mapper pinned stay in their macros). The block runs as it would in the
// middle of a network: its input starts in the global buffer and its output stays there
// when they fit (with memory.activations_on_chip: false both go through DRAM, as every
// tensor does). What isolation misses — the network's first input and last output in
// DRAM, NPU/CIM overlap across block boundaries, the global buffer being shared with the
// neighbours' tensors, the macro budget being shared by the whole network (which layers
// stay resident, how many scratch macros the rest get), DRAM row state carried between
// blocks — is what the per-space correction, fitted on a few full simulations, absorbs.
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

// Which inference an entry and a validation measure.
enum class Metric { cold, steady };
const char* to_string(Metric m);
Metric parse_metric(const std::string& name);  // UserError listing cold, steady

struct LutEntry {
  double latency_ns = 0;
  double energy_pj = 0;
  EnergyBreakdown energy;  // by component, sums to energy_pj
  int64_t macs = 0;
  // Steady tables only: the same block's cold inference, and how many CIM macros its
  // pinned weights took when it had the whole cluster to itself. The estimator uses them
  // to charge reprogramming to the blocks that cannot stay resident in a full network.
  double cold_latency_ns = 0, cold_energy_pj = 0;
  int64_t resident_macros = 0;
};

// Linear correction of the block sums: full ≈ slope · Σ entries + intercept.
struct Correction {
  int samples = 0;  // full simulations it was fitted on (0 = none: the raw sum)
  uint64_t seed = 0;
  double latency_slope = 1, latency_intercept_ns = 0;
  double energy_slope = 1, energy_intercept_pj = 0;
};

struct LutTable {
  std::string arch_name, arch_hash, schema, metric = "cold", simulator_version;
  int64_t cim_macros = 0;                        // macros of the arch (residency budget)
  // The arch's static power (on-chip leakage + DRAM background): every simulated energy
  // holds leakage_mw x latency, which the estimator takes apart (see Estimator::estimate).
  double leakage_mw = 0;
  std::map<std::string, LutEntry> entries;       // by BlockInstance::key()
  std::map<std::string, Correction> corrections; // by space name
};

struct LutFile {
  std::map<std::string, LutTable> tables;  // by table_key()
  bool on_disk = false;                    // read from an existing file (false: a new LUT)
};

std::string simulator_version();
std::string table_key(const std::string& arch_hash, const std::string& schema, Metric metric);

// A missing file is an empty LUT; a corrupt one is a UserError.
LutFile load_lut(const std::string& path);
void save_lut(const LutFile& lut, const std::string& path);  // atomic

// The table for (cfg, schema), created empty when absent.
LutTable& lut_table(LutFile& lut, const ArchConfig& cfg, const SchemaSpec& spec,
                    Metric metric = Metric::cold);
// The table for (cfg, schema) or a UserError saying how to build it.
const LutTable& require_lut_table(const LutFile& lut, const std::string& lut_path,
                                  const ArchConfig& cfg, const SchemaSpec& spec,
                                  Metric metric = Metric::cold);

// Simulates one network built in memory on an elaborated System: the cold inference, or
// the steady one (second of two).
struct SimResult {
  double latency_ns = 0;
  double energy_pj = 0;
  EnergyBreakdown energy;
  int64_t macs = 0;
  double cold_latency_ns = 0, cold_energy_pj = 0;  // the first inference
  int64_t resident_macros = 0;                      // macros holding pinned weights
};
// `as_block`: the model is one block of a network (its input starts in the global buffer,
// its output stays there: RunOptions::network_io_on_chip).
SimResult simulate_model(System& sys, const SchemaSpec& spec, onnx::ModelProto model,
                         const std::string& origin, Metric metric = Metric::cold,
                         bool as_block = false);

// Blocks of `space` that `table` lacks, in key order.
std::vector<BlockInstance> missing_blocks(const SearchSpace& space, const LutTable& table);

// Simulates the missing blocks into `table`; calls `checkpoint` every few seconds and at
// the end (the caller saves the file, so a killed build keeps what it finished).
// Returns the number of blocks simulated.
int64_t fill_lut(LutTable& table, const SearchSpace& space, System& sys, const SchemaSpec& spec,
                 bool progress, const std::function<void()>& checkpoint);
Metric table_metric(const LutTable& table);

}  // namespace h4h::nas
