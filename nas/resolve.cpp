#include "nas/resolve.h"

#include <filesystem>

#include "frontend/user_error.h"

namespace h4h::nas {

SearchSpace load_space_arg(const std::string& arg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(arg, ec) && arg.find('/') == std::string::npos &&
      fs::exists(bundled_space_path(arg), ec))
    return load_search_space(bundled_space_path(arg));
  return load_search_space(arg);
}

Subnet subnet_arg(const SearchSpace& sp, const std::string& arg) {
  return arg == "largest"    ? largest_subnet(sp)
         : arg == "smallest" ? smallest_subnet(sp)
                             : decode_subnet(sp, arg);
}

SchemaSpec nas_schema(const ArchConfig& cfg, const std::string& schema_flag) {
  SchemaSpec spec;
  // auto on a config with one GEMM unit is that unit's schema: one table, not two.
  spec.schema = effective_schema(
      parse_schema(schema_flag.empty() ? default_schema_for(cfg) : schema_flag), cfg);
  // Under auto the NAS tables, their validation and the search's re-simulation run each
  // kernel on its estimated unit, in order: a per-block table cannot see NPU and CIM blocks
  // overlapping across block boundaries (with overlap the estimate was 2 % off on average,
  // up to 9.8 %). `run` reports the engine-searched, overlapping schedule.
  if (spec.schema == Schema::auto_select) spec.serial = true;
  if (spec.schema == Schema::custom)
    throw UserError(
        "the NAS commands take the standard schemas (npu_only, cim_static, "
        "hetero_parallel, auto); custom rules are not part of the LUT key");
  return spec;
}

}  // namespace h4h::nas
