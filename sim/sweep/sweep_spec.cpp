#include "sim/sweep/sweep_spec.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <unordered_set>

#include <fmt/format.h>
#include <muParser.h>

#include "frontend/file_io.h"
#include "frontend/user_error.h"
#include "sim/config/param_schema.h"
#include "sim/config/yaml_reader.h"
#include "sim/mapper/mapper.h"

namespace h4h {

namespace fs = std::filesystem;

namespace {

using Decl = ParamDecl<ArchConfig>;

const Decl* find_decl(const std::string& path) {
  for (const auto& d : arch_param_decls())
    if (d.path == path) return &d;
  return nullptr;
}

std::vector<std::string> arch_keys() {
  std::vector<std::string> keys;
  for (const auto& d : arch_param_decls()) keys.push_back(d.path);
  return keys;
}

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string resolve(const std::string& base_dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base_dir) / p).lexically_normal().string();
}

// One value of key `d` as canonical text (UserError naming `path` when it is not one).
std::string checked_value(const YamlReader& r, const YAML::Node& n, const std::string& path, const Decl& d) {
  if (!n.IsScalar()) r.fail(n, path, fmt::format("expected a {} value of {}", param_type_name(d.type), d.path));
  auto parsed = parse_param_scalar(n.Scalar(), d.type, d.constraint);
  if (auto* err = std::get_if<std::string>(&parsed)) r.fail(n, path, *err);
  const ParamValue v = std::get<ParamValue>(parsed);
  if (auto err = check_param_constraint(v, d.constraint)) r.fail(n, path, *err);
  return format_param_value(v);
}

// A number for a range or random axis of a numeric key.
double range_number(const YamlReader& r, const YAML::Node& m, const std::string& path, const std::string& key) {
  return r.get_real(m[key], YamlReader::child(path, key), -1e18, 1e18);
}

// The text of a numeric value of `d`, checked against its constraints.
std::string numeric_text(const YamlReader& r, const YAML::Node& at, const std::string& path, const Decl& d, double x) {
  ParamValue v;
  if (d.type == ParamType::integer) {
    // Power-of-two keys (array sizes, banks) snap to the nearest power of two in log space.
    if (d.constraint.power_of_two && x >= 1) x = std::exp2(std::round(std::log2(x)));
    v = static_cast<int64_t>(std::llround(x));
  } else {
    v = std::stod(fmt::format("{:.12g}", x));  // 400, not 399.99999999999994
  }
  if (auto err = check_param_constraint(v, d.constraint))
    r.fail(at, path, fmt::format("it gives {}, which is not a valid value: {}", format_param_value(v), *err));
  return format_param_value(v);
}

