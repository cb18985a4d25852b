#include "frontend/scalesim_topology.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/user_error.h"

namespace h4h {
namespace {

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> split_row(std::string row) {
  const size_t hash = row.find('#');
  if (hash != std::string::npos) row = row.substr(0, hash);
  std::vector<std::string> fields;
  std::stringstream ss(row);
  std::string f;
  while (std::getline(ss, f, ',')) fields.push_back(trim(f));
  while (!fields.empty() && fields.back().empty()) fields.pop_back();  // trailing comma(s)
  return fields;
}

enum class Format { conv, gemm };

const char* kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,";
const char* kGemmHeader = "Layer, M, N, K,";

struct RowContext {
  const std::string& origin;
  int line;
};

int64_t positive_field(const std::vector<std::string>& f, size_t col, const char* what,
                       const RowContext& at) {
  const std::string& s = f[col];
  int64_t v = 0;
  size_t used = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (s.empty() || used != s.size())
    throw UserError(fmt::format("{}:{}: column {} ({}): expected an integer, got '{}'", at.origin,
                                at.line, col + 1, what, s));
  if (v <= 0)
    throw UserError(fmt::format("{}:{}: column {} ({}): must be > 0, got {}", at.origin, at.line,
                                col + 1, what, v));
  // Keep products of a few dims far from int64 overflow.
  if (v > (int64_t{1} << 24))
    throw UserError(fmt::format("{}:{}: column {} ({}): {} is implausibly large (limit 16777216)",
                                at.origin, at.line, col + 1, what, v));
  return v;
}

Kernel conv_kernel(const std::vector<std::string>& f, const RowContext& at) {
  if (f.size() != 8 && f.size() != 9)
    throw UserError(fmt::format("{}:{}: expected 8 fields (Layer name, IFMAP Height, IFMAP "
                                "Width, Filter Height, Filter Width, Channels, Num Filter, "
                                "Strides) or 9 (with stride width), got {}",
                                at.origin, at.line, f.size()));
  Kernel k;
  k.name = f[0];
  if (k.name.empty()) throw UserError(fmt::format("{}:{}: empty layer name", at.origin, at.line));
  const int64_t h = positive_field(f, 1, "IFMAP Height", at);
  const int64_t w = positive_field(f, 2, "IFMAP Width", at);
  const int64_t fh = positive_field(f, 3, "Filter Height", at);
  const int64_t fw = positive_field(f, 4, "Filter Width", at);
  const int64_t ch = positive_field(f, 5, "Channels", at);
  const int64_t nf = positive_field(f, 6, "Num Filter", at);
  const int64_t sh = positive_field(f, 7, "Strides", at);
  const int64_t sw = f.size() == 9 ? positive_field(f, 8, "Stride width", at) : sh;
  if (fh > h || fw > w)
    throw UserError(fmt::format("{}:{}: layer '{}': filter {}x{} is larger than the IFMAP {}x{}",
                                at.origin, at.line, k.name, fh, fw, h, w));
  const bool depthwise = k.name.find("DP") != std::string::npos;
  auto& c = k.conv;
  c.batch = 1;
  c.in_channels = ch;
  c.in_h = h;
  c.in_w = w;
  c.kernel_h = fh;
  c.kernel_w = fw;
  c.stride_h = sh;
  c.stride_w = sw;
  c.groups = depthwise ? ch : 1;
  c.out_channels = depthwise ? ch * nf : nf;
  // SCALE-Sim's no-padding rule: ceil((H − Fh + s) / s) = floor((H − Fh) / s) + 1.
  c.out_h = (h - fh + sh + sh - 1) / sh;
  c.out_w = (w - fw + sw + sw - 1) / sw;
  const int64_t k_per_output = (ch / c.groups) * fh * fw;
  k.cls = KernelClass::conv;
  k.op = "Conv";
  k.output_shape = {1, c.out_channels, c.out_h, c.out_w};
  k.input_shapes = {{1, ch, h, w}};
  k.macs = c.out_channels * c.out_h * c.out_w * k_per_output;
  k.weight_elems = c.out_channels * k_per_output;
  k.param_elems = k.weight_elems;
  k.input_elems = ch * h * w;
  k.output_elems = c.out_channels * c.out_h * c.out_w;
  k.gemm = {c.groups, c.out_h * c.out_w, c.out_channels / c.groups, k_per_output};
  return k;
}

Kernel gemm_kernel(const std::vector<std::string>& f, const RowContext& at) {
  if (f.size() != 4)
    throw UserError(fmt::format("{}:{}: expected 4 fields (Layer, M, N, K), got {}", at.origin,
                                at.line, f.size()));
  Kernel k;
  k.name = f[0];
  if (k.name.empty()) throw UserError(fmt::format("{}:{}: empty layer name", at.origin, at.line));
  const int64_t m = positive_field(f, 1, "M", at);
  const int64_t n = positive_field(f, 2, "N", at);
  const int64_t kk = positive_field(f, 3, "K", at);
  k.cls = KernelClass::linear;
  k.op = "Gemm";
  k.gemm = {1, m, n, kk};
  k.output_shape = {m, n};
  k.input_shapes = {{m, kk}};
  k.macs = m * n * kk;
  k.weight_elems = kk * n;
  k.param_elems = k.weight_elems;
  k.input_elems = m * kk;
  k.output_elems = m * n;
  return k;
}

std::string stem_of(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  const size_t dot = base.find_last_of('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace

Workload parse_scalesim_topology(const std::string& text, const std::string& origin) {
  std::stringstream in(text);
  std::string row;
  int line = 0;
  std::optional<Format> format;
  Workload w;
  w.model = stem_of(origin);
  while (std::getline(in, row)) {
    ++line;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    auto fields = split_row(row);
    if (fields.empty()) continue;
    if (!format) {
      const std::string first = lower(fields[0]);
      if (first == "layer name" && fields.size() >= 8) format = Format::conv;
      else if (first == "layer" && fields.size() == 4 && lower(fields[1]) == "m") format = Format::gemm;
      else
        throw UserError(fmt::format("{}:{}: not a SCALE-Sim topology: the header must be '{}' "
                                    "(conv) or '{}' (GEMM)",
                                    origin, line, kConvHeader, kGemmHeader));
      continue;
    }
    const RowContext at{origin, line};
    Kernel k = *format == Format::conv ? conv_kernel(fields, at) : gemm_kernel(fields, at);
    if (!w.kernels.empty()) k.producers = {static_cast<int>(w.kernels.size()) - 1};
    w.kernels.push_back(std::move(k));
  }
  if (!format) throw UserError(fmt::format("{}: empty file, not a SCALE-Sim topology", origin));
  if (w.kernels.empty()) throw UserError(fmt::format("{}: the topology has no layers", origin));
  return w;
}

Workload load_scalesim_topology(const std::string& path) {
  return parse_scalesim_topology(read_user_file(path, "a SCALE-Sim topology"), path);
}

}  // namespace h4h
