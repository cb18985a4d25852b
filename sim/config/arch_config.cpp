#include "sim/config/arch_config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "frontend/file_io.h"
#include "frontend/user_error.h"
#include "sim/config/dram_presets.h"
#include "sim/config/yaml_reader.h"

namespace h4h {

namespace fs = std::filesystem;
namespace {

using Decl = ParamDecl<ArchConfig>;

template <typename T>
Decl field(std::string path, ParamType type, std::string unit, ParamValue def, std::string desc,
           ParamConstraint cons, T& (*access)(ArchConfig&)) {
  Decl d;
  d.path = std::move(path);
  d.type = type;
  d.unit = std::move(unit);
  d.default_value = std::move(def);
  d.description = std::move(desc);
  d.constraint = std::move(cons);
  d.set = [access](ArchConfig& c, const ParamValue& v) {
    if constexpr (std::is_same_v<T, double>) {
      // An integer literal is a fine value for a real-valued key.
      if (auto i = std::get_if<int64_t>(&v)) access(c) = static_cast<double>(*i);
      else access(c) = std::get<double>(v);
    } else {
      access(c) = std::get<T>(v);
    }
  };
  d.get = [access](const ArchConfig& c) -> ParamValue {
    return access(const_cast<ArchConfig&>(c));
  };
  return d;
}

// A choice key whose field is an enum or a flag: `get` names the field's value, `set` sets
// it from one of `choices` (already checked against them).
Decl choice_field(std::string path, std::string def, std::vector<std::string> choices,
                  std::string desc, std::function<std::string(const ArchConfig&)> get,
                  std::function<void(ArchConfig&, const std::string&)> set) {
  Decl d;
  d.path = std::move(path);
  d.type = ParamType::choice;
  d.default_value = ParamValue{std::move(def)};
  d.description = std::move(desc);
  d.constraint.choices = std::move(choices);
  d.set = [set](ArchConfig& c, const ParamValue& v) { set(c, std::get<std::string>(v)); };
  d.get = [get](const ArchConfig& c) -> ParamValue { return get(c); };
  return d;
}

const char* dataflow_name(SystolicDataflow d) {
  return d == SystolicDataflow::ws ? "ws" : d == SystolicDataflow::is ? "is" : "os";
}

// One line per key: the field, its YAML path, type, unit, default, and where the default
// comes from. The macro only saves writing the accessor lambda.
#define H4H_PARAM(T, path, type, unit, def, cons, expr, desc) \
  field<T>(path, type, unit, ParamValue{def}, desc, cons, [](ArchConfig& c) -> T& { return c.expr; })

ParamConstraint pos_max(double m) { ParamConstraint c; c.positive = true; c.max = m; return c; }
ParamConstraint pow2(double m) { ParamConstraint c; c.positive = true; c.power_of_two = true; c.max = m; return c; }
ParamConstraint nonneg_max(double m) { ParamConstraint c; c.non_negative = true; c.max = m; return c; }
ParamConstraint at_least(ParamConstraint c, double m) { c.min = m; return c; }
ParamConstraint one_of(std::vector<std::string> v) { ParamConstraint c; c.choices = std::move(v); return c; }

// Physical bounds. The upper ones on energy, power and area keep every sum the engine forms
// (action counts up to 2^63 times a per-action energy, leakage times an hour of chip time)
// finite, far inside a double; the floors are below any chip h4hsim models: no NPU, CIM
// macro or bus clock under 1 MHz, no DRAM refreshing more often than every 100 ns (JEDEC's
// shortest, LPDDR4's per-bank tREFIpb, is 488 ns), no DDR burst under two beats (one tCK).
constexpr double kMaxEnergyPerActionPj = 1e6;  // 1 uJ: 1000x a DRAM row activation
constexpr double kMaxPowerMw = 1e6;            // 1 kW
constexpr double kMaxAreaMm2 = 1e5;            // more than a 300 mm wafer (70,686 mm2)
constexpr double kMinClockMhz = 1, kMaxClockMhz = 10000;
constexpr double kMinRefreshIntervalNs = 100;
constexpr double kMinBurstLength = 2;
ParamConstraint clock() { return at_least(pos_max(kMaxClockMhz), kMinClockMhz); }
ParamConstraint energy() { return nonneg_max(kMaxEnergyPerActionPj); }
ParamConstraint power() { return nonneg_max(kMaxPowerMw); }
ParamConstraint area() { return nonneg_max(kMaxAreaMm2); }
ParamConstraint ints_in(std::vector<int64_t> v) { ParamConstraint c; c.allowed_ints = std::move(v); return c; }

constexpr auto I = ParamType::integer;
constexpr auto R = ParamType::real;
constexpr auto B = ParamType::boolean;
constexpr auto C = ParamType::choice;
constexpr auto S = ParamType::text;

std::vector<Decl> make_decls() {
  using std::string;
  return {
      H4H_PARAM(string, "name", S, "", string("custom"), {}, name, "Name of this design point"),
      H4H_PARAM(string, "description", S, "", string(""), {}, description, "Free text"),

      // --- NPU tile: systolic array, SRAMs, vector unit ---------------------------------
      H4H_PARAM(bool, "npu.enabled", B, "", true, {}, npu.enabled,
                "Systolic array present; the vector unit (softmax, norms, elementwise) always is"),
      H4H_PARAM(int64_t, "npu.array.rows", I, "PEs", int64_t{32}, pos_max(4096), npu.array.rows,
                "Systolic array rows (32x32 = 1024 8-bit MACs, an edge NPU tile; SCALE-Sim's default)"),
      H4H_PARAM(int64_t, "npu.array.cols", I, "PEs", int64_t{32}, pos_max(4096), npu.array.cols,
                "Systolic array columns"),
      choice_field("npu.array.dataflow", "os", {"os", "ws", "is"},
                   "Dataflow: output-, weight- or input-stationary (SCALE-Sim's names)",
                   [](const ArchConfig& c) { return string(dataflow_name(c.npu.array.dataflow)); },
                   [](ArchConfig& c, const string& v) {
                     c.npu.array.dataflow = v == "ws"   ? SystolicDataflow::ws
                                            : v == "is" ? SystolicDataflow::is
                                                        : SystolicDataflow::os;
                   }),
      H4H_PARAM(double, "npu.clock_mhz", R, "MHz", 800.0, clock(), npu.clock_mhz,
                "NPU clock (edge NPUs at 7-28 nm run at 0.5-1 GHz)"),
      H4H_PARAM(int64_t, "npu.precision_bits", I, "bits", int64_t{8}, ints_in({4, 8, 16}),
                npu.precision_bits,
                "The PE's native operand width: wider operands take (b/pe)^2 passes, narrower ones "
                "pack (pe/b)^2 per PE (Bit Fusion, ISCA'18); sets the PE's area"),
      H4H_PARAM(int64_t, "npu.sram.ifmap_kib", I, "KiB", int64_t{256}, pos_max(1 << 20),
                npu.sram.ifmap_kib, "Input feature map SRAM (double-buffered halves)"),
      H4H_PARAM(int64_t, "npu.sram.filter_kib", I, "KiB", int64_t{256}, pos_max(1 << 20),
                npu.sram.filter_kib, "Filter (weight) SRAM"),
      H4H_PARAM(int64_t, "npu.sram.ofmap_kib", I, "KiB", int64_t{128}, pos_max(1 << 20),
                npu.sram.ofmap_kib, "Output feature map SRAM"),
      H4H_PARAM(int64_t, "npu.sram.ifmap_banks", I, "banks", int64_t{8}, pow2(1024),
                npu.sram.ifmap_banks, "Banks of the ifmap SRAM (power of two: address interleaving)"),
      H4H_PARAM(int64_t, "npu.sram.filter_banks", I, "banks", int64_t{8}, pow2(1024),
                npu.sram.filter_banks, "Banks of the filter SRAM"),
      H4H_PARAM(int64_t, "npu.sram.ofmap_banks", I, "banks", int64_t{4}, pow2(1024),
                npu.sram.ofmap_banks, "Banks of the ofmap SRAM"),
      H4H_PARAM(int64_t, "npu.sram.bank_width_bytes", I, "B", int64_t{8}, pow2(1024),
                npu.sram.bank_width_bytes,
                "Bytes per bank per NPU cycle, all three SRAMs: an SRAM moves banks x width B "
                "per cycle, and a GEMM whose array edge needs more waits for it (8 B: 8 banks "
                "feed a 64-wide edge; SCALE-Sim assumes ports that never limit)"),
      H4H_PARAM(int64_t, "npu.vector.lanes", I, "lanes", int64_t{64}, pos_max(65536),
                npu.vector.lanes, "Vector unit SIMD lanes (one lane-op per lane per cycle)"),
      H4H_PARAM(int64_t, "npu.vector.cycles.add", I, "cycles", int64_t{1}, pos_max(1024),
                npu.vector.add_cycles, "Cycles per lane-op: add/sub/compare"),
      H4H_PARAM(int64_t, "npu.vector.cycles.mul", I, "cycles", int64_t{1}, pos_max(1024),
                npu.vector.mul_cycles, "Cycles per lane-op: multiply"),
      H4H_PARAM(int64_t, "npu.vector.cycles.max", I, "cycles", int64_t{1}, pos_max(1024),
                npu.vector.max_cycles, "Cycles per lane-op: max/min (pooling, ReLU)"),
      H4H_PARAM(int64_t, "npu.vector.cycles.exp", I, "cycles", int64_t{4}, pos_max(1024),
                npu.vector.exp_cycles, "Cycles per lane-op: exp (piecewise/LUT unit, softmax, GELU)"),
      H4H_PARAM(int64_t, "npu.vector.cycles.div", I, "cycles", int64_t{8}, pos_max(1024),
                npu.vector.div_cycles, "Cycles per lane-op: divide/reciprocal (iterative)"),
      H4H_PARAM(int64_t, "npu.vector.cycles.sqrt", I, "cycles", int64_t{8}, pos_max(1024),
                npu.vector.sqrt_cycles, "Cycles per lane-op: square root / rsqrt (iterative)"),

      // --- Precision the network runs at (the macros store weights at it, stream inputs at it) --
      H4H_PARAM(int64_t, "precision.activation_bits", I, "bits", int64_t{8}, ints_in({1, 2, 4, 8, 16}),
                cim.input_bits,
                "Activation precision: tensor bytes (DRAM, buffers, bus), the array's operand width, "
                "CIM input bits streamed bit-serially, MAC energy (tensors a quantized model gives keep theirs)"),
      H4H_PARAM(int64_t, "precision.weight_bits", I, "bits", int64_t{8}, ints_in({1, 2, 4, 8, 16}),
                cim.weight_bits,
                "Weight precision: weight bytes, CIM columns per weight, the array's operand width, "
                "MAC energy (int4 weights with int8 activations: weight_bits 4)"),

      // --- CIM macros ---------------------------------------------------------------------
      H4H_PARAM(bool, "cim.enabled", B, "", true, {}, cim.enabled, "CIM macros present"),
      H4H_PARAM(int64_t, "cim.macro_count", I, "macros", int64_t{4}, pos_max(4096),
                cim.macro_count, "Number of CIM macros"),
      H4H_PARAM(int64_t, "cim.rows", I, "rows", int64_t{256}, pow2(65536), cim.rows,
                "Wordlines per macro: the reduction depth held (256x256 bitcells = 64 Kb, as the "
                "22 nm digital SRAM-CIM of Chih et al., ISSCC 2021)"),
      H4H_PARAM(int64_t, "cim.cols", I, "bitcells", int64_t{256}, pow2(65536), cim.cols,
                "Bitcell columns per macro; weights per row = cols / weight_bits"),
      H4H_PARAM(int64_t, "cim.cycles_per_input_bit", I, "cycles", int64_t{1}, pos_max(64),
                cim.cycles_per_input_bit, "Cycles per input bit (1: one bit per cycle, ISSCC'21)"),
      H4H_PARAM(int64_t, "cim.adc_latency_cycles", I, "cycles", int64_t{2}, nonneg_max(1024),
                cim.adc_latency_cycles, "Adder-tree (digital) or ADC (analog) latency after the last input bit"),
      H4H_PARAM(int64_t, "cim.cols_per_adc", I, "columns", int64_t{8}, pow2(65536),
                cim.cols_per_adc, "Columns time-multiplexed onto one adder tree / ADC (column mux)"),
      H4H_PARAM(int64_t, "cim.extra_cols_per_weight", I, "columns", int64_t{0}, nonneg_max(64),
                cim.extra_cols_per_weight,
                "Columns a weight takes beyond its bits: 0 with adder trees (Chih ISSCC'21); "
                "log2(rows) with bit-serial in-array accumulation (Colonnade JSSC'21: 7 at 128 rows)"),
      H4H_PARAM(int64_t, "cim.weight_write_rows_per_cycle", I, "rows/cycle", int64_t{1},
                pos_max(65536), cim.weight_write_rows_per_cycle,
                "Weight (re)programming bandwidth: SRAM rows written per cycle"),
      H4H_PARAM(int64_t, "cim.input_buffer_kib", I, "KiB", int64_t{64}, nonneg_max(1 << 20),
                cim.input_buffer_kib,
                "Cluster input buffer: an input slice (one row tile's inputs) that fits is loaded "
                "once per layer, not once per round that needs it (64 KiB: a 56x56x16 int8 "
                "slice; an assumption, scale it with the macros)"),
      H4H_PARAM(int64_t, "cim.input_buffer_banks", I, "banks", int64_t{16}, pow2(1024),
                cim.input_buffer_banks,
                "Banks of the input buffer: each input vector's slice is read once per round "
                "and broadcast to the macros holding its column tiles, loads are written in"),
      H4H_PARAM(int64_t, "cim.output_buffer_kib", I, "KiB", int64_t{64}, nonneg_max(1 << 20),
                cim.output_buffer_kib,
                "Cluster output buffer, double buffered: a round drains its outputs in parts of "
                "at most half of it while the macros go on, and waits when both halves are "
                "still draining (0: no buffer, outputs wait in the macros' registers)"),
      H4H_PARAM(int64_t, "cim.output_buffer_banks", I, "banks", int64_t{8}, pow2(1024),
                cim.output_buffer_banks, "Banks of the output buffer (written by the macros, read by the DMA)"),
      H4H_PARAM(int64_t, "cim.weight_buffer_kib", I, "KiB", int64_t{64}, nonneg_max(1 << 20),
                cim.weight_buffer_kib,
                "Cluster weight buffer: the next round's weights, up to this much, are fetched "
                "while the current round computes, so reprogramming waits only for the rest "
                "(0: none; 64 KiB: one round of 8 macros of 256 x 256 int8 cells)"),
      H4H_PARAM(int64_t, "cim.buffer_bank_width_bytes", I, "B", int64_t{8}, pow2(1024),
                cim.buffer_bank_width_bytes,
                "Bytes per bank per CIM cycle, both buffers (16 x 8 B = 128 B/cycle: 32 macros "
                "of 256 rows, each taking a 256 B slice per 64-cycle int8 vector)"),
      H4H_PARAM(double, "cim.clock_mhz", R, "MHz", 500.0, clock(), cim.clock_mhz,
                "Macro clock (digital SRAM-CIM macros report 0.2-1 GHz at 22-5 nm)"),

      // --- Shared bus ----------------------------------------------------------------------
      H4H_PARAM(int64_t, "bus.width_bytes", I, "B", int64_t{32}, pow2(4096), bus.width_bytes,
                "Data width (256-bit AXI-class interconnect)"),
      H4H_PARAM(double, "bus.clock_mhz", R, "MHz", 800.0, clock(), bus.clock_mhz, "Bus clock"),
      H4H_PARAM(int64_t, "bus.latency_cycles", I, "cycles", int64_t{4}, nonneg_max(1 << 20),
                bus.latency_cycles, "Request-to-first-beat latency of one transaction"),
      choice_field("bus.arbitration", "round_robin", {"round_robin", "fixed_priority"},
                   "Arbitration between NPU and CIM DMA engines",
                   [](const ArchConfig& c) { return string(c.bus.round_robin ? "round_robin" : "fixed_priority"); },
                   [](ArchConfig& c, const string& v) { c.bus.round_robin = v == "round_robin"; }),

      // --- DRAM (defaults: LPDDR4-4266, JEDEC JESD209-4) -----------------------------------
      H4H_PARAM(string, "dram.kind", C, "", string("lpddr4_4266"), one_of(dram_kind_choices()),
                dram.kind,
                "JEDEC part: fills every dram.* timing and geometry key and the energy.dram_* "
                "keys the config does not set (presets and sources: docs/dram.md; lpddr4 and "
                "lpddr5 name the 4266 and 6400 grades). dram.channels is the system's choice"),
      H4H_PARAM(int64_t, "dram.channels", I, "channels", int64_t{2}, pow2(64), dram.channels,
                "Independent channels (2 x16 channels = one 32-bit LPDDR4 die, ~17 GB/s)"),
      H4H_PARAM(int64_t, "dram.banks", I, "banks", int64_t{8}, pow2(256), dram.banks,
                "Banks per channel (LPDDR4: 8; LPDDR5: 16)"),
      H4H_PARAM(int64_t, "dram.row_bytes", I, "B", int64_t{2048}, pow2(1 << 20), dram.row_bytes,
                "Row (page) size per channel (LPDDR4 x16: 2 KB)"),
      H4H_PARAM(int64_t, "dram.tck_ps", I, "ps", int64_t{469}, pos_max(100000), dram.tck_ps,
                "Clock period (LPDDR4-4266: 2133 MHz, 0.469 ns)"),
      H4H_PARAM(int64_t, "dram.trcd_cycles", I, "tCK", int64_t{39}, pos_max(10000), dram.trcd_cycles,
                "ACT to READ/WRITE (JEDEC: max(18 ns, 4 tCK) = 39 tCK at 4266)"),
      H4H_PARAM(int64_t, "dram.tcl_cycles", I, "tCK", int64_t{36}, pos_max(10000), dram.tcl_cycles,
                "READ latency RL (JEDEC LPDDR4-4266, DBI off: 36 tCK)"),
      H4H_PARAM(int64_t, "dram.trp_cycles", I, "tCK", int64_t{39}, pos_max(10000), dram.trp_cycles,
                "PRECHARGE period tRPpb (JEDEC: max(18 ns, 4 tCK) = 39 tCK)"),
      H4H_PARAM(int64_t, "dram.tras_cycles", I, "tCK", int64_t{90}, pos_max(10000), dram.tras_cycles,
                "ACT to PRECHARGE minimum (JEDEC: max(42 ns, 3 tCK) = 90 tCK)"),
      H4H_PARAM(int64_t, "dram.tcwl_cycles", I, "tCK", int64_t{18}, pos_max(10000), dram.tcwl_cycles,
                "WRITE latency WL (JEDEC LPDDR4-4266, set A: 18 tCK)"),
      H4H_PARAM(int64_t, "dram.twr_cycles", I, "tCK", int64_t{39}, pos_max(10000), dram.twr_cycles,
                "Write recovery, last write data to PRECHARGE (JEDEC: 18 ns = 39 tCK)"),
      H4H_PARAM(int64_t, "dram.twtr_cycles", I, "tCK", int64_t{22}, pos_max(10000), dram.twtr_cycles,
                "Last write data to a READ command (JEDEC: 10 ns = 22 tCK)"),
      H4H_PARAM(int64_t, "dram.trtp_cycles", I, "tCK", int64_t{16}, pos_max(10000), dram.trtp_cycles,
                "READ to PRECHARGE (JEDEC: max(7.5 ns, 8 tCK) = 16 tCK)"),
      H4H_PARAM(int64_t, "dram.trrd_cycles", I, "tCK", int64_t{22}, pos_max(10000), dram.trrd_cycles,
                "ACT to ACT, two banks of a channel (JEDEC: 10 ns = 22 tCK)"),
      H4H_PARAM(int64_t, "dram.tfaw_cycles", I, "tCK", int64_t{86}, pos_max(10000), dram.tfaw_cycles,
                "Four-activate window: at most 4 ACTs per channel in it (JEDEC: 40 ns = 86 tCK)"),
      H4H_PARAM(int64_t, "dram.burst_length", I, "beats", int64_t{16},
                at_least(pow2(64), kMinBurstLength), dram.burst_length,
                "Burst length (LPDDR4: BL16)"),
      H4H_PARAM(int64_t, "dram.bus_width_bits", I, "bits", int64_t{16}, pow2(1024),
                dram.bus_width_bits, "Data width per channel (LPDDR4: x16)"),
      H4H_PARAM(bool, "dram.refresh.enabled", B, "", true, {}, dram.refresh,
                "Model all-bank refresh: every tREFI the channel closes its rows and is busy "
                "tRFC (~7 % of time on LPDDR4; false: an idealized memory, for comparisons)"),
      H4H_PARAM(double, "dram.refresh.trefi_ns", R, "ns", 3904.0,
                at_least(pos_max(1e9), kMinRefreshIntervalNs), dram.trefi_ns,
                "Average refresh interval (LPDDR4: 3.904 us)"),
      H4H_PARAM(double, "dram.refresh.trfc_ns", R, "ns", 280.0, pos_max(1e9), dram.trfc_ns,
                "All-bank refresh cycle time (LPDDR4 8 Gb: 280 ns)"),

      choice_field("dram.controller.model", "segment", {"segment", "cycle"},
                   "DRAM controller model. segment: a row segment at a time in closed form (whole "
                   "networks in seconds); cycle: every tCK, per-bank command queues and one command "
                   "per tCK as DRAMsim3 (within 2.3 % of it on every pattern of "
                   "bench/dramsim3_compare.sh, many outstanding requests included; slower)",
                   [](const ArchConfig& c) {
                     return string(c.dram.controller.model == DramControllerModel::kCycle ? "cycle" : "segment");
                   },
                   [](ArchConfig& c, const string& v) {
                     c.dram.controller.model = v == "cycle" ? DramControllerModel::kCycle : DramControllerModel::kSegment;
                   }),
      H4H_PARAM(int64_t, "dram.controller.write_buffer_bursts", I, "bursts", int64_t{32},
                nonneg_max(1 << 20), dram.controller.write_buffer_bursts,
                "Posted-write buffer per channel: a write completes when the buffer takes it "
                "and drains in batches (DRAMsim3: 32; 0: writes are not posted)"),
      H4H_PARAM(int64_t, "dram.controller.idle_drain_bursts", I, "bursts", int64_t{8},
                nonneg_max(1 << 20), dram.controller.idle_drain_bursts,
                "With no read waiting, drain the write buffer once it holds more than this "
                "(DRAMsim3: 8); a full buffer always drains"),
      H4H_PARAM(int64_t, "dram.controller.frontend_cycles", I, "tCK", int64_t{1},
                nonneg_max(1 << 20), dram.controller.frontend_cycles,
                "A request's way from the port to the scheduler (DRAMsim3: a request added "
                "in one cycle has its first command issued at the next)"),

      // --- On-chip memory shared by NPU array, vector unit and CIM cluster ---------------
      H4H_PARAM(int64_t, "memory.global_buffer_kib", I, "KiB", int64_t{1024}, nonneg_max(1 << 20),
                memory.global_buffer.capacity_kib,
                "Global buffer for activations between kernels (0: none, all spill to DRAM). Edge "
                "NPUs keep 0.4-2.5 MB on chip: Arm Vela's Ethos-U65 configs 384-512 KB, RK3588 "
                "956 KB NPU-usable SRAM, AMD XDNA Phoenix 5 x 512 KB memory tiles"),
      H4H_PARAM(int64_t, "memory.global_buffer_banks", I, "banks", int64_t{16}, pow2(1024),
                memory.global_buffer.banks,
                "Banks of the global buffer (consecutive bytes interleave over them)"),
      H4H_PARAM(int64_t, "memory.global_buffer_bank_width_bytes", I, "B", int64_t{4}, pow2(1024),
                memory.global_buffer.bank_width_bytes,
                "Bytes per bank per NPU cycle (16 x 4 B = 64 B/cycle for 1024 MACs: Vela's "
                "Ethos-U65 ratio, 16 B/cycle of SRAM for 256 MACs)"),
      H4H_PARAM(bool, "memory.activations_on_chip", B, "", true, {}, memory.activations_on_chip,
                "Keep activations in the global buffer when they fit (false: every tensor goes "
                "through DRAM, the model before on-chip memory; an ablation)"),

      // --- Energy table (Accelergy-style: counted actions x per-action energy) ------------
      H4H_PARAM(double, "energy.npu_mac_pj", R, "pJ", 0.12, energy(), energy.npu_mac_pj,
                "8-bit MAC: Horowitz ISSCC'14 45 nm 0.2 pJ mul + 0.03 pJ add, scaled ~0.5x to 28 nm"),
      H4H_PARAM(double, "energy.sram_read_pj_per_byte", R, "pJ/B", 1.2, energy(),
                energy.sram_read_pj_per_byte,
                "NPU SRAM read at 640 KiB in total (Horowitz 5 pJ per 32-bit word from 8 KB at 45 nm, "
                "~0.25x/B at 28 nm, x1.6 for 64-256 KB arrays); other sizes x sqrt(KiB / 640) (CACTI)"),
      H4H_PARAM(double, "energy.sram_write_pj_per_byte", R, "pJ/B", 1.4, energy(),
                energy.sram_write_pj_per_byte,
                "NPU SRAM write at 640 KiB in total (slightly above read); x sqrt(KiB / 640)"),
      H4H_PARAM(double, "energy.global_buffer_read_pj_per_byte", R, "pJ/B", 3.0, energy(),
                energy.global_buffer_read_pj_per_byte,
                "Global buffer read at 1 MiB (Horowitz ISSCC'14, 1 MB SRAM ~100 pJ per 64 bit at 45 nm, "
                "~0.25x at 28 nm); other sizes x sqrt(KiB / 1024) (CACTI)"),
      H4H_PARAM(double, "energy.global_buffer_write_pj_per_byte", R, "pJ/B", 3.4, energy(),
                energy.global_buffer_write_pj_per_byte,
                "Global buffer write at 1 MiB (slightly above read); x sqrt(KiB / 1024)"),
      H4H_PARAM(double, "energy.vector_op_pj", R, "pJ", 0.4, energy(), energy.vector_op_pj,
                "One vector lane-op (16-bit ALU op + register file access, 28 nm)"),
      H4H_PARAM(double, "energy.cim_mac_pj", R, "pJ", 0.09, energy(), energy.cim_mac_pj,
                "8b x 8b CIM MAC: 89 TOPS/W at 4b (Chih et al. ISSCC'21, 22 nm) = 22 fJ/MAC, x4 for 8b inputs+weights"),
      H4H_PARAM(double, "energy.adc_conversion_pj", R, "pJ", 0.2, energy(), energy.adc_conversion_pj,
                "One column-group readout: adder-tree reduction + accumulator (digital), ADC (analog)"),
      H4H_PARAM(double, "energy.cim_weight_write_pj_per_bit", R, "pJ/bit", 0.18, energy(),
                energy.cim_weight_write_pj_per_bit, "Writing one weight bit into the macro (SRAM write)"),
      H4H_PARAM(double, "energy.cim_buffer_read_pj_per_byte", R, "pJ/B", 1.2, energy(),
                energy.cim_buffer_read_pj_per_byte,
                "CIM input/output buffer read at 128 KiB for both (as energy.sram_read_pj_per_byte); "
                "other sizes x sqrt(KiB / 128) (CACTI)"),
      H4H_PARAM(double, "energy.cim_buffer_write_pj_per_byte", R, "pJ/B", 1.4, energy(),
                energy.cim_buffer_write_pj_per_byte,
                "CIM input/output buffer write at 128 KiB for both; x sqrt(KiB / 128)"),
      H4H_PARAM(double, "energy.bus_pj_per_byte", R, "pJ/B", 0.5, energy(), energy.bus_pj_per_byte,
                "On-chip interconnect, ~2 mm at ~0.03 pJ/bit/mm plus switch logic"),
      H4H_PARAM(double, "energy.dram_read_pj_per_byte", R, "pJ/B", 40.0, energy(),
                energy.dram_read_pj_per_byte, "LPDDR4 read incl. I/O, ~5 pJ/bit (Micron LPDDR4 power calculator)"),
      H4H_PARAM(double, "energy.dram_write_pj_per_byte", R, "pJ/B", 40.0, energy(),
                energy.dram_write_pj_per_byte, "LPDDR4 write incl. I/O, ~5 pJ/bit"),
      H4H_PARAM(double, "energy.dram_activate_pj", R, "pJ", 800.0, energy(), energy.dram_activate_pj,
                "One ACT+PRE of a 2 KB row (Micron LPDDR4 IDD0-based estimate)"),
      H4H_PARAM(double, "energy.leakage.dram_mw", R, "mW", 5.0, power(), energy.dram_leakage_mw,
                "DRAM background power (LPDDR4 active standby, IDD3N-class)"),

      // --- Technology: modelled area and static power (docs/area.md) ---------------------
      H4H_PARAM(int64_t, "tech.node_nm", I, "nm", int64_t{28}, ints_in({65, 45, 32, 28, 22, 16, 14, 10, 7, 5}),
                tech.node_nm,
                "Technology node: scales every modelled area (Stillmaker & Baas 2017 area factors; "
                "SRAM bitcells per node) and the static power density. Dynamic energies are the "
                "energy.* keys as given (28 nm values by default)"),
      H4H_PARAM(double, "tech.logic_leakage_scale", R, "x", 1.0, nonneg_max(1000), tech.logic_leakage_scale,
                "Times the node's static power density of logic (Aladdin's 45 nm arithmetic units, "
                "10.6 mW/mm2, scaled by Stillmaker & Baas): 0 = no logic leakage, < 1 a high-Vt library"),
      H4H_PARAM(double, "tech.sram_leakage_scale", R, "x", 1.0, nonneg_max(1000), tech.sram_leakage_scale,
                "Times the node's static power density of SRAM (CACTI 7, low-standby-power cells, "
                "low-operating-power periphery, 330 K): 0 = no SRAM leakage"),

      // --- Area: measured values replacing the model's (0 = modelled) ----------------------
      H4H_PARAM(double, "area.npu_mm2", R, "mm2", 0.0, area(), area.npu_mm2,
                "NPU array + vector unit (0: PEs x PE area at npu.precision_bits + lanes x lane area)"),
      H4H_PARAM(double, "area.cim_macro_mm2", R, "mm2", 0.0, area(), area.cim_macro_mm2,
                "One CIM macro (0: Chih et al. ISSCC'21, 0.202 mm2 per 64 Kb at 22 nm, scaled by node)"),
      H4H_PARAM(double, "area.sram_mm2", R, "mm2", 0.0, area(), area.sram_mm2,
                "NPU SRAMs in total (0: the SRAM model by capacity, banks and port width)"),
      H4H_PARAM(double, "area.global_buffer_mm2", R, "mm2", 0.0, area(), area.global_buffer_mm2,
                "Global buffer (0: the SRAM model)"),
      H4H_PARAM(double, "area.cim_buffers_mm2", R, "mm2", 0.0, area(), area.cim_buffers_mm2,
                "CIM input, output and weight buffers in total (0: the SRAM model)"),
      H4H_PARAM(double, "area.bus_mm2", R, "mm2", 0.0, area(), area.bus_mm2,
                "Interconnect (0: a pipeline register and a mux level per bit per initiator)"),
      H4H_PARAM(double, "area.dram_phy_mm2_per_channel", R, "mm2", 0.72, area(), area.dram_phy_mm2_per_channel,
                "DRAM controller + PHY per 16-bit channel (Snapdragon X Elite die-shot, TSMC N4, "
                "LPDDR5X; not node-scaled: analog I/O)"),
  };
}
#undef H4H_PARAM

const Decl* find_decl(const std::string& path) {
  for (const auto& d : arch_param_decls())
    if (d.path == path) return &d;
  return nullptr;
}

// Every map that may appear in the YAML: prefixes of declared paths ("npu", "npu.array").
const std::set<std::string>& group_paths() {
  static const std::set<std::string> groups = [] {
    std::set<std::string> g;
    for (const auto& d : arch_param_decls())
      for (size_t dot = d.path.find('.'); dot != std::string::npos; dot = d.path.find('.', dot + 1))
        g.insert(d.path.substr(0, dot));
    return g;
  }();
  return groups;
}

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string where(const YAML::Node& n) {
  const auto m = n.Mark();
  if (m.line < 0) return "";
  return fmt::format(" (line {})", m.line + 1);
}

// Suggests the declared key or group closest to an unknown one, preferring siblings.
std::string suggestion(const std::string& path) {
  const std::string parent = path.find('.') == std::string::npos ? "" : path.substr(0, path.rfind('.'));
  std::vector<std::string> siblings, all;
  auto consider = [&](const std::string& p) {
    all.push_back(p);
    const std::string pp = p.find('.') == std::string::npos ? "" : p.substr(0, p.rfind('.'));
    if (pp == parent) siblings.push_back(p);
  };
  for (const auto& d : arch_param_decls()) consider(d.path);
  for (const auto& g : group_paths()) consider(g);
  std::string best = closest_match(path, siblings);
  if (best.empty()) best = closest_match(path, all);
  return best;
}

void apply_value(ArchConfig& cfg, const Decl& d, const std::string& text, const std::string& origin,
                 const std::string& at) {
  auto parsed = parse_param_scalar(text, d.type, d.constraint);
  if (auto err = std::get_if<std::string>(&parsed))
    throw UserError(fmt::format("{}: {}: {}{}", origin, d.path, *err, at));
  const ParamValue& v = std::get<ParamValue>(parsed);
  if (auto err = check_param_constraint(v, d.constraint))
    throw UserError(fmt::format("{}: {}: {}{}", origin, d.path, *err, at));
  d.set(cfg, v);
}

void walk(const YAML::Node& node, const std::string& prefix, ArchConfig& cfg,
          const std::string& origin, std::set<std::string>& seen, int depth) {
  if (depth > 8)
    throw UserError(fmt::format("{}: {}: nested too deeply", origin, prefix));
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar())
      throw UserError(fmt::format("{}: {}: keys must be plain names{}", origin,
                                  prefix.empty() ? "<top level>" : prefix, where(it->first)));
    const std::string path = join_path(prefix, it->first.Scalar());
    if (prefix.empty() && path == "base") continue;  // parse_chained has applied it
    if (!seen.insert(path).second)
      throw UserError(fmt::format("{}: {}: key given twice{}", origin, path, where(it->first)));
    // A copy, not a reference: `it->second` lives in a proxy that dies with this statement
    // (yaml-cpp's iterator), so a reference dangles (found by fuzzing, ASan).
    const YAML::Node value = it->second;
    if (const Decl* d = find_decl(path)) {
      cfg.given_keys.insert(path);
      if (!value.IsScalar())
        throw UserError(fmt::format("{}: {}: expected a {} value, got a {}{}", origin, path,
                                    param_type_name(d->type),
                                    value.IsMap() ? "map" : value.IsSequence() ? "list" : "null",
                                    where(it->first)));
      apply_value(cfg, *d, value.Scalar(), origin, where(value));
    } else if (group_paths().count(path)) {
      if (!value.IsMap())
        throw UserError(fmt::format("{}: {}: expected a map of keys{}", origin, path,
                                    where(it->first)));
      walk(value, path, cfg, origin, seen, depth + 1);
    } else {
      const std::string best = suggestion(path);
      throw UserError(fmt::format("{}: {}: unknown key{}{}", origin, path,
                                  best.empty() ? "" : fmt::format("; did you mean '{}'?", best),
                                  where(it->first)));
    }
  }
}

}  // namespace