// `max_values`: how many values this axis may have before the grid (with the axes before
// it) exceeds kMaxSweepGrid. Generated values are counted before they are materialized, so a
// spec of many huge ranges fails at once instead of filling memory.
SweepAxis parse_key_axis(const YamlReader& r, const YAML::Node& node, const std::string& path, const Decl& d,
                         uint64_t seed, int64_t max_values) {
  SweepAxis axis;
  axis.name = d.path;
  std::vector<std::string> texts;
  const bool numeric = d.type == ParamType::integer || d.type == ParamType::real;
  auto check_count = [&](double n) {
    // One generated axis stops at kMaxAxisValues, as random axes always did: materializing
    // 10^6 values took seconds and hundreds of MB before anything ran (found by fuzzing).
    if (n > static_cast<double>(kMaxAxisValues))
      r.fail(node, path,
             fmt::format("{:.0f} values (more than {}, the limit for one axis)", n, kMaxAxisValues));
    if (n > static_cast<double>(max_values))
      r.fail(node, path,
             fmt::format("{:.0f} values: with the axes before it the grid exceeds {} points", n,
                         kMaxSweepGrid));
  };
  if (node.IsSequence() || node.IsScalar()) {
    if (node.IsSequence() && node.size() == 0) r.fail(node, path, "needs at least one value");
    if (node.IsScalar()) texts.push_back(checked_value(r, node, path, d));
    for (size_t i = 0; node.IsSequence() && i < node.size(); ++i)
      texts.push_back(checked_value(r, node[i], YamlReader::item(path, i), d));
  } else if (node.IsMap()) {
    if (!numeric)
      r.fail(node, path, fmt::format("{} is a {} key: give its values as a list", d.path, param_type_name(d.type)));
    if (node["random"]) {
      r.check_keys(node, path, {"random", "min", "max", "log"}, {"random", "min", "max"});
      const int64_t n =
          r.get_int(node["random"], YamlReader::child(path, "random"), 1, kMaxAxisValues);
      check_count(static_cast<double>(n));
      const double lo = range_number(r, node, path, "min"), hi = range_number(r, node, path, "max");
      const bool log = node["log"] && r.get_bool(node["log"], YamlReader::child(path, "log"));
      if (hi < lo) r.fail(node, path, fmt::format("max ({}) is below min ({})", hi, lo));
      if (log && lo <= 0) r.fail(node, path, "log: true needs min > 0");
      // Seeded per axis: adding or removing another axis does not change these values.
      std::mt19937_64 rng(seed ^ fnv1a(d.path));
      std::uniform_real_distribution<double> u(0.0, 1.0);
      for (int64_t i = 0; i < n; ++i) {
        const double t = u(rng);
        const double x = log ? lo * std::pow(hi / lo, t) : lo + t * (hi - lo);
        texts.push_back(numeric_text(r, node, path, d, x));
      }
    } else {
      r.check_keys(node, path, {"start", "stop", "step", "log_steps"}, {"start", "stop"});
      const double a = range_number(r, node, path, "start"), b = range_number(r, node, path, "stop");
      if (b < a) r.fail(node, path, fmt::format("stop ({}) is below start ({})", b, a));
      if (node["step"] && node["log_steps"]) r.fail(node, path, "give step or log_steps, not both");
      if (node["log_steps"]) {
        const int64_t n = r.get_int(node["log_steps"], YamlReader::child(path, "log_steps"), 1, kMaxSweepGrid);
        check_count(static_cast<double>(n));
        if (a <= 0) r.fail(node, path, "log_steps needs start > 0");
        for (int64_t i = 0; i < n; ++i) {
          const double x = n == 1 ? a : a * std::pow(b / a, static_cast<double>(i) / static_cast<double>(n - 1));
          texts.push_back(numeric_text(r, node, path, d, x));
        }
      } else {
        if (!node["step"]) r.fail(node, path, "a range needs step or log_steps");
        const double step = r.get_real(node["step"], YamlReader::child(path, "step"), 0, 1e18);
        if (step <= 0) r.fail(node["step"], YamlReader::child(path, "step"), "must be > 0");
        const double n = std::floor((b - a) / step + 1e-9) + 1;
        check_count(n);
        for (int64_t i = 0; i < static_cast<int64_t>(n); ++i)
          texts.push_back(numeric_text(r, node, path, d, a + static_cast<double>(i) * step));
      }
    }
  } else {
    r.fail(node, path, "expected a value, a list of values, a range {start, stop, step|log_steps} or "
                       "{random, min, max}");
  }
  // Rounding to integers can repeat a value; keep the first of each.
  std::set<std::string> seen;
  for (const auto& t : texts)
    if (seen.insert(t).second) axis.values.push_back({t, {{d.path, t}}});
  return axis;
}

