#pragma once
// Shared pieces of the `h4hsim nas ...` commands: resolving a space name or file, the
// schema a config runs under, and the validation statistics.
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "nas/search_space.h"
#include "nas/subnet.h"
#include "sim/config/arch_config.h"
#include "sim/mapper/mapper.h"

namespace h4h::cli {

// A path to a space YAML, or the name of a bundled one (h4h_edge, h4h_fmnist).
nas::SearchSpace load_space_arg(const std::string& arg);
// --subnet's value: an encoding, or 'largest' / 'smallest'.
nas::Subnet subnet_arg(const nas::SearchSpace& sp, const std::string& arg);
// The schema named by --schema, or the one that uses what the config has; `custom` is
// refused (its rules are not part of the LUT key).
SchemaSpec nas_schema(const ArchConfig& cfg, const std::string& schema_flag);
// --inference cold|steady: which inference the LUT entries and full simulations measure.
void add_inference_option(CLI::App& cmd, std::string& value);

}  // namespace h4h::cli
