#pragma once
// Mapper: which unit runs each kernel under an execution schema, how a kernel folds onto
// it, and which CIM macros keep which layer's weights resident across inferences.
//
// Schemas (../shared/docs/architecture.md):
//   npu_only         every GEMM on the systolic array (the baseline)
//   cim_static       static-weight kernels (conv, linear) on CIM; attention matmuls (two
//                    dynamic operands) on the array; vector work on the vector unit
//   hetero_parallel  the mapping of cim_static; the engine runs NPU and CIM concurrently
//   auto             a searched schedule: per static-weight kernel the unit, units overlapping
//                    (sim/engine/schedule_search.h); alone, per kernel the unit with the
//                    lower estimated time
//   custom           rules from YAML (by class, op or name), else as cim_static
// Units: the vector unit and the DMA always exist; views (reshape, ...) cost nothing.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frontend/workload.h"
#include "models/cim/cim_macro.h"
#include "models/npu/systolic_timing.h"
#include "sim/config/arch_config.h"

namespace re2 {
class RE2;
}

namespace h4h {

enum class Unit { npu, vector, cim, dma, none };
const char* to_string(Unit u);

enum class Schema { npu_only, cim_static, hetero_parallel, auto_select, custom };
const char* to_string(Schema s);
Schema parse_schema(const std::string& name);  // UserError listing the known names
// What a schema means on `cfg`: `auto` with one GEMM unit has nothing to choose and is that
// unit's fixed schema (npu_only, or cim_static with CIM alone), so it runs, reports and is
// keyed (NAS tables) exactly as that schema. Every other schema is itself.
Schema effective_schema(Schema s, const ArchConfig& cfg);
// The schema a run uses when none is named (run, compare, nas, a sweep spec without
// `schemas`): auto with both units, else the one unit's schema.
std::string default_schema_for(const ArchConfig& cfg);

// One rule of a custom schema. A rule places GEMM kernels on a unit (vector and pool
// kernels always run on the vector unit, data movement on the DMA), sets the precision of
// the kernels it matches, or both. Each of the three is taken from the first matching rule
// that sets it: `{name: "stem.*", weight_bits: 8}` before `{class: conv, unit: cim}` changes
// the stem's precision and leaves its placement to the second rule.
struct CustomRule {
  std::string kernel_class;  // "" = any; conv|linear|matmul, or vector|pool|data_movement
                             // for a precision-only rule
  std::string op;            // "" = any; for a rule with a unit, one of gemm_ops_of(class)
  std::string name_regex;    // "" = any; RE2 syntax, full match
  std::shared_ptr<const re2::RE2> name_re;  // name_regex compiled once, when the rule is read
  std::optional<Unit> unit;                 // unset: placed by a later rule or the schema's default
  int weight_bits = 0;      // 0 = unset; else 1, 2, 4, 8 or 16 (static weights only)
  int activation_bits = 0;  // 0 = unset; inputs, outputs and the tensors it writes
};

struct SchemaSpec {
  Schema schema = Schema::hetero_parallel;
  std::vector<CustomRule> rules;  // custom only
  bool parallel = false;          // custom only: run units concurrently, as hetero_parallel
  // auto only: a unit per kernel (Unit::none: the per-kernel estimate decides), as the
  // schedule search (sim/engine/schedule_search.h) tries them; empty = every kernel by
  // estimate. Honoured where the unit can run the kernel.
  std::vector<Unit> assignment;
  bool serial = false;  // auto only: run in order (a candidate of the search)