SweepAxis parse_bundle_axis(const YamlReader& r, const YAML::Node& node, const std::string& path,
                            const std::string& name) {
  SweepAxis axis;
  axis.name = name;
  axis.bundle = true;
  if (node.size() == 0) r.fail(node, path, "a bundle axis needs at least one named value");
  for (const auto& kv : node) {
    const std::string label = kv.first.Scalar(), vpath = YamlReader::child(path, label);
    if (kv.second.IsNull()) {
      axis.values.push_back({label, {}});
      continue;
    }
    if (!kv.second.IsMap())
      r.fail(kv.second, vpath, "a bundle value is a map of arch keys to values ({} for the base as is)");
    SweepAxisValue v{label, {}};
    for (const auto& kv2 : kv.second) {
      const std::string key = kv2.first.Scalar(), kpath = YamlReader::child(vpath, key);
      const Decl* d = find_decl(key);
      if (!d) {
        const std::string best = closest_match(key, arch_keys());
        r.fail(kv2.first, kpath,
               fmt::format("unknown arch key{}", best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
      }
      v.sets.emplace_back(key, checked_value(r, kv2.second, kpath, *d));
    }
    axis.values.push_back(std::move(v));
  }
  return axis;
}

SweepModel parse_model(const YamlReader& r, const YAML::Node& node, const std::string& path,
                       const std::string& base_dir) {
  SweepModel m;
  std::string file;
  if (node.IsScalar()) {
    file = node.Scalar();
  } else if (node.IsMap()) {
    r.check_keys(node, path, {"path", "nas", "space", "name", "batch"});
    if (node["path"] && node["nas"]) r.fail(node, path, "give path (a file) or nas (a subnet), not both");
    if (node["path"]) file = r.get_string(node["path"], YamlReader::child(path, "path"));
    if (node["nas"]) {
      m.kind = "nas";
      m.subnet = r.get_string(node["nas"], YamlReader::child(path, "nas"));
      if (!node["space"]) r.fail(node, path, "a nas model needs its space (e.g. space: h4h_fmnist)");
      m.space = r.get_string(node["space"], YamlReader::child(path, "space"));
      m.name = m.subnet;
    } else if (node["space"]) {
      r.fail(node["space"], YamlReader::child(path, "space"), "space applies only to nas models");
    }
    if (!node["path"] && !node["nas"]) r.fail(node, path, "a model needs path (ONNX or topology .csv) or nas");
    if (node["batch"]) m.batch = r.get_int(node["batch"], YamlReader::child(path, "batch"), 1, 4096);
    if (node["name"]) m.name = r.get_string(node["name"], YamlReader::child(path, "name"));
  } else {
    r.fail(node, path, "expected a file path or a map {path|nas, space, name, batch}");
  }
  if (!file.empty()) {
    m.path = resolve(base_dir, file);
    std::string ext = fs::path(m.path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".onnx") m.kind = "onnx";
    else if (ext == ".csv") m.kind = "topology";
    else r.fail(node, path, fmt::format("{}: a model is an .onnx file or a SCALE-Sim topology .csv", file));
    std::string bytes;
    try {
      bytes = read_user_file(m.path, m.kind == "onnx" ? "ONNX file" : "topology file");
    } catch (const UserError& e) {
      r.fail(node, path, e.what());
    }
    m.content_hash = fmt::format("{:016x}", fnv1a(bytes));
    if (m.name.empty()) m.name = fs::path(m.path).stem().string();
  }
  return m;
}

// Constraints: muParser expressions over every numeric or boolean arch key (by path).
class ConstraintSet {
 public:
  explicit ConstraintSet(const std::vector<std::string>& exprs) : values_(arch_param_decls().size(), 0.0) {
    parsers_.reserve(exprs.size());
    for (const auto& e : exprs) {
      parsers_.emplace_back();
      mu::Parser& p = parsers_.back();
      p.DefineNameChars("0123456789_.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
      size_t i = 0;
      for (const auto& d : arch_param_decls()) {
        if (d.type == ParamType::integer || d.type == ParamType::real || d.type == ParamType::boolean)
          p.DefineVar(d.path, &values_[i]);
        ++i;
      }
      p.SetExpr(e);
    }
  }
  // The index of the first constraint `cfg` breaks, or -1.
  int first_broken(const ArchConfig& cfg) {
    size_t i = 0;
    for (const auto& d : arch_param_decls()) {
      const ParamValue v = d.get(cfg);
      if (auto* x = std::get_if<int64_t>(&v)) values_[i] = static_cast<double>(*x);
      else if (auto* y = std::get_if<double>(&v)) values_[i] = *y;
      else if (auto* b = std::get_if<bool>(&v)) values_[i] = *b ? 1.0 : 0.0;
      ++i;
    }
    for (size_t k = 0; k < parsers_.size(); ++k)
      if (parsers_[k].Eval() == 0.0) return static_cast<int>(k);
    return -1;
  }

 private:
  std::vector<double> values_;
  std::vector<mu::Parser> parsers_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> axis_sql_types(const SweepSpec& spec) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : spec.axes) {
    const Decl* d = a.bundle ? nullptr : find_decl(a.name);
    out.emplace_back(a.name, !d                               ? "TEXT"
                             : d->type == ParamType::integer ? "INTEGER"
                             : d->type == ParamType::real    ? "REAL"
                                                             : "TEXT");
  }
  return out;
}

SweepSpec parse_sweep_spec(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                           const std::vector<std::string>& base_overrides) {
  YamlReader r(yaml_text, origin);
  const YAML::Node& root = r.root();
  r.check_keys(root, "", {"name", "base", "seed", "axes", "models", "schemas", "inferences", "constraints"},
               {"axes", "models"});
  SweepSpec s;
  s.origin = origin;
  s.name = root["name"] ? r.get_string(root["name"], "name") : fs::path(origin).stem().string();
  if (root["base"]) {
    s.base_path = resolve(base_dir, r.get_string(root["base"], "base"));
    try {
      s.base = load_arch_config(s.base_path);
    } catch (const UserError& e) {
      r.fail(root["base"], "base", e.what());
    }
  } else {
    s.base = default_arch_config();
  }
  apply_arch_overrides(s.base, base_overrides);
  if (root["seed"]) s.seed = static_cast<uint64_t>(r.get_int(root["seed"], "seed", 0, INT64_MAX));
  if (root["inferences"]) s.inferences = static_cast<int>(r.get_int(root["inferences"], "inferences", 1, 1000));

  const YAML::Node axes = r.require_map(root["axes"], "axes");
  if (axes.size() == 0) r.fail(axes, "axes", "needs at least one axis");
  std::set<std::string> swept;
  int64_t grid = 1;  // points of the axes so far; <= kMaxSweepGrid
  for (const auto& kv : axes) {
    const std::string name = kv.first.Scalar(), path = YamlReader::child("axes", name);
    const Decl* d = find_decl(name);
    SweepAxis axis;
    if (d) {
      axis = parse_key_axis(r, kv.second, path, *d, s.seed, kMaxSweepGrid / grid);
    } else if (kv.second.IsMap() && !kv.second["start"] && !kv.second["random"] && name.find('.') == std::string::npos) {
      axis = parse_bundle_axis(r, kv.second, path, name);
    } else {
      const std::string best = closest_match(name, arch_keys());
      r.fail(kv.first, path,
             fmt::format("unknown arch key{} (a bundle axis has a name without dots and maps names to key sets)",
                         best.empty() ? "" : fmt::format("; did you mean '{}'?", best)));
    }
    for (const auto& v : axis.values)
      for (const auto& [key, text] : v.sets)
        if (swept.count(key) && !(axis.name == key))
          r.fail(kv.first, path, fmt::format("{} is already swept by another axis", key));
    for (const auto& v : axis.values)
      for (const auto& kt : v.sets) swept.insert(kt.first);
    // Listed values and bundles are bounded by the file's size, but their product is not.
    const auto n = static_cast<int64_t>(axis.values.size());
    if (n > kMaxSweepGrid / grid)
      r.fail(kv.first, path, fmt::format("{} values: with the axes before it the grid exceeds {} points", n,
                                         kMaxSweepGrid));
    grid *= n;
    s.axes.push_back(std::move(axis));
  }

  const YAML::Node models = r.require_list(root["models"], "models");
  if (models.size() == 0) r.fail(models, "models", "needs at least one model");
  std::set<std::string> names;
  for (size_t i = 0; i < models.size(); ++i) {
    SweepModel m = parse_model(r, models[i], YamlReader::item("models", i), base_dir);
    if (!names.insert(m.name).second)
      r.fail(models[i], YamlReader::item("models", i),
             fmt::format("a second model named '{}' (give one of them name: ...)", m.name));
    s.models.push_back(std::move(m));
  }

  if (root["schemas"]) {
    const YAML::Node list = root["schemas"].IsScalar() ? root["schemas"] : r.require_list(root["schemas"], "schemas");
    auto add = [&](const YAML::Node& n, const std::string& path) {
      const std::string name = r.get_string(n, path);
      try {
        if (parse_schema(name) == Schema::custom) r.fail(n, path, "custom schemas are not swept (give named schemas)");
      } catch (const UserError& e) {
        r.fail(n, path, e.what());
      }
      if (std::find(s.schemas.begin(), s.schemas.end(), name) != s.schemas.end()) r.fail(n, path, "listed twice");
      s.schemas.push_back(name);
    };
    if (list.IsScalar()) add(list, "schemas");
    for (size_t i = 0; list.IsSequence() && i < list.size(); ++i) add(list[i], YamlReader::item("schemas", i));
    if (s.schemas.empty()) r.fail(root["schemas"], "schemas", "needs at least one schema");
  } else {
    s.schemas.push_back(default_schema_for(s.base));
  }

  if (root["constraints"]) {
    const YAML::Node list = r.require_list(root["constraints"], "constraints");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = YamlReader::item("constraints", i), expr = r.get_string(list[i], path);
      try {
        ConstraintSet one({expr});
        one.first_broken(s.base);  // parses and evaluates once: syntax and names checked here
      } catch (const mu::Parser::exception_type& e) {
        std::string msg = e.GetMsg();
        if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN) {
          const std::string best = closest_match(e.GetToken(), arch_keys());
          msg = fmt::format("'{}' is not a numeric arch key{}", e.GetToken(),
                            best.empty() ? "" : fmt::format("; did you mean '{}'?", best));
        }
        r.fail(list[i], path, fmt::format("{} (in \"{}\")", msg, expr));
      }
      s.constraints.push_back(expr);
    }
  }
  return s;
}

