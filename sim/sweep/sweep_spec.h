#pragma once
// SweepSpec: a co-design sweep as data — a base arch config, axes over its keys, the
// networks and schemas to run at every point, and constraints that drop combinations.
//
//   name: array_x_macros_x_dram
//   base: ../arch_configs/hetero.yaml            # relative to the spec; omitted = defaults
//   seed: 1                                      # random axes
//   axes:                                        # the grid is their cartesian product
//     npu.array.rows: [16, 32, 64]               # values of one key
//     cim.macro_count: {start: 4, stop: 32, step: 4}          # inclusive range
//     npu.clock_mhz: {start: 200, stop: 1600, log_steps: 4}   # 4 geometric steps
//     cim.rows: {random: 3, min: 64, max: 512}   # 3 seeded random values (log: true for log-uniform)
//     dram:                                      # a bundle axis: each value sets several keys
//       lpddr4_4266: {}
//       lpddr5_6400: {dram.kind: lpddr5, dram.tck_ps: 312}
//   models:                                      # ONNX, SCALE-Sim topology, NAS subnet
//     - ../tests/data/onnx/mobilenet_v2_op17.onnx
//     - {path: layers.csv, name: my_layers}
//     - {nas: r24_s8_w16-k3e1_w24-k3e3_w32-k3e3_w48-k3e3_h128, space: h4h_fmnist}
//   schemas: [npu_only, hetero_parallel]         # omitted = what the base config has
//   inferences: 1
//   constraints:                                 # muParser expressions over numeric keys
//     - "npu.array.rows * npu.array.cols <= 2048"
//
// Every mistake is a UserError naming the spec file and the YAML path, with the closest
// key suggested for a typo. Points are identified by the hash of their resolved config, so
// results survive reordering the spec, and a changed spec is detected by its canonical form.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config/arch_config.h"

namespace h4h {

struct SweepAxisValue {
  std::string label;                                       // the value as text, or the bundle's name
  std::vector<std::pair<std::string, std::string>> sets;   // key path → value text
};

struct SweepAxis {
  std::string name;    // a key path, or a bundle axis's name
  bool bundle = false;
  std::vector<SweepAxisValue> values;
};

struct SweepModel {
  std::string name;           // unique within the spec: the file stem, the subnet, or `name:`
  std::string kind;           // "onnx", "topology" or "nas"
  std::string path;           // resolved (onnx, topology)
  std::string space, subnet;  // nas
  int64_t batch = 1;
  std::string content_hash;   // of the file (onnx, topology): a changed file is a changed spec
};

struct SweepSpec {
  std::string origin;         // the spec file
  std::string name;
  std::string base_path;      // "" = defaults
  ArchConfig base;
  uint64_t seed = 1;
  std::vector<SweepAxis> axes;
  std::vector<SweepModel> models;
  std::vector<std::string> schemas;
  std::vector<std::string> constraints;
  int inferences = 1;

  // Everything that decides the results, in a stable form; equal specs have equal hashes.
  nlohmann::json canonical() const;
  std::string hash() const;   // 16 hex digits of canonical()
};

// A point keeps which value of each axis it takes, not its ArchConfig: a plan at the grid
// limit (10^6 points) holding a full config per point took 1.09 GB. sweep_point_config
// rebuilds the config when the point runs.
struct SweepPoint {
  int64_t index = 0;                                         // in grid order
  std::vector<int32_t> choice;                               // per axis: index into its values
  std::string config_hash;
  std::vector<std::pair<std::string, std::string>> params;   // axis name → value label
};

struct SweepPlan {
  std::vector<SweepPoint> points;   // valid points, grid order
  int64_t grid_size = 0;
  int64_t dropped_by_constraints = 0;
  int64_t dropped_invalid = 0;      // configs that break a cross-field rule of the arch config
  int64_t duplicates = 0;           // grid points resolving to a config already in the plan
  std::string first_invalid;        // why the first invalid point was dropped
};

// Upper bound on the grid (before constraints): a typo in a range must not plan 10^12 points.
constexpr int64_t kMaxSweepGrid = 1'000'000;
// Upper bound on the values one range, log range or random axis generates.
constexpr int64_t kMaxAxisValues = 100'000;

// `base_overrides`: `--set` KEY=VALUE applied to the base config before anything else (so
// the default schemas and every point see them; the spec hash covers them through the
// base config's hash).
SweepSpec parse_sweep_spec(const std::string& yaml_text, const std::string& origin, const std::string& base_dir,
                           const std::vector<std::string>& base_overrides = {});
SweepSpec load_sweep_spec(const std::string& path, const std::vector<std::string>& base_overrides = {});
SweepPlan plan_sweep(const SweepSpec& spec);
// The arch config of a planned point (valid: planning dropped the points that are not).
ArchConfig sweep_point_config(const SweepSpec& spec, const SweepPoint& point);

// Each axis's column type in the results DB: INTEGER / REAL for numeric keys, else TEXT.
std::vector<std::pair<std::string, std::string>> axis_sql_types(const SweepSpec& spec);

}  // namespace h4h
