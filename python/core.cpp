// h4hsim._core: the simulator's library calls for Python, JSON in and JSON out, so a result
// is byte for byte what the CLI prints (`run --json`, `inspect --json`, `config show
// --json`). Every call takes plain arguments and returns JSON text; the Python layer
// (h4hsim/__init__.py) parses it and routes each simulation to this process or to a worker.
//
// One SystemC elaboration per process (docs/architecture.md, decision 1): the first config
// a simulation needs is elaborated here and kept; a call for another config raises
// OtherConfig, and the Python layer sends it to a worker process (h4hsim/_worker.py) that
// holds that config. The GIL is released while simulating; calls into SystemC are
// serialized by a mutex.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "frontend/frontend.h"
#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "frontend/workload_report.h"
#include "nas/estimator.h"
#include "nas/lut.h"
#include "nas/resolve.h"
#include "sim/api/run_request.h"
#include "sim/config/arch_config.h"
#include "sim/engine/system.h"
#include "sim/sweep/results_db.h"

namespace py = pybind11;
using nlohmann::json;

namespace h4h {
namespace {

// A simulation asked this process for a config other than the one it elaborated.
struct OtherConfig : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The process's one elaboration, keyed by config_key().
std::mutex g_system_mutex;
std::unique_ptr<System> g_system;
std::string g_system_key;

// Two configs share an elaboration when they simulate alike (hash) and report alike (name).
std::string config_key(const ArchConfig& cfg) { return config_hash(cfg) + "/" + cfg.name; }

// Call with g_system_mutex held.
System& system_for(const ArchConfig& cfg) {
  const std::string key = config_key(cfg);
  if (!g_system) {
    g_system = std::make_unique<System>(cfg);
    g_system_key = key;
  } else if (g_system_key != key) {
    throw OtherConfig(
        fmt::format("this process simulates config {}; {} needs a worker", g_system_key, key));
  }
  return *g_system;
}

std::string run(const std::string& request_json, bool explain) {
  const RunRequest r = run_request_from_json(json::parse(request_json));
  const PreparedRun p = prepare_run(r);
  std::lock_guard<std::mutex> lock(g_system_mutex);
  const ScheduledRun sr = execute_run(system_for(p.cfg), p);
  return run_result_json(sr, p, explain).dump();
}

std::string inspect(const std::string& model, int64_t batch, int precision_bits,
                    const std::vector<std::string>& inputs) {
  if (batch <= 0) throw UserError(fmt::format("batch must be > 0, got {}", batch));
  if (precision_bits != 8 && precision_bits != 16 && precision_bits != 32)
    throw UserError(fmt::format("precision_bits must be 8, 16 or 32, got {}", precision_bits));
  FrontendOptions fo;
  fo.batch = batch;
  fo.data_inputs = inputs;
  fo.activation_bits = fo.weight_bits = precision_bits;
  return workload_to_json(load_workload(model, fo)).dump();
}

// The arguments every NAS call shares, from a JSON object.
struct NasArgs {
  nas::SearchSpace space;
  ArchConfig cfg;
  SchemaSpec spec;
  nas::Metric metric = nas::Metric::cold;
};

NasArgs nas_args(const json& j) {
  NasArgs a;
  a.space = nas::load_space_arg(j.at("space").get<std::string>());
  a.cfg = load_arch_config(j.at("arch").get<std::string>(),
                           j.value("overrides", std::vector<std::string>{}));
  a.spec = nas::nas_schema(a.cfg, j.value("schema", std::string()));
  a.metric = nas::parse_metric(j.value("inference", std::string("cold")));
  return a;
}

std::string nas_estimate(const std::string& args_json) {
  const json j = json::parse(args_json);
  const NasArgs a = nas_args(j);
  const std::string lut_path = j.at("lut").get<std::string>();
  const nas::LutFile lut = nas::load_lut(lut_path);
  const nas::Estimator est(a.space, nas::require_lut_table(lut, lut_path, a.cfg, a.spec, a.metric));
  json out = json::array();
  for (const auto& text : j.at("subnets").get<std::vector<std::string>>()) {
    const nas::Subnet s = nas::subnet_arg(a.space, text);
    const nas::Estimate e = est.estimate(s);
    out.push_back({{"subnet", nas::encode_subnet(s)},
                   {"latency_ns", e.latency_ns},
                   {"energy_pj", e.energy_pj},
                   {"sum_latency_ns", e.sum_latency_ns},
                   {"sum_energy_pj", e.sum_energy_pj},
                   {"macs", nas::subnet_macs(a.space, s)}});
  }
  return out.dump();
}

// `nas lut`: builds or completes the table in `out`, then fits the correction.
std::string nas_lut(const std::string& args_json) {
  const json j = json::parse(args_json);
  const NasArgs a = nas_args(j);
  const std::string out = j.at("out").get<std::string>();
  const int calibration = j.value("calibration", 8);
  const uint64_t seed = j.value("seed", uint64_t{1});
  if (calibration < 0 || calibration > 10000)
    throw UserError(fmt::format("calibration must be in 0..10000, got {}", calibration));
  if (is_stdout_path(out)) throw UserError("a LUT is completed in place: give a file, not '-'");
  nas::LutFile lut = nas::load_lut(out);
  check_output_writable(out);
  nas::LutTable& table = nas::lut_table(lut, a.cfg, a.spec, a.metric);
  const size_t before = table.entries.size();
  std::lock_guard<std::mutex> lock(g_system_mutex);
  System& sys = system_for(a.cfg);
  const int64_t simulated =
      nas::fill_lut(table, a.space, sys, a.spec, false, [&]() { nas::save_lut(lut, out); });
  const bool refit = simulated > 0 || !table.corrections.count(a.space.name) ||
                     j.contains("calibration") || j.contains("seed");
  if (refit) {
    table.corrections.erase(a.space.name);
    const nas::Estimator raw(a.space, table);
    table.corrections[a.space.name] =
        nas::fit_correction(a.space, raw, sys, a.spec, calibration, seed, false);
    nas::save_lut(lut, out);
  }
  const nas::Correction& c = table.corrections[a.space.name];
  return json{{"path", out},
              {"arch", a.cfg.name},
              {"arch_hash", table.arch_hash},
              {"schema", table.schema},
              {"inference", table.metric},
              {"space", a.space.name},
              {"entries", nas::all_block_instances(a.space).size()},
              {"new_entries", simulated},
              {"existing_entries", before},
              {"correction",
               {{"samples", c.samples},
                {"seed", c.seed},
                {"latency_slope", c.latency_slope},
                {"latency_intercept_ns", c.latency_intercept_ns},
                {"energy_slope", c.energy_slope},
                {"energy_intercept_pj", c.energy_intercept_pj}}}}
      .dump();
}

std::vector<std::string> nas_sample(const std::string& space, int count, uint64_t seed) {
  if (count < 1 || count > 1000000)
    throw UserError(fmt::format("count must be in 1..1000000, got {}", count));
  const nas::SearchSpace sp = nas::load_space_arg(space);
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(nas::encode_subnet(nas::sample_subnet(sp, rng)));
  return out;
}

// A JSON argument of the wrong shape is the caller's mistake, said in one line.
template <typename F>
auto user_json(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const json::exception& e) {
    throw UserError(fmt::format("bad arguments: {}", e.what()));
  }
}

}  // namespace
}  // namespace h4h

