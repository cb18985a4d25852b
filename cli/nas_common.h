#pragma once
// Shared pieces of the `h4hsim nas ...` commands: resolving a space name or file, the
// schema a config runs under, and the validation statistics.
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "nas/resolve.h"
#include "sim/config/arch_config.h"
#include "sim/mapper/mapper.h"

namespace h4h::cli {

// The arguments' meaning is shared with the Python package (nas/resolve.h).
using nas::load_space_arg;
using nas::nas_schema;
using nas::subnet_arg;
// --inference cold|steady: which inference the LUT entries and full simulations measure.
void add_inference_option(CLI::App& cmd, std::string& value);

}  // namespace h4h::cli
