#pragma once
// JEDEC DRAM presets: `dram.kind` names one, and it fills every timing, geometry and energy
// key of that part that the config does not give explicitly (Ramulator's "preset, then
// overrides" rule). The values live here, in one table, with their sources; the config
// layer applies them and `config show` marks which values came from the preset.
#include <string>
#include <utility>
#include <vector>

namespace h4h {

struct DramPreset {
  std::string kind;    // the dram.kind value, e.g. "lpddr5_6400"
  std::string title;   // "LPDDR5-6400 x16 (JESD209-5)"
  std::string source;  // where the numbers come from
  // (key path, value as YAML text): applied through the config's own parser, so a preset
  // value is checked exactly like a user's.
  std::vector<std::pair<std::string, std::string>> values;
};

// Every preset, in `config keys` order; the first is the default kind.
const std::vector<DramPreset>& dram_presets();
// The preset for `kind` (aliases "lpddr4", "lpddr5" name the 4266 and 6400 grades), or null.
const DramPreset* find_dram_preset(const std::string& kind);
// Every dram.kind value accepted (presets and aliases).
std::vector<std::string> dram_kind_choices();

}  // namespace h4h
