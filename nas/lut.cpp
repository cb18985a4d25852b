#include "nas/lut.h"

#include <chrono>
#include <fstream>
#include <sys/stat.h>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/output_file.h"
#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "nas/onnx_builder.h"
#include "sim/engine/system.h"
#include "sim/report/progress.h"
#include "sim/engine/chip_area.h"

namespace h4h::nas {

namespace {

constexpr const char* kFormat = "h4hsim-lut-2";  // -2: inference metric, residency data

nlohmann::json energy_to_json(const EnergyBreakdown& e) {
  nlohmann::json j;
  for (const auto& [name, member] : kEnergyParts) j[name] = e.*member;
  return j;
}

EnergyBreakdown energy_from_json(const nlohmann::json& j) {
  EnergyBreakdown e;
  // Parts newer than the file (global_buffer, cim_buffer) read as 0.
  for (const auto& [name, member] : kEnergyParts) {
    const std::string n = name;
    if (j.contains(n) || (n != "global_buffer" && n != "cim_buffer"))
      e.*member = j.at(n).get<double>();
  }
  return e;
}

nlohmann::json table_to_json(const LutTable& t) {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [key, e] : t.entries)
    entries[key] = {{"latency_ns", e.latency_ns}, {"energy_pj", e.energy_pj},
                    {"energy_breakdown_pj", energy_to_json(e.energy)}, {"macs", e.macs},
                    {"cold_latency_ns", e.cold_latency_ns}, {"cold_energy_pj", e.cold_energy_pj},
                    {"resident_macros", e.resident_macros}};
  nlohmann::json corrections = nlohmann::json::object();
  for (const auto& [space, c] : t.corrections)
    corrections[space] = {{"samples", c.samples}, {"seed", c.seed},
                          {"latency", {{"slope", c.latency_slope}, {"intercept_ns", c.latency_intercept_ns}}},
                          {"energy", {{"slope", c.energy_slope}, {"intercept_pj", c.energy_intercept_pj}}}};
  return {{"arch", t.arch_name}, {"arch_hash", t.arch_hash}, {"schema", t.schema}, {"metric", t.metric}, {"cim_macros", t.cim_macros},
          {"leakage_mw", t.leakage_mw}, {"simulator_version", t.simulator_version}, {"entries", std::move(entries)},
          {"corrections", std::move(corrections)}};
}

LutTable table_from_json(const nlohmann::json& j) {
  LutTable t;
  t.arch_name = j.at("arch").get<std::string>();
  t.arch_hash = j.at("arch_hash").get<std::string>();
  t.schema = j.at("schema").get<std::string>();
  t.metric = j.at("metric").get<std::string>();
  t.cim_macros = j.at("cim_macros").get<int64_t>();
  t.leakage_mw = j.value("leakage_mw", 0.0);
  t.simulator_version = j.at("simulator_version").get<std::string>();
  for (const auto& [key, e] : j.at("entries").items()) {
    LutEntry le;
    le.latency_ns = e.at("latency_ns").get<double>();
    le.energy_pj = e.at("energy_pj").get<double>();
    le.energy = energy_from_json(e.at("energy_breakdown_pj"));
    le.macs = e.at("macs").get<int64_t>();
    le.cold_latency_ns = e.at("cold_latency_ns").get<double>();
    le.cold_energy_pj = e.at("cold_energy_pj").get<double>();
    le.resident_macros = e.at("resident_macros").get<int64_t>();
    t.entries[key] = le;
  }
  for (const auto& [space, c] : j.at("corrections").items()) {
    Correction cc;
    cc.samples = c.at("samples").get<int>();
    cc.seed = c.at("seed").get<uint64_t>();
    cc.latency_slope = c.at("latency").at("slope").get<double>();
    cc.latency_intercept_ns = c.at("latency").at("intercept_ns").get<double>();
    cc.energy_slope = c.at("energy").at("slope").get<double>();
    cc.energy_intercept_pj = c.at("energy").at("intercept_pj").get<double>();
    t.corrections[space] = cc;
  }
  return t;
}

}  // namespace

std::string simulator_version() { return H4H_VERSION; }

const char* to_string(Metric m) { return m == Metric::steady ? "steady" : "cold"; }

Metric parse_metric(const std::string& name) {
  if (name == "cold") return Metric::cold;
  if (name == "steady") return Metric::steady;
  throw UserError(fmt::format("unknown inference '{}' (known: cold, steady)", name));
}

Metric table_metric(const LutTable& table) { return parse_metric(table.metric); }

std::string table_key(const std::string& arch_hash, const std::string& schema, Metric metric) {
  return fmt::format("{}/{}/{}/{}", arch_hash, schema, to_string(metric), simulator_version());
}

LutFile load_lut(const std::string& path) {
  LutFile lut;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return lut;  // a new LUT
  const std::string text = read_user_file(path, "an h4hsim LUT (JSON)");
  try {
    const auto j = nlohmann::json::parse(text);
    if (!j.is_object() || !j.contains("format") || !j["format"].is_string())
      throw UserError(fmt::format("{}: not an h4hsim LUT (expected \"format\": \"{}\")", path, kFormat));
    if (j["format"] != kFormat)
      throw UserError(fmt::format("{}: LUT format {} is not this h4hsim's ({}); rebuild it with "
                                  "`h4hsim nas lut` into a new file", path, j["format"].get<std::string>(), kFormat));
    for (const auto& [key, t] : j.at("tables").items()) lut.tables[key] = table_from_json(t);
    lut.on_disk = true;
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: corrupt LUT file: {}", path, e.what()));
  }
  return lut;
}