const std::vector<ParamDecl<ArchConfig>>& arch_param_decls() {
  static const std::vector<Decl> decls = make_decls();
  return decls;
}

namespace {

// Fills every key of the dram.kind preset that the config did not set itself.
void apply_dram_preset(ArchConfig& cfg) {
  const DramPreset* preset = find_dram_preset(cfg.dram.kind);
  if (!preset) return;  // the choice constraint has refused it already
  cfg.preset_keys.clear();
  const std::string origin = fmt::format("dram.kind preset {}", preset->kind);
  for (const auto& [path, text] : preset->values) {
    if (cfg.given_keys.count(path)) continue;
    apply_value(cfg, *find_decl(path), text, origin, "");
    cfg.preset_keys.insert(path);
  }
}

}  // namespace

ArchConfig default_arch_config() {
  ArchConfig cfg;
  for (const auto& d : arch_param_decls()) d.set(cfg, d.default_value);
  apply_dram_preset(cfg);
  return cfg;
}

namespace {

// Cross-field rules on what the DRAM model derives from several keys: a burst moves whole
// bytes (its size divides every address computation), a row holds whole bursts, and refresh
// leaves time for commands (the model steps through refreshes one interval at a time, so a
// zero-tCK interval, or one no longer than the refresh itself, would never end).
void validate_dram(const DramParams& d, const std::string& o) {
  if (d.burst_bits() % 8 != 0)
    throw UserError(fmt::format("{}: dram.burst_length x dram.bus_width_bits = {} x {} = {} bits "
                                "per burst: a burst must move whole bytes (at least 8 bits)",
                                o, d.burst_length, d.bus_width_bits, d.burst_bits()));
  if (d.row_bytes % d.burst_bytes() != 0)
    throw UserError(fmt::format("{}: dram.row_bytes: {} is not a whole number of bursts "
                                "(dram.burst_length x dram.bus_width_bits / 8 = {} B)",
                                o, d.row_bytes, d.burst_bytes()));
  // tRFC is at least 1 tCK (rounded up), so this also refuses an interval of 0 tCK.
  if (d.refresh && d.trfc_cycles() >= d.trefi_cycles())
    throw UserError(fmt::format("{}: dram.refresh.trfc_ns ({} ns = {} tCK) must be shorter than "
                                "dram.refresh.trefi_ns ({} ns = {} tCK at dram.tck_ps {} ps)",
                                o, d.trfc_ns, d.trfc_cycles(), d.trefi_ns, d.trefi_cycles(),
                                d.tck_ps));
}

}  // namespace