SweepSpec load_sweep_spec(const std::string& path, const std::vector<std::string>& base_overrides) {
  const std::string text = read_user_file(path, "a sweep spec (YAML)");
  const std::string dir = fs::path(path).parent_path().string();
  return parse_sweep_spec(text, path, dir.empty() ? "." : dir, base_overrides);
}

nlohmann::json SweepSpec::canonical() const {
  nlohmann::json j;
  j["base_config_hash"] = config_hash(base);
  j["seed"] = seed;
  j["inferences"] = inferences;
  j["schemas"] = schemas;
  j["constraints"] = constraints;
  j["axes"] = nlohmann::json::array();
  for (const auto& a : axes) {
    nlohmann::json ja{{"name", a.name}, {"bundle", a.bundle}, {"values", nlohmann::json::array()}};
    for (const auto& v : a.values) {
      nlohmann::json sets = nlohmann::json::array();
      for (const auto& [k, t] : v.sets) sets.push_back({k, t});
      ja["values"].push_back({{"label", v.label}, {"sets", sets}});
    }
    j["axes"].push_back(ja);
  }
  j["models"] = nlohmann::json::array();
  for (const auto& m : models)
    j["models"].push_back({{"name", m.name}, {"kind", m.kind}, {"content_hash", m.content_hash}, {"space", m.space},
                           {"subnet", m.subnet}, {"batch", m.batch}});
  return j;
}