void save_lut(const LutFile& lut, const std::string& path) {
  nlohmann::json tables = nlohmann::json::object();
  for (const auto& [key, t] : lut.tables) tables[key] = table_to_json(t);
  const nlohmann::json j = {{"format", kFormat}, {"tables", std::move(tables)}};
  write_output(path, j.dump(1) + "\n");
}

LutTable& lut_table(LutFile& lut, const ArchConfig& cfg, const SchemaSpec& spec, Metric metric) {
  const std::string hash = config_hash(cfg);
  LutTable& t = lut.tables[table_key(hash, to_string(spec.schema), metric)];
  t.arch_name = cfg.name;
  t.arch_hash = hash;
  t.schema = to_string(spec.schema);
  t.metric = to_string(metric);
  t.cim_macros = cfg.cim.enabled ? cfg.cim.macro_count : 0;
  t.leakage_mw = chip_leakage_mw(cfg, chip_area_mm2(cfg)).total() + cfg.energy.dram_leakage_mw;
  t.simulator_version = simulator_version();
  return t;
}

const LutTable& require_lut_table(const LutFile& lut, const std::string& lut_path,
                                  const ArchConfig& cfg, const SchemaSpec& spec, Metric metric) {
  const std::string key = table_key(config_hash(cfg), to_string(spec.schema), metric);
  auto it = lut.tables.find(key);
  if (it == lut.tables.end()) {
    const std::string build =
        fmt::format("build it with `h4hsim nas lut --arch {} --schema {} --inference {} --out {}`",
                    cfg.origin.empty() ? "ARCH" : cfg.origin, to_string(spec.schema),
                    to_string(metric), lut_path);
    if (!lut.on_disk && lut.tables.empty())
      throw UserError(fmt::format("{}: no such LUT file; {}", lut_path, build));
    std::string have;
    for (const auto& [k, t] : lut.tables) have += fmt::format("{}{} ({})", have.empty() ? "" : ", ", t.arch_name, k);
    throw UserError(
        fmt::format("{}: no table for arch '{}' (hash {}) under schema {}, {} inference, "
                    "simulator {} (the file has: {}); {}",
                    lut_path, cfg.name, config_hash(cfg), to_string(spec.schema), to_string(metric),
                    simulator_version(), have.empty() ? "nothing" : have, build));
  }
  return it->second;
}

SimResult simulate_model(System& sys, const SchemaSpec& spec, onnx::ModelProto model,
                         const std::string& origin, Metric metric, bool as_block) {
  const Workload w = at_precision(load_onnx_model_workload(std::move(model), origin, {}), sys.config());
  // Under auto, the per-kernel estimate (in order: cli/nas_common.cpp), not the engine search
  // of sim/engine/schedule_search: a block's best schedule alone and a network's best
  // differ, so searched blocks would not add up to a searched network.
  const Mapping m = map_workload(w, sys.config(), spec);
  RunOptions ro;
  ro.inferences = metric == Metric::steady ? 2 : 1;
  ro.network_io_on_chip = as_block;
  const RunStats st = sys.run(w, m, ro);
  SimResult r;
  r.latency_ns = st.inferences.back().latency_ns;
  r.energy = st.inferences.back().energy;
  r.energy_pj = r.energy.total();
  r.macs = st.total_macs;
  r.cold_latency_ns = st.inferences.front().latency_ns;
  r.cold_energy_pj = st.inferences.front().energy.total();
  r.resident_macros = st.resident_macros;
  return r;
}

std::vector<BlockInstance> missing_blocks(const SearchSpace& space, const LutTable& table) {
  std::vector<BlockInstance> out;
  for (const auto& b : all_block_instances(space))
    if (!table.entries.count(b.key())) out.push_back(b);
  return out;
}

int64_t fill_lut(LutTable& table, const SearchSpace& space, System& sys, const SchemaSpec& spec,
                 bool progress, const std::function<void()>& checkpoint) {
  const auto todo = missing_blocks(space, table);
  Progress bar("LUT " + space.name, static_cast<int64_t>(todo.size()), progress);
  auto last_save = std::chrono::steady_clock::now();
  for (const auto& b : todo) {
    SimResult r;
    try {
      r = simulate_model(sys, spec, build_block_model(b), b.key(), table_metric(table), true);
    } catch (const UserError& e) {
      checkpoint();  // keep what is finished; a re-run resumes from it
      throw UserError(fmt::format("LUT block {}: {}", b.key(), e.what()));
    }
    LutEntry e;
    e.latency_ns = r.latency_ns;
    e.energy_pj = r.energy_pj;
    e.energy = r.energy;
    e.macs = r.macs;
    e.cold_latency_ns = r.cold_latency_ns;
    e.cold_energy_pj = r.cold_energy_pj;
    e.resident_macros = r.resident_macros;
    table.entries[b.key()] = e;
    bar.advance();
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_save).count() > 5.0) {
      checkpoint();
      last_save = now;
    }
  }
  bar.finish();
  checkpoint();
  return static_cast<int64_t>(todo.size());
}

}  // namespace h4h::nas