void validate_arch_config(const ArchConfig& cfg) {
  const std::string& o = cfg.origin.empty() ? std::string("config") : cfg.origin;
  // Every key's own bounds first: a config built in code (from a SCALE-Sim .cfg, or in a
  // test) reaches the models through here without passing the YAML reader's checks.
  for (const auto& d : arch_param_decls())
    if (d.type == ParamType::integer || d.type == ParamType::real)
      if (auto err = check_param_constraint(d.get(cfg), d.constraint))
        throw UserError(fmt::format("{}: {}: {}", o, d.path, *err));
  if (!cfg.npu.enabled && !cfg.cim.enabled)
    throw UserError(fmt::format("{}: npu.enabled and cim.enabled are both false: nothing can "
                                "compute a MAC", o));
  if (cfg.cim.cols % cfg.cim.cols_per_adc != 0)
    throw UserError(fmt::format("{}: cim.cols_per_adc: {} does not divide cim.cols ({})", o,
                                cfg.cim.cols_per_adc, cfg.cim.cols));
  if (cfg.cim.extra_cols_per_weight == 0 && cfg.cim.cols % cfg.cim.weight_bits != 0)
    throw UserError(fmt::format("{}: precision.weight_bits: {} does not divide cim.cols ({}): a weight "
                                "cannot straddle rows", o, cfg.cim.weight_bits, cfg.cim.cols));
  if (cfg.cim.cols_per_weight() > cfg.cim.cols)
    throw UserError(fmt::format("{}: cim.extra_cols_per_weight: precision.weight_bits + {} = {} columns per "
                                "weight do not fit cim.cols ({})", o, cfg.cim.extra_cols_per_weight,
                                cfg.cim.cols_per_weight(), cfg.cim.cols));
  if (cfg.dram.tras_cycles < cfg.dram.trcd_cycles)
    throw UserError(fmt::format("{}: dram.tras_cycles: {} is shorter than dram.trcd_cycles ({}); "
                                "JEDEC requires tRAS >= tRCD", o, cfg.dram.tras_cycles,
                                cfg.dram.trcd_cycles));
  validate_dram(cfg.dram, o);
}

