// The knob audit: every declared arch-config key, perturbed from the hetero preset, changes
// some output of a reference run chosen to exercise it (latency, energy and its breakdown,
// DRAM traffic, area, static power, any kernel's numbers) — or it is not a key. A key that
// changes nothing is the DRAMsim3 REFI mistake the style guide warns about.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/config/arch_config.h"
#include "sim/engine/subprocess.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/report.h"

namespace h4h {
namespace {

// Labels, not hardware: they never change a result, by design.
const std::set<std::string> kLabels = {"name", "description"};

// What the reference run exercises for a key: the network, the schema and what the base
// needs for the key to bind. MaxViT-T has convs (dense, depthwise, squeeze-excite),
// attention, softmax, LayerNorm and GELU, two inferences (cold, then warm CIM weights);
// CIM keys run under hetero_parallel (every static-weight layer on CIM); a chip without
// its NPU runs a CNN; tFAW binds with many activations per byte (small rows, as random
// traffic has) and arbitration with a contended bus.
struct Reference {
  std::string network, schema;
  std::vector<std::pair<std::string, std::string>> base;
  int inferences = 2;
  std::string id() const {
    std::string s = network + "/" + schema;
    for (const auto& [k, v] : base) s += "/" + k + "=" + v;
    return s;
  }
};
Reference reference_for(const std::string& key) {
  if (key == "npu.enabled") return {"mobilenet_v2_op17", "auto", {}};
  if (key == "cim.enabled") return {"maxvit_t_op17", "auto", {}};
  if (key == "dram.tfaw_cycles") return {"maxvit_t_op17", "auto", {{"dram.row_bytes", "256"}}};
  // The per-tCK controller costs ~20x the closed form: one schema, a small CNN.
  if (key == "dram.controller.model") return {"mobilenet_v2_op17", "npu_only", {}, 1};
  if (key == "bus.arbitration")
    return {"maxvit_t_op17", "hetero_parallel", {{"bus.width_bytes", "4"}}};
  if (key.rfind("cim.", 0) == 0 || key.find("cim_") != std::string::npos)
    return {"maxvit_t_op17", "hetero_parallel", {}};
  return {"maxvit_t_op17", "auto", {}};
}

// Another legal value for the key, or "" when none can be made.
std::vector<std::string> perturbations(const ParamDecl<ArchConfig>& d, const ArchConfig& cfg) {
  const ParamValue v = d.get(cfg);
  const auto& c = d.constraint;
  std::vector<std::string> out;
  switch (d.type) {
    case ParamType::boolean:
      out.push_back(std::get<bool>(v) ? "false" : "true");
      break;
    case ParamType::choice:
      for (const auto& ch : c.choices)
        if (ch != std::get<std::string>(v)) out.push_back(ch);
      break;
    case ParamType::integer: {
      const int64_t x = std::get<int64_t>(v);
      if (!c.allowed_ints.empty()) {
        for (int64_t a : c.allowed_ints)
          if (a != x) out.push_back(std::to_string(a));
      } else {
        out.push_back(std::to_string(x == 0 ? 1 : 2 * x));
        if (x > 1) out.push_back(std::to_string(x / 2));
        if (x > 2) out.push_back("1");
        if (x == 0) out.push_back("8");
        if (x > 0) out.push_back(std::to_string(16 * x));
      }
      break;
    }
    case ParamType::real: {
      const double x = std::get<double>(v);
      if (x == 0)
        out.push_back("1");
      else {
        out.push_back(fmt::format("{}", x * 1.5));
        out.push_back(fmt::format("{}", x / 2));
      }
      break;
    }
    case ParamType::text:
      break;
  }
  return out;
}

// The run's results without what names the config (its hash moves with every key).
std::string results_of(const ArchConfig& cfg, const Workload& loaded, const Reference& ref) {
  const Workload w = at_precision(loaded, cfg);
  // Under fork: the child has its own SystemC kernel.
  return run_in_subprocess([&]() {
    SchemaSpec spec;
    spec.schema = parse_schema(ref.schema);
    const Mapping m = map_workload(w, cfg, spec);
    System sys(cfg);
    RunOptions ro;
    ro.inferences = ref.inferences;
    nlohmann::json j = run_to_json(sys.run(w, m, ro), w);
    j.erase("arch_hash");
    j.erase("arch");
    return j.dump();
  });
}

TEST(KnobAudit, EveryKeyChangesSomeOutputOfItsReferenceRun) {
  const ArchConfig hetero =
      load_arch_config(std::string(H4H_SOURCE_DIR) + "/arch_configs/hetero.yaml");
  std::map<std::string, Workload> networks;
  std::map<std::string, std::string> base_results;
  std::vector<std::string> dead;
  int audited = 0;
  for (const auto& d : arch_param_decls()) {
    if (kLabels.count(d.path)) continue;
    const Reference ref = reference_for(d.path);
    if (!networks.count(ref.network))
      networks[ref.network] = load_workload(
          std::string(H4H_SOURCE_DIR) + "/tests/data/onnx/" + ref.network + ".onnx", {});
    const Workload& w = networks[ref.network];
    ArchConfig base = hetero;
    for (const auto& [k, v] : ref.base) set_arch_param(base, k, v);
    const std::string key = ref.id();
    if (!base_results.count(key)) base_results[key] = results_of(base, w, ref);
    bool moved = false, any_legal = false;
    for (const std::string& value : perturbations(d, base)) {
      ArchConfig cfg = base;
      try {
        set_arch_param(cfg, d.path, value);
        validate_arch_config(cfg);
        (void)map_workload(at_precision(w, cfg), cfg,
                           SchemaSpec{parse_schema(ref.schema), {}, false, {}, false});
      } catch (const UserError&) {
        continue;  // not a legal perturbation on this base: try the next
      }
      any_legal = true;
      if (results_of(cfg, w, ref) != base_results[key]) {
        moved = true;
        break;
      }
    }
    ++audited;
    if (!moved) dead.push_back(d.path + (any_legal ? "" : " (no legal perturbation)"));
  }
  RecordProperty("keys_audited", audited);
  EXPECT_TRUE(dead.empty()) << "keys that change nothing: "
                            << fmt::format("{}", fmt::join(dead, ", "));
}

}  // namespace
}  // namespace h4h
