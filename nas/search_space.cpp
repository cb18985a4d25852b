#include "nas/search_space.h"

#include <cmath>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/user_error.h"
#include "sim/config/yaml_reader.h"

namespace h4h::nas {

int64_t StageSpace::inner_block_choices() const {
  int64_t n = static_cast<int64_t>(kernels.size() * expansions.size());
  if (kind == StageKind::hybrid) n += static_cast<int64_t>(heads.size() * mlp_ratios.size());
  return n;
}

double SearchSpace::log10_subnet_count() const {
  double log_n = std::log10(static_cast<double>(resolutions.size())) +
                 std::log10(static_cast<double>(stem_widths.size())) +
                 std::log10(static_cast<double>(head_widths.size()));
  for (const auto& s : stages) {
    // First block: (k, e); each further block any inner choice. Sum over depths.
    const double first = static_cast<double>(s.kernels.size() * s.expansions.size());
    const double inner = static_cast<double>(s.inner_block_choices());
    double per_width = 0;
    for (int64_t d : s.depths) per_width += first * std::pow(inner, static_cast<double>(d - 1));
    log_n += std::log10(static_cast<double>(s.widths.size()) * per_width);
  }
  return log_n;
}

double SearchSpace::subnet_count() const { return std::pow(10.0, log10_subnet_count()); }

int64_t SearchSpace::size_after_stem(int64_t resolution) const {
  return conv_out_size(resolution, stem_stride);
}

std::vector<int64_t> SearchSpace::stage_input_sizes(int64_t resolution) const {
  std::vector<int64_t> sizes;
  int64_t hw = size_after_stem(resolution);
  for (const auto& s : stages) {
    sizes.push_back(hw);
    hw = conv_out_size(hw, s.stride);
  }
  sizes.push_back(hw);  // the head's input
  return sizes;
}

namespace {

// Limits keep every product of a subnet's shapes far below 2^63.
constexpr int64_t kMaxChannels = 1 << 14;
constexpr int64_t kMaxResolution = 4096;

StageSpace parse_stage(const YamlReader& r, const YAML::Node& n, const std::string& path) {
  r.check_keys(n, path,
               {"block", "width", "depth", "stride", "kernel", "expansion", "heads", "mlp_ratio"},
               {"block", "width", "depth", "stride", "kernel", "expansion"});
  StageSpace s;
  const std::string block = r.get_string(n["block"], YamlReader::child(path, "block"));
  if (block == "mbconv") s.kind = StageKind::mbconv;
  else if (block == "hybrid") s.kind = StageKind::hybrid;
  else r.fail(n["block"], YamlReader::child(path, "block"),
              fmt::format("unknown block type '{}' (known: mbconv, hybrid)", block));
  s.widths = r.get_int_choices(n["width"], YamlReader::child(path, "width"), 1, kMaxChannels);
  s.depths = r.get_int_choices(n["depth"], YamlReader::child(path, "depth"), 1, 64);
  s.stride = r.get_int(n["stride"], YamlReader::child(path, "stride"), 1, 4);
  s.kernels = r.get_int_choices(n["kernel"], YamlReader::child(path, "kernel"), 1, 15);
  for (size_t i = 0; i < s.kernels.size(); ++i)
    if (s.kernels[i] % 2 == 0)
      r.fail(n["kernel"], YamlReader::child(path, "kernel"),
             fmt::format("kernel sizes must be odd (same padding), got {}", s.kernels[i]));
  s.expansions = r.get_int_choices(n["expansion"], YamlReader::child(path, "expansion"), 1, 16);
  if (s.kind == StageKind::hybrid) {
    for (const char* key : {"heads", "mlp_ratio"})
      if (!n[key]) r.fail(n, YamlReader::child(path, key), "missing (required for hybrid stages)");
    s.heads = r.get_int_choices(n["heads"], YamlReader::child(path, "heads"), 1, 256);
    s.mlp_ratios = r.get_int_choices(n["mlp_ratio"], YamlReader::child(path, "mlp_ratio"), 1, 16);
    for (int64_t w : s.widths)
      for (int64_t h : s.heads)
        if (w % h != 0)
          r.fail(n["heads"], YamlReader::child(path, "heads"),
                 fmt::format("{} heads do not divide width {} (every width must split into "
                             "whole heads)", h, w));
  } else {
    for (const char* key : {"heads", "mlp_ratio"})
      if (n[key])
        r.fail(n[key], YamlReader::child(path, key),
               "only hybrid stages have transformer choices (set block: hybrid)");
  }
  return s;
}

}  // namespace

SearchSpace parse_search_space(const std::string& yaml_text, const std::string& origin) {
  YamlReader r(yaml_text, origin);
  const YAML::Node& root = r.root();
  SearchSpace sp;
  sp.origin = origin;
  try {
    r.check_keys(root, "", {"name", "input", "classes", "stem", "stages", "head"},
                 {"name", "input", "classes", "stem", "stages", "head"});
    sp.name = r.get_string(root["name"], "name");
    const YAML::Node& in = root["input"];
    r.check_keys(in, "input", {"channels", "resolution"}, {"channels", "resolution"});
    sp.in_channels = r.get_int(in["channels"], "input.channels", 1, 64);
    sp.resolutions = r.get_int_choices(in["resolution"], "input.resolution", 1, kMaxResolution);
    sp.classes = r.get_int(root["classes"], "classes", 1, 1 << 20);
    const YAML::Node& stem = root["stem"];
    r.check_keys(stem, "stem", {"width", "kernel", "stride"}, {"width", "stride"});
    sp.stem_widths = r.get_int_choices(stem["width"], "stem.width", 1, kMaxChannels);
    if (stem["kernel"]) {
      sp.stem_kernel = r.get_int(stem["kernel"], "stem.kernel", 1, 15);
      if (sp.stem_kernel % 2 == 0) r.fail(stem["kernel"], "stem.kernel", "must be odd (same padding)");
    }
    sp.stem_stride = r.get_int(stem["stride"], "stem.stride", 1, 4);
    const YAML::Node stages = r.require_list(root["stages"], "stages");
    if (stages.size() > 16) r.fail(stages, "stages", "at most 16 stages");
    for (size_t i = 0; i < stages.size(); ++i)
      sp.stages.push_back(parse_stage(r, stages[i], YamlReader::item("stages", i)));
    const YAML::Node& head = root["head"];
    r.check_keys(head, "head", {"width"}, {"width"});
    sp.head_widths = r.get_int_choices(head["width"], "head.width", 1, kMaxChannels * 4);
  } catch (const YAML::Exception& e) {
    throw UserError(fmt::format("{}: malformed YAML at line {}: {}", origin, e.mark.line + 1, e.msg));
  }
  return sp;
}

SearchSpace load_search_space(const std::string& path) {
  return parse_search_space(read_user_file(path, "a search space (YAML)"), path);
}

std::string bundled_space_path(const std::string& name) {
  return fmt::format("{}/nas/spaces/{}.yaml", H4H_SOURCE_DIR, name);
}

}  // namespace h4h::nas