namespace {

// `chain`: the files being parsed, outermost first, so that a `base:` cycle is an error
// naming the file that closes it rather than endless recursion.
ArchConfig parse_chained(const std::string& yaml_text, const std::string& origin,
                         std::vector<std::string>& chain) {
  const YAML::Node root = load_yaml(yaml_text, origin);
  if (!root || root.IsNull())
    throw UserError(fmt::format("{}: empty config (expected a map of keys such as npu:, cim:)", origin));
  if (!root.IsMap())
    throw UserError(fmt::format("{}: the top level must be a map of keys such as npu:, cim:", origin));
  ArchConfig cfg = default_arch_config();
  try {
    // `base: FILE` (relative to this file): start from that config, fully resolved, and
    // override what this file gives; keys the base gave stay given (its preset does not
    // refill them), so `dram.kind` set here refills only what neither file set.
    if (const YAML::Node base = root["base"]) {
      if (!base.IsScalar() || base.Scalar().empty())
        throw UserError(fmt::format("{}: base: expected the path of an arch config YAML{}", origin,
                                    where(base)));
      const fs::path dir = fs::path(origin).parent_path();
      const fs::path base_path =
          fs::path(base.Scalar()).is_absolute() ? fs::path(base.Scalar()) : dir / base.Scalar();
      const std::string bp = base_path.lexically_normal().string();
      std::error_code ec;
      const fs::path canon = fs::weakly_canonical(base_path, ec);
      const std::string key = ec ? bp : canon.string();
      for (const std::string& c : chain)
        if (c == key)
          throw UserError(fmt::format("{}: base: {} is already a base of this config (a cycle){}",
                                      origin, bp, where(base)));
      if (chain.size() >= 16)
        throw UserError(fmt::format("{}: base: more than 16 configs deep{}", origin, where(base)));
      chain.push_back(key);
      std::string text;
      try {
        text = read_user_file(bp, "a YAML file");
      } catch (const UserError& e) {
        throw UserError(fmt::format("{}: base: {}{}", origin, e.what(), where(base)));
      }
      cfg = parse_chained(text, bp, chain);
      chain.pop_back();
    }
    cfg.origin = origin;
    std::set<std::string> seen;
    walk(root, "", cfg, origin, seen, 0);
  } catch (const YAML::Exception& e) {
    throw UserError(fmt::format("{}: malformed YAML at line {}: {}", origin, e.mark.line + 1, e.msg));
  }
  apply_dram_preset(cfg);
  validate_arch_config(cfg);
  return cfg;
}

}  // namespace

