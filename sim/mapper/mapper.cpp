#include "sim/mapper/mapper.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <queue>

#include "frontend/file_io.h"
#include "frontend/user_error.h"
#include "frontend/utf8.h"
#include "models/clock.h"
#include "models/npu/pe_precision.h"
#include "models/npu/sram_ports.h"
#include "models/npu/vector_unit.h"
#include "sim/config/param_schema.h"
#include "sim/config/yaml_reader.h"

namespace h4h {
namespace {

bool has_static_weights(const Kernel& k) {
  return k.cls == KernelClass::conv || k.cls == KernelClass::linear;
}

bool is_gemm(const Kernel& k) { return has_static_weights(k) || k.cls == KernelClass::matmul; }

// Saturating: a cost past int64 (a huge kernel on a slow clock) is "never", not a wrapped
// negative number that would win the comparison between units.
int64_t to_ns(int64_t cycles, double clock_mhz) {
  return saturate_to_int64(static_cast<double>(cycles) * 1000.0 / clock_mhz);
}

// The array's time, bounded by its SRAM ports (models/npu/sram_ports.h) as the tile runs it.
OperandBits operand_bits(const Workload& w, const Kernel& k) {
  return {w.activation_bits_of(k), w.weight_bits_of(k)};
}

int64_t npu_estimate_ns(const Kernel& k, const ArchConfig& cfg, OperandBits bits) {
  const FoldPlan plan = plan_gemm(cfg.npu.array, k.gemm.m, k.gemm.k, k.gemm.n);
  const int64_t cycles =
      gemm_array_cycles(cfg.npu, plan, std::max<int64_t>(k.gemm.batch, 1), bits);
  return to_ns(cycles, cfg.npu.clock_mhz);
}

// The macro as this kernel uses it: its weights take weight_bits columns each and its
// inputs stream activation_bits cycles (a quantized model's or a rule's, else the config's).
CimMacroParams at_kernel_bits(CimMacroParams p, const Workload& w, const Kernel& k) {
  p.weight_bits = w.weight_bits_of(k);
  p.input_bits = w.activation_bits_of(k);
  return p;
}

// A macro row holds at least one of the kernel's weights.
bool cim_can_hold(const Workload& w, const Kernel& k, const CimMacroParams& p) {
  return at_kernel_bits(p, w, k).weights_per_row() > 0;
}

CimLayerPlan cim_plan(const Workload& w, const Kernel& k, const CimMacroParams& p, bool resident) {
  return plan_cim_layer(at_kernel_bits(p, w, k), std::max<int64_t>(k.gemm.batch, 1), k.gemm.m,
                        k.gemm.k, k.gemm.n, resident);
}

int64_t cim_estimate_ns(const CimLayerPlan& plan, const ArchConfig& cfg) {
  return to_ns(plan.compute_cycles + plan.program_cycles, cfg.cim.clock_mhz);
}

// MACs on the vector unit: one multiply-add per lane per issue.
int64_t vector_mac_ns(const Kernel& k, const ArchConfig& cfg) {
  return to_ns(vector_cycles(cfg.npu.vector, VectorOpMix{1, 1, 0, 0, 0, 0}, k.macs), cfg.npu.clock_mhz);
}

std::string kernel_label(const Kernel& k) {
  return fmt::format("kernel '{}' ({} {})", k.name, to_string(k.cls), k.op);
}

bool rule_matches(const CustomRule& r, const Kernel& k) {
  if (!r.kernel_class.empty() && r.kernel_class != to_string(k.cls)) return false;
  if (!r.op.empty() && r.op != k.op) return false;
  if (r.name_re && !re2::RE2::FullMatch(k.name, *r.name_re)) return false;
  return true;
}

// RE2's compiled program and DFA caches share this budget; a pattern whose program does not
// fit is refused when it is read, and a match whose DFA outgrows it falls back to RE2's NFA,
// which is still linear in the name's length. 8 MiB is RE2's own default, stated here.
constexpr int64_t kMaxRegexMemBytes = int64_t{8} << 20;

// Rule names are matched with RE2, in time linear in the name and with bounded stack
// (std::regex backtracked: `(a+)+$` took 10 s on a 28-character name, and `.*` overflowed
// the stack on a 30,000-character one). Compiled once, when the rule is read.
std::shared_ptr<const re2::RE2> compile_name_regex(const std::string& pattern,
                                                   const std::string& at) {
  re2::RE2::Options options;
  options.set_log_errors(false);  // the error goes into the UserError, not to stderr
  options.set_max_mem(kMaxRegexMemBytes);
  auto re = std::make_shared<const re2::RE2>(pattern, options);
  if (!re->ok())
    throw UserError(fmt::format("{}.name: not a valid regular expression (RE2 syntax): {}", at,
                                escape_unprintable(re->error(), /*keep_line_breaks=*/false)));
  return re;
}

// Custom rules place GEMM kernels only; the others always run where h4hsim puts them.
const std::vector<KernelClass>& placeable_classes() {
  static const std::vector<KernelClass> classes = {KernelClass::conv, KernelClass::linear,
                                                   KernelClass::matmul};
  return classes;
}

// Every (class, op) of a kernel the rule's class and op admit, before its name pattern.
std::vector<std::pair<KernelClass, std::string>> kinds_matched(const CustomRule& r) {
  std::vector<std::pair<KernelClass, std::string>> kinds;
  for (KernelClass c : placeable_classes()) {
    if (!r.kernel_class.empty() && r.kernel_class != to_string(c)) continue;
    for (const auto& op : gemm_ops_of(c))
      if (r.op.empty() || r.op == op) kinds.emplace_back(c, op);
  }
  return kinds;
}

bool is_placeable_class(const std::string& c) {
  return c == "conv" || c == "linear" || c == "matmul";
}

bool is_gemm_op(const std::string& op) {
  for (KernelClass c : placeable_classes())
    for (const auto& o : gemm_ops_of(c))
      if (o == op) return true;
  return false;
}

void check_class_is_placeable(const CustomRule& r, const std::string& at) {
  if (!r.unit || r.kernel_class.empty() || is_placeable_class(r.kernel_class)) return;
  throw UserError(fmt::format(
      "{}.class: {} kernels always run on {}; custom rules place only conv, linear and matmul "
      "kernels, so this rule's unit can never apply",
      at, r.kernel_class, r.kernel_class == "data_movement" ? "the DMA" : "the vector unit"));
}

void check_op_is_placeable(const CustomRule& r, const std::string& at) {
  // A precision-only rule may name a vector op (Softmax, Add, ...), except under a GEMM
  // class, whose ops are known.
  if (!r.unit && !is_placeable_class(r.kernel_class)) return;
  std::vector<std::string> all_ops;
  for (KernelClass c : placeable_classes())
    for (const auto& op : gemm_ops_of(c))
      if (std::find(all_ops.begin(), all_ops.end(), op) == all_ops.end()) all_ops.push_back(op);
  std::sort(all_ops.begin(), all_ops.end());
  if (!r.op.empty() && std::find(all_ops.begin(), all_ops.end(), r.op) == all_ops.end()) {
    const std::string best = closest_match(r.op, all_ops);
    throw UserError(fmt::format(
        "{}.op: no kernel that custom rules place has the op '{}' (they have: {}){}", at, r.op,
        fmt::join(all_ops, ", "), best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
  }
  if (kinds_matched(r).empty()) {  // a class and an op that no kernel has together
    std::vector<std::string> class_ops;
    CustomRule any_op = r;
    any_op.op.clear();
    for (const auto& kind : kinds_matched(any_op)) class_ops.push_back(kind.second);
    throw UserError(fmt::format("{}: no {} kernel has the op '{}' ({} kernels have: {}), so this "
                                "rule can never apply",
                                at, r.kernel_class, r.op, r.kernel_class, fmt::join(class_ops, ", ")));
  }
}

void check_unit_can_run(const CustomRule& r, const std::string& at) {
  const auto kinds = kinds_matched(r);
  const bool any_static_weight = std::any_of(kinds.begin(), kinds.end(), [](const auto& kind) {
    return kind.first != KernelClass::matmul;
  });
  if (r.unit == Unit::cim && !any_static_weight)
    throw UserError(fmt::format(
        "{}.unit: the {} kernels this rule matches have two dynamic operands, and CIM holds only "
        "static weights, so this rule can never apply",
        at, r.kernel_class.empty() ? r.op : r.kernel_class));
  if (r.weight_bits > 0 && !any_static_weight)
    throw UserError(fmt::format(
        "{}.weight_bits: the {} kernels this rule matches have no static weights, so it can never "
        "apply",
        at, r.kernel_class.empty() ? r.op : r.kernel_class));
}

// The (class, op) kinds a rule's attribute reaches: units place GEMM kernels, weight
// precision reaches kernels with static weights, activation precision every kernel (a vector
// class stands for all its ops, "" when the rule names none).
std::vector<std::pair<std::string, std::string>> kinds_reached(const CustomRule& r,
                                                               const char* attr) {
  std::vector<std::pair<std::string, std::string>> kinds;
  for (const auto& [c, op] : kinds_matched(r))
    if (std::string(attr) != "weight_bits" || c != KernelClass::matmul)
      kinds.emplace_back(to_string(c), op);
  if (std::string(attr) == "activation_bits" && (r.op.empty() || !is_gemm_op(r.op)))
    for (const char* c : {"vector", "pool", "data_movement"})
      if (r.kernel_class.empty() || r.kernel_class == c) kinds.emplace_back(c, r.op);
  return kinds;
}

bool sets(const CustomRule& r, const char* attr) {
  const std::string a = attr;
  return a == "unit"          ? r.unit.has_value()
         : a == "weight_bits" ? r.weight_bits > 0
                              : r.activation_bits > 0;
}

// Shadowed: for everything the rule sets, an earlier rule that sets it too, with the same
// name pattern (or none), admits every (class, op) this one reaches. (Shadowing by several
// earlier rules together is not looked for.)
void check_not_shadowed(const CustomRule& r, const std::vector<CustomRule>& earlier,
                        const std::string& at) {
  std::optional<size_t> first_shadow;
  for (const char* attr : {"unit", "weight_bits", "activation_bits"}) {
    if (!sets(r, attr)) continue;
    const auto kinds = kinds_reached(r, attr);
    std::optional<size_t> by;
    for (size_t j = 0; j < earlier.size() && !by; ++j) {
      const CustomRule& e = earlier[j];
      if (!sets(e, attr) || (!e.name_regex.empty() && e.name_regex != r.name_regex)) continue;
      const bool covers = std::all_of(kinds.begin(), kinds.end(), [&](const auto& kind) {
        return (e.kernel_class.empty() || e.kernel_class == kind.first) &&
               (e.op.empty() || (!kind.second.empty() && e.op == kind.second));
      });
      if (covers) by = j;
    }
    if (!by) return;  // this attribute can apply somewhere
    if (!first_shadow) first_shadow = by;
  }
  if (first_shadow)
    throw UserError(
        fmt::format("{}: can never apply: rules[{}] comes first and matches every "
                    "kernel this rule matches (the first matching rule wins)",
                    at, *first_shadow));
}

// A rule that no kernel can take is the user's mistake (a typo, a wrong class, a rule
// below a broader one), not something to ignore: it is named with the reason.
void check_rule_can_apply(const CustomRule& r, const std::vector<CustomRule>& earlier,
                          const std::string& at) {
  check_class_is_placeable(r, at);
  check_op_is_placeable(r, at);
  check_unit_can_run(r, at);
  check_not_shadowed(r, earlier, at);
}

// The widths precision.* accepts (models/npu/pe_precision.h).
int parse_rule_bits(const std::string& v, const std::string& at) {
  for (int b : {1, 2, 4, 8, 16})
    if (v == std::to_string(b)) return b;
  throw UserError(fmt::format("{}: '{}' is not one of: 1, 2, 4, 8, 16", at, v));
}

Unit parse_unit(const std::string& s, const std::string& at) {
  if (s == "npu") return Unit::npu;
  if (s == "vector") return Unit::vector;
  if (s == "cim") return Unit::cim;
  throw UserError(fmt::format("{}: '{}' is not one of: npu, vector, cim", at, s));
}

// The unit a GEMM kernel gets under the schema (before custom rules).
Unit default_gemm_unit(const Workload& w, const Kernel& k, const ArchConfig& cfg, Schema s,
                       const std::string& arch) {
  if (k.cls == KernelClass::matmul) {
    if (!cfg.npu.enabled)
      throw UserError(fmt::format(
          "{}: {} has two dynamic operands, so it cannot be stored in a CIM macro, and {} has "
          "no systolic array (npu.enabled: false); a custom schema can place it on the vector "
          "unit",
          arch, kernel_label(k), arch));
    return Unit::npu;
  }
  switch (s) {
    case Schema::npu_only:
      if (!cfg.npu.enabled)
        throw UserError(fmt::format("{}: schema npu_only needs the systolic array, but "
                                    "npu.enabled is false ({} cannot run)", arch, kernel_label(k)));
      return Unit::npu;
    case Schema::cim_static:
    case Schema::hetero_parallel:
    case Schema::custom:
      if (!cfg.cim.enabled) {
        if (s == Schema::custom && cfg.npu.enabled) return Unit::npu;
        throw UserError(fmt::format("{}: schema {} puts static-weight kernels on CIM, but "
                                    "cim.enabled is false; use npu_only", arch, to_string(s)));
      }
      return Unit::cim;
    case Schema::auto_select: {
      if (!cfg.cim.enabled) return Unit::npu;
      if (!cfg.npu.enabled) return Unit::cim;
      const CimMacroParams& cim = cfg.cim;
      if (!cim_can_hold(w, k, cim)) return Unit::npu;
      const CimLayerPlan p = cim_plan(w, k, cim, false);
      return cim_estimate_ns(p, cfg) < npu_estimate_ns(k, cfg, operand_bits(w, k)) ? Unit::cim
                                                                                   : Unit::npu;
    }
  }
  return Unit::npu;
}

}  // namespace

const char* to_string(Unit u) {
  switch (u) {
    case Unit::npu: return "npu";
    case Unit::vector: return "vector";
    case Unit::cim: return "cim";
    case Unit::dma: return "dma";
    case Unit::none: return "none";
  }
  return "?";
}

const char* to_string(Schema s) {
  switch (s) {
    case Schema::npu_only: return "npu_only";
    case Schema::cim_static: return "cim_static";
    case Schema::hetero_parallel: return "hetero_parallel";
    case Schema::auto_select: return "auto";
    case Schema::custom: return "custom";
  }
  return "?";
}

Schema parse_schema(const std::string& name) {
  for (Schema s : {Schema::npu_only, Schema::cim_static, Schema::hetero_parallel,
                   Schema::auto_select, Schema::custom})
    if (name == to_string(s)) return s;
  const std::string best =
      closest_match(name, {"npu_only", "cim_static", "hetero_parallel", "auto", "custom"});
  throw UserError(fmt::format("--schema: '{}' is not one of: npu_only, cim_static, "
                              "hetero_parallel, auto, custom{}",
                              name, best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best)));
}

Schema effective_schema(Schema s, const ArchConfig& cfg) {
  if (s != Schema::auto_select || (cfg.npu.enabled && cfg.cim.enabled)) return s;
  return cfg.npu.enabled ? Schema::npu_only : Schema::cim_static;
}

std::string default_schema_for(const ArchConfig& cfg) {
  // With both units, the schedule that chooses per kernel: it is at least as fast as every
  // fixed schema on the bundled networks, where hetero_parallel (CIM for every static
  // weight) was the slowest (README, "Schemas").
  return cfg.npu.enabled && cfg.cim.enabled ? "auto" : cfg.cim.enabled ? "cim_static" : "npu_only";
}

SchemaSpec parse_custom_schema(const std::string& yaml_text, const std::string& origin) {
  const YAML::Node root = load_yaml(yaml_text, origin);
  if (!root.IsMap() || !root["rules"] || !root["rules"].IsSequence())
    throw UserError(fmt::format("{}: a custom schema is a map with a list 'rules:' of "
                                "{{class|op|name: ..., unit: npu|vector|cim}}", origin));
  SchemaSpec spec;
  spec.schema = Schema::custom;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (key == "rules") continue;
    if (key == "parallel") {
      const std::string v = it->second.IsScalar() ? it->second.Scalar() : "";
      if (v != "true" && v != "false")
        throw UserError(fmt::format("{}: parallel: expected true or false, got '{}'", origin, v));
      spec.parallel = v == "true";
      continue;
    }
    const std::string best = closest_match(key, {"rules", "parallel"});
    throw UserError(fmt::format("{}: {}: unknown key{}", origin, key,
                                best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
  }
  const YAML::Node rules = root["rules"];
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string at = fmt::format("{}: rules[{}]", origin, i);
    if (!rules[i].IsMap()) throw UserError(at + ": expected a map");
    CustomRule r;
    for (auto it = rules[i].begin(); it != rules[i].end(); ++it) {
      const std::string key = it->first.Scalar();
      if (!it->second.IsScalar())
        throw UserError(fmt::format("{}.{}: expected a scalar", at, key));
      const std::string v = it->second.Scalar();
      if (key == "class") {
        static const std::vector<std::string> classes = {"conv", "linear", "matmul", "vector",
                                                         "pool", "data_movement"};
        if (std::find(classes.begin(), classes.end(), v) == classes.end())
          throw UserError(fmt::format("{}.class: '{}' is not one of: conv, linear, matmul, "
                                      "vector, pool, data_movement", at, v));
        r.kernel_class = v;
      } else if (key == "op") {
        r.op = v;
      } else if (key == "name") {
        if (!v.empty()) r.name_re = compile_name_regex(v, at);  // "" = any name, as before
        r.name_regex = v;
      } else if (key == "unit") {
        r.unit = parse_unit(v, at + ".unit");
      } else if (key == "weight_bits" || key == "activation_bits") {
        (key == "weight_bits" ? r.weight_bits : r.activation_bits) =
            parse_rule_bits(v, at + "." + key);
      } else {
        const std::string best =
            closest_match(key, {"class", "op", "name", "unit", "weight_bits", "activation_bits"});
        throw UserError(fmt::format("{}.{}: unknown key{}", at, key,
                                    best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
      }
    }
    if (!r.unit && r.weight_bits == 0 && r.activation_bits == 0)
      throw UserError(at + ": sets nothing: give a 'unit', 'weight_bits' or 'activation_bits'");
    check_rule_can_apply(r, spec.rules, at);
    spec.rules.push_back(r);
  }
  return spec;
}

SchemaSpec load_custom_schema(const std::string& path) {
  return parse_custom_schema(read_user_file(path, "a YAML file"), path);
}

bool npu_can_run(const Kernel& k, const ArchConfig& cfg) { return cfg.npu.enabled && is_gemm(k); }

bool cim_can_run(const Workload& w, const Kernel& k, const ArchConfig& cfg) {
  return cfg.cim.enabled && has_static_weights(k) && cim_can_hold(w, k, cfg.cim);
}

UnitEstimate estimate_units(const Workload& w, const Kernel& k, const ArchConfig& cfg) {
  UnitEstimate e;
  if (k.cls == KernelClass::data_movement) return e;
  if (!is_gemm(k)) {
    e.vector_ns = static_cast<double>(to_ns(
        vector_cycles(cfg.npu.vector, vector_op_mix(k.op), std::max<int64_t>(k.vector_ops, 0)),
        cfg.npu.clock_mhz));
    return e;
  }
  const double macs = static_cast<double>(k.macs);
  if (npu_can_run(k, cfg)) {
    e.npu_ns = static_cast<double>(npu_estimate_ns(k, cfg, operand_bits(w, k)));
    e.npu_pj = macs * cfg.energy.npu_mac_pj *
               int_mac_energy_scale(w.activation_bits_of(k), w.weight_bits_of(k));
  }
  if (cim_can_run(w, k, cfg)) {
    const CimLayerPlan p = cim_plan(w, k, cfg.cim, false);
    e.cim_ns = static_cast<double>(cim_estimate_ns(p, cfg)) +
               static_cast<double>(w.weight_bytes(k)) / cfg.dram.peak_bytes_per_ns();
    e.cim_pj = macs * cfg.energy.cim_mac_pj *
                   cim_mac_energy_scale(w.activation_bits_of(k), w.weight_bits_of(k)) +
               static_cast<double>(p.adc_conversions) * cfg.energy.adc_conversion_pj +
               static_cast<double>(p.weight_write_bits) * cfg.energy.cim_weight_write_pj_per_bit;
  }
  if (e.npu_ns < 0 && e.cim_ns < 0) e.vector_ns = static_cast<double>(vector_mac_ns(k, cfg));
  return e;
}

std::vector<Unit> list_schedule_units(const Workload& w, const ArchConfig& cfg) {
  const size_t n = w.kernels.size();
  enum { kNpu, kCim, kVector, kUnits };
  // Each kernel's cost on each unit it can use (-1: cannot).
  std::vector<std::array<double, kUnits>> cost(n, {-1.0, -1.0, -1.0});
  for (size_t i = 0; i < n; ++i) {  // data movement: the DMA, beside everything (no cost)
    const UnitEstimate e = estimate_units(w, w.kernels[i], cfg);
    cost[i] = {e.npu_ns, e.cim_ns, e.vector_ns};
  }
  auto mean_cost = [&](size_t i) {
    double sum = 0;
    int m = 0;
    for (double c : cost[i])
      if (c >= 0) sum += c, ++m;
    return m ? sum / m : 0.0;
  };
  std::vector<std::vector<size_t>> successors(n);
  for (size_t i = 0; i < n; ++i)
    for (int p : w.kernels[i].producers) successors[static_cast<size_t>(p)].push_back(i);
  // Upward rank, in reverse topological order (kernels are topologically sorted).
  std::vector<double> rank(n, 0.0);
  for (size_t i = n; i-- > 0;) {
    double after = 0;
    for (size_t s : successors[i]) after = std::max(after, rank[s]);
    rank[i] = mean_cost(i) + after;
  }
  std::vector<int> waiting(n, 0);
  for (size_t i = 0; i < n; ++i) waiting[i] = static_cast<int>(w.kernels[i].producers.size());
  // Ready kernels, highest rank first (lowest index on ties: deterministic).
  auto later = [&](size_t a, size_t b) { return rank[a] != rank[b] ? rank[a] < rank[b] : a > b; };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(later);
  for (size_t i = 0; i < n; ++i)
    if (waiting[i] == 0) ready.push(i);
  std::array<double, kUnits> free_at{0.0, 0.0, 0.0};
  std::vector<double> finish(n, 0.0);
  std::vector<Unit> units(n, Unit::none);
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    double inputs_ready = 0;
    for (int p : w.kernels[i].producers)
      inputs_ready = std::max(inputs_ready, finish[static_cast<size_t>(p)]);
    int best = -1;
    double best_finish = 0;
    for (int u = 0; u < kUnits; ++u) {
      if (cost[i][u] < 0) continue;
      const double f = std::max(inputs_ready, free_at[u]) + cost[i][u];
      if (best < 0 || f < best_finish) best = u, best_finish = f;
    }
    if (best < 0) {
      finish[i] = inputs_ready;  // data movement
    } else {
      finish[i] = best_finish;
      free_at[best] = best_finish;
      if (cost[i][kNpu] >= 0 && cost[i][kCim] >= 0) units[i] = best == kNpu ? Unit::npu : Unit::cim;
    }
    for (size_t s : successors[i])
      if (--waiting[s] == 0) ready.push(s);
  }
  return units;
}

Workload apply_precision_rules(Workload w, const SchemaSpec& spec) {
  if (spec.schema != Schema::custom) return w;
  for (Kernel& k : w.kernels) {
    const CustomRule* weights = nullptr;
    const CustomRule* activations = nullptr;
    for (const auto& r : spec.rules) {
      if ((weights || r.weight_bits == 0) && (activations || r.activation_bits == 0)) continue;
      if (!rule_matches(r, k)) continue;
      if (!weights && r.weight_bits > 0) weights = &r;
      if (!activations && r.activation_bits > 0) activations = &r;
    }
    if (weights && has_static_weights(k)) k.weight_bits = weights->weight_bits;
    if (activations) {
      k.activation_bits = activations->activation_bits;
      for (int t : k.outputs) w.tensors[static_cast<size_t>(t)].bits = k.activation_bits;
    }
  }
  return w;
}

Workload at_precision(Workload w, const ArchConfig& cfg) {
  w.activation_bits = activation_bits(cfg);
  w.weight_bits = weight_bits(cfg);
  return w;
}

void check_precision(const Workload& w, const ArchConfig& cfg) {
  if (w.activation_bits != activation_bits(cfg) || w.weight_bits != weight_bits(cfg))
    throw std::logic_error(fmt::format("workload {} is at {}-bit activations / {}-bit weights, its config at {} / {}: "
                                       "pass it through at_precision first",
                                       w.model, w.activation_bits, w.weight_bits, activation_bits(cfg),
                                       weight_bits(cfg)));
}

Mapping map_workload(const Workload& w, const ArchConfig& cfg, const SchemaSpec& spec) {
  check_precision(w, cfg);
  const std::string arch = cfg.origin.empty() ? cfg.name : cfg.origin;
  Mapping m;
  m.spec = spec;
  m.kernels.resize(w.kernels.size());

  // 1. A unit per kernel.
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const Kernel& k = w.kernels[i];
    KernelMapping& km = m.kernels[i];
    if (k.cls == KernelClass::data_movement) {
      km.unit = k.is_copy ? Unit::dma : Unit::none;
      continue;
    }
    if (!is_gemm(k)) {
      km.unit = Unit::vector;
      continue;
    }
    const CustomRule* rule = nullptr;
    if (spec.schema == Schema::custom)
      for (const auto& r : spec.rules)
        if (r.unit && rule_matches(r, k)) {
          rule = &r;
          break;
        }
    if (rule) {
      if (rule->unit == Unit::cim && !has_static_weights(k))
        throw UserError(fmt::format("{}: a custom rule puts {} on CIM, but its operands are "
                                    "both dynamic: CIM holds only static weights", arch,
                                    kernel_label(k)));
      if (rule->unit == Unit::cim && !cfg.cim.enabled)
        throw UserError(fmt::format("{}: a custom rule puts {} on CIM, but cim.enabled is false",
                                    arch, kernel_label(k)));
      if (rule->unit == Unit::npu && !cfg.npu.enabled)
        throw UserError(fmt::format("{}: a custom rule puts {} on the systolic array, but "
                                    "npu.enabled is false", arch, kernel_label(k)));
      km.unit = *rule->unit;
    } else if (spec.schema == Schema::auto_select && i < spec.assignment.size() &&
               ((spec.assignment[i] == Unit::npu && npu_can_run(k, cfg)) ||
                (spec.assignment[i] == Unit::cim && cim_can_run(w, k, cfg)))) {
      km.unit = spec.assignment[i];
    } else {
      km.unit = default_gemm_unit(w, k, cfg, spec.schema, arch);
    }
    if (km.unit == Unit::cim && !cim_can_hold(w, k, cfg.cim))
      throw UserError(
          fmt::format("{}: {} goes to CIM, but its {}-bit weights take {} columns and a macro row "
                      "has {} (cim.cols)",
                      arch, kernel_label(k), w.weight_bits_of(k),
                      w.weight_bits_of(k) + cfg.cim.extra_cols_per_weight, cfg.cim.cols));
  }

  // 2. CIM residency. Pin layers (in network order) whose tiles fit while at least
  // `reserve` macros stay free as scratch for the layers reprogrammed every run; choose the
  // reserve that minimizes the estimated time of a cold plus a warm inference. With more
  // macros, the same pins plus a larger scratch are among the candidates, so the estimate
  // never gets worse as macros are added.
  const CimMacroParams all = static_cast<const CimMacroParams&>(cfg.cim);
  std::vector<size_t> cim_kernels;
  for (size_t i = 0; i < w.kernels.size(); ++i)
    if (m.kernels[i].unit == Unit::cim) cim_kernels.push_back(i);
  const int64_t total_macros = cfg.cim.enabled ? all.macro_count : 0;
  const double dram_bytes_per_ns = cfg.dram.peak_bytes_per_ns();
  auto layer_ns = [&](const Kernel& k, const CimLayerPlan& p, bool programmed) {
    double t = (p.compute_cycles + (programmed ? p.program_cycles : 0)) * 1000.0 / cfg.cim.clock_mhz;
    if (programmed) t += static_cast<double>(w.weight_bytes(k)) / dram_bytes_per_ns;
    return t;
  };
  auto pins_for = [&](int64_t reserve) {
    std::vector<char> pinned(w.kernels.size(), 0);
    int64_t free_macros = total_macros;
    for (size_t i : cim_kernels) {
      const CimLayerPlan p = cim_plan(w, w.kernels[i], all, false);
      if (p.fits && free_macros - p.tiles >= reserve) {
        pinned[i] = 1;
        free_macros -= p.tiles;
      }
    }
    return std::make_pair(pinned, free_macros);
  };
  auto estimate = [&](const std::vector<char>& pinned, int64_t scratch) {
    CimMacroParams sp = all;
    sp.macro_count = std::max<int64_t>(scratch, 1);
    double t = 0;
    for (size_t i : cim_kernels) {
      const Kernel& k = w.kernels[i];
      if (pinned[i]) {
        const CimLayerPlan p = cim_plan(w, k, all, false);
        t += layer_ns(k, p, true) + layer_ns(k, p, false);   // cold, then warm
      } else {
        const CimLayerPlan p = cim_plan(w, k, sp, false);
        t += 2 * layer_ns(k, p, true);                        // programmed every run
      }
    }
    return t;
  };
  std::vector<char> best_pins(w.kernels.size(), 0);
  int64_t best_scratch = total_macros;
  if (!cim_kernels.empty() && total_macros > 0) {
    double best = -1;
    for (int64_t reserve = total_macros; reserve >= 0; --reserve) {
      auto [pins, scratch] = pins_for(reserve);
      bool any_unpinned = false;
      for (size_t i : cim_kernels) any_unpinned |= !pins[i];
      if (any_unpinned && scratch == 0) continue;  // a reprogrammed layer needs a macro
      const double t = estimate(pins, scratch);
      if (best < 0 || t < best - 1e-9) {
        best = t;
        best_pins = pins;
        best_scratch = scratch;
      }
    }
  }
  int64_t next_macro = 0;
  for (size_t i : cim_kernels) {
    if (!best_pins[i]) continue;
    KernelMapping& km = m.kernels[i];
    km.cim_resident = true;
    km.cim = cim_plan(w, w.kernels[i], all, false);
    for (int64_t t = 0; t < km.cim.tiles; ++t) km.macros.push_back(next_macro++);
    // Pinned to exactly its tiles: one round, cold or warm.
    CimMacroParams own = all;
    own.macro_count = static_cast<int64_t>(km.macros.size());
    km.cim_macro_count = own.macro_count;
    km.cim = cim_plan(w, w.kernels[i], own, false);
    km.cim_warm = cim_plan(w, w.kernels[i], own, true);
  }
  m.resident_macros = next_macro;
  m.scratch_macros = best_scratch;
  CimMacroParams scratch = all;
  scratch.macro_count = std::max<int64_t>(best_scratch, 1);
  for (size_t i : cim_kernels) {
    if (best_pins[i]) continue;
    KernelMapping& km = m.kernels[i];
    km.cim = cim_plan(w, w.kernels[i], scratch, false);
    km.cim_macro_count = scratch.macro_count;
    for (int64_t t = 0; t < std::min(km.cim.tiles, scratch.macro_count); ++t)
      km.macros.push_back(next_macro + t);
  }

  // 3. Fold plans and compute-only estimates.
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    const Kernel& k = w.kernels[i];
    KernelMapping& km = m.kernels[i];
    if (km.unit == Unit::npu) {
      km.npu_groups = std::max<int64_t>(k.gemm.batch, 1);
      km.npu = plan_gemm(cfg.npu.array, k.gemm.m, k.gemm.k, k.gemm.n);
      km.estimated_ns = npu_estimate_ns(k, cfg, operand_bits(w, k));
    } else if (km.unit == Unit::cim) {
      km.estimated_ns = cim_estimate_ns(km.cim, cfg);
    } else if (km.unit == Unit::vector && is_gemm(k)) {
      km.estimated_ns = vector_mac_ns(k, cfg);
    }
  }
  return m;
}

}  // namespace h4h
