#pragma once
// What the NAS commands' arguments name, resolved the same way by the CLI (cli/cmd_nas*.cpp)
// and the Python package: a space by file or bundled name, a subnet by encoding or
// largest/smallest, and the schema a config's tables are built under.
#include <string>

#include "nas/search_space.h"
#include "nas/subnet.h"
#include "sim/config/arch_config.h"
#include "sim/mapper/mapper.h"

namespace h4h::nas {

// A path to a space YAML, or the name of a bundled one (h4h_edge, h4h_fmnist).
SearchSpace load_space_arg(const std::string& arg);
// An encoding, or 'largest' / 'smallest'.
Subnet subnet_arg(const SearchSpace& sp, const std::string& arg);
// The schema named (empty: the one that uses what the config has); `custom` is refused
// (its rules are not part of the LUT key).
SchemaSpec nas_schema(const ArchConfig& cfg, const std::string& schema_flag);

}  // namespace h4h::nas