std::string SweepSpec::hash() const { return fmt::format("{:016x}", fnv1a(canonical().dump())); }

namespace {

// The base config with every axis set to its chosen value (not validated).
ArchConfig config_at(const SweepSpec& spec, const std::vector<int32_t>& choice) {
  ArchConfig cfg = spec.base;
  cfg.origin = spec.origin;
  for (size_t k = 0; k < spec.axes.size(); ++k)
    for (const auto& [key, text] : spec.axes[k].values[static_cast<size_t>(choice[k])].sets)
      set_arch_param(cfg, key, text);
  return cfg;
}

}  // namespace

ArchConfig sweep_point_config(const SweepSpec& spec, const SweepPoint& point) {
  return config_at(spec, point.choice);
}

SweepPlan plan_sweep(const SweepSpec& spec) {
  SweepPlan plan;
  double grid = 1;
  for (const auto& a : spec.axes) grid *= static_cast<double>(a.values.size());
  if (grid > static_cast<double>(kMaxSweepGrid))
    throw UserError(fmt::format("{}: the axes span {:.3g} points (more than {}); narrow a range or use random axes",
                                spec.origin, grid, kMaxSweepGrid));
  plan.grid_size = static_cast<int64_t>(grid);
  ConstraintSet constraints(spec.constraints);
  std::unordered_set<std::string> hashes;  // only asked "seen?": a tree was 17 % of planning
  hashes.reserve(static_cast<size_t>(plan.grid_size));
  std::vector<int32_t> choice(spec.axes.size(), 0);
  for (int64_t index = 0; index < plan.grid_size; ++index) {
    // Mixed radix, last axis fastest.
    int64_t rest = index;
    for (size_t k = spec.axes.size(); k-- > 0;) {
      const auto n = static_cast<int64_t>(spec.axes[k].values.size());
      choice[k] = static_cast<int32_t>(rest % n);
      rest /= n;
    }
    ArchConfig cfg;
    try {
      cfg = config_at(spec, choice);
      validate_arch_config(cfg);
    } catch (const UserError& e) {
      if (plan.dropped_invalid++ == 0) plan.first_invalid = e.what();
      continue;
    }
    if (constraints.first_broken(cfg) >= 0) {
      ++plan.dropped_by_constraints;
      continue;
    }
    std::string hash = config_hash(cfg);
    if (!hashes.insert(hash).second) {
      ++plan.duplicates;
      continue;
    }
    SweepPoint p;
    p.index = index;
    p.choice = choice;
    p.config_hash = std::move(hash);
    for (size_t k = 0; k < spec.axes.size(); ++k)
      p.params.emplace_back(spec.axes[k].name, spec.axes[k].values[static_cast<size_t>(choice[k])].label);
    plan.points.push_back(std::move(p));
  }
  return plan;
}

}  // namespace h4h