  bool concurrent() const {
    return schema == Schema::hetero_parallel || (schema == Schema::auto_select && !serial) ||
           (schema == Schema::custom && parallel);
  }
};

// Reads a custom schema: `rules: [{class: matmul, unit: vector}, {name: "fc.*", unit: npu}]`
// and optionally `parallel: true` (units overlap where the DAG allows). A rule that can never
// apply (a class custom rules do not place, an op no kernel of its class has, a matmul on
// CIM, a rule an earlier one shadows) is a UserError naming the file and the rule. Names
// are matched by RE2, in time linear in the name's length.
SchemaSpec load_custom_schema(const std::string& path);
SchemaSpec parse_custom_schema(const std::string& yaml_text, const std::string& origin);

// The workload with the custom rules' precisions applied (a no-op for the named schemas):
// each kernel takes weight_bits / activation_bits from the first matching rule that sets
// them, and the tensors it writes are stored at its activation precision. Apply after
// at_precision; the rules win over a quantized model's own precisions.
Workload apply_precision_rules(Workload w, const SchemaSpec& spec);

struct KernelMapping {
  Unit unit = Unit::none;
  // Which instance of `unit` (an NPU tile, a CIM cluster, ...). Every config has one of each
  // today; the index is carried end to end so that a second tile or cluster is a config
  // change, not a rewrite of the mapping, the engine and the reports.
  int unit_instance = 0;
  FoldPlan npu;                 // when on the array (per group)
  int64_t npu_groups = 1;
  CimLayerPlan cim;             // when on CIM (cold: with weight programming)
  CimLayerPlan cim_warm;        // when resident: a later inference, weights already there
  int64_t cim_macro_count = 0;  // macros the layer may use per round (its plans' macro count)
  bool cim_resident = false;    // weights pinned in macros across inferences
  std::vector<int64_t> macros;  // macros holding its weights (resident) or used in rounds
  int64_t estimated_ns = 0;     // compute-only estimate on the chosen unit
};

struct Mapping {
  SchemaSpec spec;
  std::vector<KernelMapping> kernels;  // parallel to Workload::kernels
  int64_t resident_macros = 0;         // macros pinned to one layer's weights
  int64_t scratch_macros = 0;          // macros left for layers reprogrammed each run
};


// The workload at the config's precision (precision.*): the defaults of every tensor and
// kernel that does not carry its own (a quantized model's do). map_workload and System::run
// refuse a workload whose defaults differ from its config's, so no caller can forget this.
Workload at_precision(Workload w, const ArchConfig& cfg);
// std::logic_error unless `w` is at `cfg`'s precision.
void check_precision(const Workload& w, const ArchConfig& cfg);

// UserError when a kernel has no unit that can run it (naming the kernel and why).
Mapping map_workload(const Workload& w, const ArchConfig& cfg, const SchemaSpec& spec);

// Which units can run each kernel: its static weights fit a CIM macro row, and the units
// exist. (Matmuls and vector work have one place.)
bool npu_can_run(const Kernel& k, const ArchConfig& cfg);
bool cim_can_run(const Workload& w, const Kernel& k, const ArchConfig& cfg);

// What a kernel would cost on each unit that can run it, as the mapper estimates it
// (compute only, cold: CIM includes programming its weights and fetching them at DRAM
// peak; energy is the MACs' and, on CIM, the ADC conversions' and weight writes'). -1: the
// unit cannot run it. `run --explain` prints these beside what the engine measured.
struct UnitEstimate {
  double npu_ns = -1, cim_ns = -1, vector_ns = -1;
  double npu_pj = -1, cim_pj = -1;
};
UnitEstimate estimate_units(const Workload& w, const Kernel& k, const ArchConfig& cfg);

// A list schedule of the kernel DAG on the NPU array, the CIM cluster and the vector unit
// (HEFT, Topcuoglu et al., TPDS 2002): kernels in order of upward rank (their mean cost plus
// the longest path after them), each static-weight kernel on the unit where it would finish
// first given what that unit is already busy with. Unlike the per-kernel estimate it sends
// a kernel to the slower unit when the faster one is taken, so independent branches
// overlap. Costs are the mapper's compute estimates plus, on CIM, programming and fetching
// the weights; memory contention is left to the engine, which judges the result. Returns a
// unit per kernel (Unit::none where there is no choice).
std::vector<Unit> list_schedule_units(const Workload& w, const ArchConfig& cfg);

}  // namespace h4h