ArchConfig parse_arch_config(const std::string& yaml_text, const std::string& origin) {
  std::vector<std::string> chain;
  std::error_code ec;
  const fs::path canon = fs::weakly_canonical(fs::path(origin), ec);
  chain.push_back(ec ? origin : canon.string());
  return parse_chained(yaml_text, origin, chain);
}

ArchConfig load_arch_config(const std::string& path) {
  return parse_arch_config(read_user_file(path, "a YAML file"), path);
}

void apply_arch_overrides(ArchConfig& cfg, const std::vector<std::string>& key_values) {
  for (const std::string& kv : key_values) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UserError(fmt::format("--set {}: expected KEY=VALUE (e.g. npu.array.rows=64)", kv));
    // The error names the override, not the file it overrides.
    const std::string file = cfg.origin;
    cfg.origin = fmt::format("--set {}", kv);
    set_arch_param(cfg, kv.substr(0, eq), kv.substr(eq + 1));
    cfg.origin = file;
  }
  if (key_values.empty()) return;
  const std::string file = cfg.origin;
  cfg.origin = fmt::format("{} with --set {}", file.empty() ? "defaults" : file,
                           fmt::join(key_values, " --set "));
  validate_arch_config(cfg);
  cfg.origin = file;
}

ArchConfig load_arch_config(const std::string& path, const std::vector<std::string>& key_values) {
  ArchConfig cfg = load_arch_config(path);
  apply_arch_overrides(cfg, key_values);
  return cfg;
}