PYBIND11_MODULE(_core, m) {
  using namespace h4h;
  // SystemC prints a banner on stdout at its first elaboration unless told not to.
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  m.doc() = "h4hsim's compiled core (use the h4hsim package, not this module)";
  static py::exception<UserError> user_error(m, "UserError", PyExc_ValueError);
  static py::exception<OtherConfig> other_config(m, "OtherConfig", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const UserError& e) {
      user_error(e.what());
    } catch (const OtherConfig& e) {
      other_config(e.what());
    }
  });
  m.attr("version") = H4H_VERSION;
  const auto release = py::call_guard<py::gil_scoped_release>();
  m.def(
      "config_key",
      [](const std::string& path, const std::vector<std::string>& overrides) {
        return config_key(load_arch_config(path, overrides));
      },
      release);
  m.def("elaborated_key", []() -> std::optional<std::string> {
    std::lock_guard<std::mutex> lock(g_system_mutex);
    if (!g_system) return std::nullopt;
    return g_system_key;
  });
  m.def(
      "run",
      [](const std::string& request, bool explain) {
        return user_json([&] { return run(request, explain); });
      },
      release);
  m.def("inspect", &inspect, release);
  m.def(
      "load_arch",
      [](const std::string& path, const std::vector<std::string>& overrides) {
        return arch_config_json(load_arch_config(path, overrides)).dump();
      },
      release);
  m.def(
      "read_sweep",
      [](const std::string& path) { return ResultsDb(path, DbAccess::read).rows_json().dump(); },
      release);
  m.def("nas_sample", &nas_sample, release);
  m.def(
      "nas_estimate",
      [](const std::string& a) { return user_json([&] { return nas_estimate(a); }); }, release);
  m.def(
      "nas_lut", [](const std::string& a) { return user_json([&] { return nas_lut(a); }); },
      release);
}