void set_arch_param(ArchConfig& cfg, const std::string& path, const std::string& value_text) {
  const Decl* d = find_decl(path);
  const std::string origin = cfg.origin.empty() ? std::string("override") : cfg.origin;
  if (!d) {
    const std::string best = suggestion(path);
    throw UserError(fmt::format("{}: {}: unknown key{}", origin, path,
                                best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
  }
  apply_value(cfg, *d, value_text, origin, "");
  cfg.given_keys.insert(path);
  cfg.preset_keys.erase(path);
  if (path == "dram.kind") apply_dram_preset(cfg);
}

std::string show_arch_config(const ArchConfig& cfg) {
  std::string out = fmt::format("# {} — fully resolved (config hash {})\n",
                                cfg.origin.empty() ? "defaults" : cfg.origin, config_hash(cfg));
  std::vector<std::string> open;  // the group path components currently printed
  const DramPreset* preset = find_dram_preset(cfg.dram.kind);
  const std::string preset_name = preset ? preset->kind : cfg.dram.kind;
  for (const auto& d : arch_param_decls()) {
    std::vector<std::string> parts;
    std::stringstream ss(d.path);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common])
      ++common;
    open.resize(common);
    for (size_t k = common; k + 1 < parts.size(); ++k) {
      out += fmt::format("{}{}:\n", std::string(2 * k, ' '), parts[k]);
      open.push_back(parts[k]);
    }
    std::string value = format_param_value(d.get(cfg));
    if (d.type == ParamType::text) value = "\"" + value + "\"";
    const std::string unit = d.unit.empty() ? "" : "[" + d.unit + "] ";
    const std::string from =
        cfg.preset_keys.count(d.path) ? fmt::format("(preset {}) ", preset_name) : "";
    out += fmt::format("{}{}: {}  # {}{}{}\n", std::string(2 * (parts.size() - 1), ' '),
                       parts.back(), value, from, unit, d.description);
  }
  return out;
}

nlohmann::json arch_config_json(const ArchConfig& cfg) {
  nlohmann::json values = nlohmann::json::object(), units = nlohmann::json::object();
  for (const auto& d : arch_param_decls()) {
    nlohmann::json* at = &values;
    std::stringstream ss(d.path);
    std::vector<std::string> parts;
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    for (size_t k = 0; k + 1 < parts.size(); ++k) at = &(*at)[parts[k]];
    std::visit([&](const auto& v) { (*at)[parts.back()] = v; }, d.get(cfg));
    if (!d.unit.empty()) units[d.path] = d.unit;
  }
  return {{"origin", cfg.origin},
          {"config_hash", config_hash(cfg)},
          {"values", std::move(values)},
          {"units", std::move(units)},
          {"from_preset", cfg.preset_keys}};
}

std::string arch_keys_markdown() {
  std::string out =
      "# Arch config keys\n\n"
      "Generated by `h4hsim config keys` from the declaration table in "
      "`sim/config/arch_config.cpp` (the one place a key is declared); a test keeps this "
      "file in sync. Unknown keys are errors that name the YAML path and suggest the closest "
      "key; every value is checked against its type and constraint.\n\n"
      "| key | type | unit | default | constraint | description and source |\n"
      "|---|---|---|---|---|---|\n";
  for (const auto& d : arch_param_decls()) {
    const auto& c = d.constraint;
    std::vector<std::string> rules;
    if (c.positive && !(c.min && *c.min > 0)) rules.push_back("> 0");  // ">= 1" says it
    if (c.non_negative) rules.push_back(">= 0");
    if (c.power_of_two) rules.push_back("power of two");
    if (c.min) rules.push_back(fmt::format(">= {}", *c.min));
    if (c.max) rules.push_back(fmt::format("<= {}", *c.max));
    if (!c.choices.empty()) rules.push_back(fmt::format("one of {}", fmt::join(c.choices, ", ")));
    if (!c.allowed_ints.empty())
      rules.push_back(fmt::format("one of {}", fmt::join(c.allowed_ints, ", ")));
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", d.path, param_type_name(d.type),
                       d.unit, format_param_value(d.default_value), fmt::join(rules, "; "),
                       d.description);
  }
  return out;
}

std::string config_hash(const ArchConfig& cfg) {
  // FNV-1a over "path=value" lines of every declared key except free text: equivalent
  // YAML (other key order, defaults written out) hashes the same.
  uint64_t h = 1469598103934665603ULL;
  for (const auto& d : arch_param_decls()) {
    if (d.path == "name" || d.path == "description") continue;
    const std::string line = d.path + "=" + format_param_value(d.get(cfg)) + "\n";
    for (unsigned char ch : line) {
      h ^= ch;
      h *= 1099511628211ULL;
    }
  }
  return fmt::format("{:016x}", h);
}

}  // namespace h4h
