#include "frontend/scalesim_topology.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "frontend/file_io.h"
#include "frontend/onnx_loader.h"
#include "frontend/user_error.h"
#include "frontend/utf8.h"

namespace h4h {
namespace {

constexpr const char* kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,";
constexpr const char* kGemmHeader = "Layer, M, N, K,";

// Column names used in messages, 0-based like the field vector.
constexpr const char* kConvColumns[] = {"Layer name",    "IFMAP Height", "IFMAP Width",
                                        "Filter Height", "Filter Width", "Channels",
                                        "Num Filter",    "Strides"};
constexpr const char* kGemmColumns[] = {"Layer", "M", "N", "K", "Sparsity"};

// What a conv row's optional 9th field means, decided by the header (see the .h).
enum class NinthColumn { stride_width, sparsity, unknown };

enum class Format { conv, gemm };

struct Header {
  Format format = Format::conv;
  NinthColumn ninth = NinthColumn::stride_width;  // conv only
  std::string ninth_name;                         // as written in the header
  bool gemm_sparsity = false;                     // GEMM: a 5th "Sparsity" column
};

// Where a row came from, for messages of the form "file:line: ...".
struct At {
  const std::string& origin;
  int line;
};

template <typename... Args>
[[noreturn]] void fail(const At& at, fmt::format_string<Args...> f, Args&&... args) {
  throw UserError(fmt::format("{}:{}: ", at.origin, at.line) +
                  fmt::format(f, std::forward<Args>(args)...));
}

// Trims ASCII whitespace and UTF-8 no-break spaces (U+00A0, which Python's str.strip() in
// SCALE-Sim also removes; translation/gpt2.csv has them in its header).
std::string trim(const std::string& s) {
  const std::string nbsp = "\xC2\xA0";
  size_t a = 0, b = s.size();
  for (;;) {
    if (a < b && std::isspace(static_cast<unsigned char>(s[a])))
      ++a;
    else if (b - a >= 2 && s.compare(a, 2, nbsp) == 0)
      a += 2;
    else
      break;
  }
  for (;;) {
    if (b > a && std::isspace(static_cast<unsigned char>(s[b - 1])))
      --b;
    else if (b - a >= 2 && s.compare(b - 2, 2, nbsp) == 0)
      b -= 2;
    else
      break;
  }
  return s.substr(a, b - a);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// One row's fields: a `#` comment cut off, split on commas, trimmed. Trailing empty fields
// are dropped, which is how the trailing comma every SCALE-Sim row carries disappears
// (SCALE-Sim itself drops the last field with `row.split(',')[:-1]`).
std::vector<std::string> split_row(std::string row) {
  const size_t hash = row.find('#');
  if (hash != std::string::npos) row.erase(hash);
  std::vector<std::string> fields;
  std::stringstream ss(row);
  std::string f;
  // Bytes that are not UTF-8, and control characters, become \xNN as they enter (as ONNX
  // names do): layer names reach messages, JSON and CSV outputs.
  while (std::getline(ss, f, ',')) fields.push_back(escape_unprintable(trim(f), false));
  while (!fields.empty() && fields.back().empty()) fields.pop_back();
  return fields;
}

// Recognizes the header spellings used across SCALE-Sim's topologies/ folder.
std::optional<Header> recognize_header(const std::vector<std::string>& fields) {
  std::vector<std::string> f;
  for (const auto& s : fields) f.push_back(lower(s));
  if (f.empty() || (f[0] != "layer" && f[0] != "layer name")) return std::nullopt;

  Header h;
  if (f.size() >= 4 && f[1] == "m" && f[2] == "n" && f[3] == "k") {
    h.format = Format::gemm;
    if (f.size() == 4) return h;
    if (f.size() == 5 && f[4] == "sparsity") {
      h.gemm_sparsity = true;
      return h;
    }
    return std::nullopt;
  }

  // Prefixes, because the repo spells them "Num Filters", "Channel", "Stride height", and
  // DeepBench files even say "IFMAP Width, IFMAP Width".
  static const char* const prefixes[] = {"ifmap",   "ifmap",      "filter", "filter",
                                         "channel", "num filter", "stride"};
  if (f.size() < 8) return std::nullopt;
  for (size_t i = 1; i < 8; ++i)
    if (!starts_with(f[i], prefixes[i - 1])) return std::nullopt;
  h.format = Format::conv;
  if (f.size() >= 9) {
    h.ninth_name = trim(fields[8]);
    if (f[8].empty() || starts_with(f[8], "stride"))
      h.ninth = NinthColumn::stride_width;
    else if (f[8] == "sparsity")
      h.ninth = NinthColumn::sparsity;
    else
      h.ninth = NinthColumn::unknown;
  }
  return h;
}

// A dimension: a plain decimal integer > 0.
int64_t positive_field(const std::vector<std::string>& f, size_t col, const char* column,
                       const At& at) {
  const std::string& s = f[col];
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range)
    fail(at, "column {} ({}): '{}' is out of range", col + 1, column, s);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    fail(at, "column {} ({}): expected an integer, got '{}'", col + 1, column, s);
  if (v <= 0) fail(at, "column {} ({}): must be > 0, got {}", col + 1, column, v);
  return v;
}

// An N:M structured-sparsity ratio (SCALE-Sim's dev branch). Only dense (N == M) loads.
void check_dense_sparsity(const std::vector<std::string>& f, size_t col, const At& at) {
  const std::string& s = f[col];
  const size_t colon = s.find(':');
  int64_t n = 0, m = 0;
  auto parse = [](const std::string& part, int64_t& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && ec == std::errc() && end == part.data() + part.size() && out > 0;
  };
  if (colon == std::string::npos || !parse(trim(s.substr(0, colon)), n) ||
      !parse(trim(s.substr(colon + 1)), m) || n > m)
    fail(at, "column {} (Sparsity): expected an N:M ratio with 0 < N <= M, got '{}'", col + 1, s);
  if (n != m)
    fail(at,
         "column {} (Sparsity): N:M structured sparsity '{}' is not modelled; only dense "
         "layers (N == M, e.g. 1:1) can be loaded",
         col + 1, s);
}

// Product of non-negative factors, or a UserError if it does not fit in 64 bits.
int64_t checked_product(std::initializer_list<int64_t> factors, const std::string& layer,
                        const At& at) {
  int64_t p = 1;
  for (int64_t x : factors)
    if (__builtin_mul_overflow(p, x, &p))
      fail(at, "layer '{}' is too large: its sizes overflow 64-bit counters", layer);
  return p;
}

// Too few fields: name the first missing column. Too many: name the first extra one.
void check_field_count(const std::vector<std::string>& f, size_t required, size_t allowed,
                       const char* const* columns, const char* layout, const At& at) {
  if (f.size() < required)
    fail(at, "column {} ({}) is missing: a row has {} fields ({}), got {}", f.size() + 1,
         columns[f.size()], required, layout, f.size());
  if (f.size() > allowed)
    fail(at, "column {}: unexpected field '{}': a row has at most {} fields ({})", allowed + 1,
         f[allowed], allowed, layout);
}

Kernel conv_kernel(const std::vector<std::string>& f, const Header& hdr, const At& at) {
  check_field_count(f, 8, 9, kConvColumns,
                    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                    "Channels, Num Filter, Strides, optional Stride width",
                    at);
  if (f.size() == 9 && hdr.ninth == NinthColumn::unknown)
    fail(at,
         "column 9: the header calls it '{}', which SCALE-Sim does not define (it reads a 9th "
         "field as the stride width; its dev branch as Sparsity); rename the column or drop "
         "the field",
         hdr.ninth_name);

  Kernel k;
  k.name = f[0];
  if (k.name.empty()) fail(at, "column 1 (Layer name) is empty");
  const int64_t h = positive_field(f, 1, kConvColumns[1], at);
  const int64_t w = positive_field(f, 2, kConvColumns[2], at);
  const int64_t fh = positive_field(f, 3, kConvColumns[3], at);
  const int64_t fw = positive_field(f, 4, kConvColumns[4], at);
  const int64_t ch = positive_field(f, 5, kConvColumns[5], at);
  const int64_t nf = positive_field(f, 6, kConvColumns[6], at);
  const int64_t sh = positive_field(f, 7, kConvColumns[7], at);
  int64_t sw = sh;  // SCALE-Sim copies Strides into the stride width when it is absent
  if (f.size() == 9) {
    if (hdr.ninth == NinthColumn::sparsity)
      check_dense_sparsity(f, 8, at);
    else
      sw = positive_field(f, 8, "Stride width", at);
  }
  // SCALE-Sim asserts the same (its "ISSUE #9 Fix"): with no padding the output would be empty.
  if (fh > h)
    fail(at,
         "column 4 (Filter Height): layer '{}': filter height {} is larger than the IFMAP "
         "height {} (SCALE-Sim convolutions have no padding)",
         k.name, fh, h);
  if (fw > w)
    fail(at,
         "column 5 (Filter Width): layer '{}': filter width {} is larger than the IFMAP "
         "width {} (SCALE-Sim convolutions have no padding)",
         k.name, fw, w);

  // SCALE-Sim's rule for a depthwise layer: the name contains "DP" (case-sensitive).
  const bool depthwise = k.name.find("DP") != std::string::npos;
  ConvGeometry& c = k.conv;
  c.batch = 1;
  c.in_channels = ch;
  c.in_h = h;
  c.in_w = w;
  c.kernel_h = fh;
  c.kernel_w = fw;
  c.stride_h = sh;
  c.stride_w = sw;
  c.groups = depthwise ? ch : 1;
  // Depthwise: each of the `ch` single-channel layers SCALE-Sim runs has `nf` filters.
  c.out_channels = checked_product({c.groups, nf}, k.name, at);
  // No padding: ceil((H - Fh + s) / s), as topo_calc_hyperparams computes it (a partial last
  // window counts, so this is not floor((H - Fh) / s) + 1 when s does not divide H - Fh).
  // Written as ceil((H - Fh) / s) + 1 so that no intermediate can overflow.
  auto out_size = [](int64_t in, int64_t f, int64_t s) {
    return (in - f) / s + ((in - f) % s != 0) + 1;
  };
  c.out_h = out_size(h, fh, sh);
  c.out_w = out_size(w, fw, sw);

  const int64_t window = checked_product({ch / c.groups, fh, fw}, k.name, at);
  k.cls = KernelClass::conv;
  k.op = "Conv";
  k.output_shape = {1, c.out_channels, c.out_h, c.out_w};
  k.input_shapes = {{1, ch, h, w}};
  k.output_elems = checked_product({c.out_channels, c.out_h, c.out_w}, k.name, at);
  k.macs = checked_product({k.output_elems, window}, k.name, at);
  k.weight_elems = checked_product({c.out_channels, window}, k.name, at);  // no bias in SCALE-Sim
  k.param_elems = k.weight_elems;
  k.input_elems = checked_product({ch, h, w}, k.name, at);
  // Per-group GEMM, SCALE-Sim's M/N/K of one (per-channel, if depthwise) layer.
  k.gemm = {c.groups, c.out_h * c.out_w, c.out_channels / c.groups, window};
  return k;
}

Kernel gemm_kernel(const std::vector<std::string>& f, const Header& hdr, const At& at) {
  check_field_count(f, 4, hdr.gemm_sparsity ? 5 : 4, kGemmColumns,
                    hdr.gemm_sparsity ? "Layer, M, N, K, Sparsity" : "Layer, M, N, K", at);
  Kernel k;
  k.name = f[0];
  if (k.name.empty()) fail(at, "column 1 (Layer) is empty");
  const int64_t m = positive_field(f, 1, kGemmColumns[1], at);
  const int64_t n = positive_field(f, 2, kGemmColumns[2], at);
  const int64_t kk = positive_field(f, 3, kGemmColumns[3], at);
  if (f.size() == 5) check_dense_sparsity(f, 4, at);
  // SCALE-Sim: IFMAP M x K against N filters of 1 x K, so (M x K) * (K x N).
  k.cls = KernelClass::linear;
  k.op = "Gemm";
  k.gemm = {1, m, n, kk};
  k.output_shape = {m, n};
  k.input_shapes = {{m, kk}};
  k.macs = checked_product({m, n, kk}, k.name, at);
  k.weight_elems = checked_product({kk, n}, k.name, at);
  k.param_elems = k.weight_elems;
  k.input_elems = checked_product({m, kk}, k.name, at);
  k.output_elems = checked_product({m, n}, k.name, at);
  return k;
}

// The per-tensor bound of the ONNX frontend (graph.cpp), for the one IFMAP, filter and OFMAP
// tensor of a layer: the per-kernel and per-network bounds follow in check_workload_limits.
void check_tensor_sizes(const Kernel& k, const At& at) {
  for (const auto& [what, elems] : {std::pair{"its IFMAP has", k.input_elems},
                                    std::pair{"its filters have", k.weight_elems},
                                    std::pair{"its OFMAP has", k.output_elems}})
    if (elems > kMaxTensorElems)
      fail(at, "layer '{}': {} {} elements: more than 2^40, h4hsim's limit for one tensor", k.name,
           what, elems);
}

std::string stem_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// Kernel names are unique in a workload; the n-th repeat of a SCALE-Sim layer name becomes
// "<name>#<n>". `#` starts a comment in these files, so no name read from one contains it
// and a suffixed name cannot collide with a real one.
class UniqueNames {
 public:
  std::string claim(const std::string& name) {
    const int n = ++occurrences_[name];
    return n == 1 ? name : fmt::format("{}#{}", name, n);
  }

 private:
  std::unordered_map<std::string, int> occurrences_;
};

}  // namespace

Workload parse_scalesim_topology(const std::string& text, const std::string& origin) {
  std::stringstream in{std::string(strip_utf8_bom(text))};  // SCALE-Sim's repo has Excel-saved files
  Workload w;
  w.model = escape_unprintable(stem_of(origin), /*keep_line_breaks=*/false);  // JSON's "model"
  std::optional<Header> header;
  UniqueNames names;
  int64_t total_macs = 0;
  std::string row;
  int line = 0;
  while (std::getline(in, row)) {
    ++line;
    const std::vector<std::string> fields = split_row(row);
    if (fields.empty()) continue;  // blank, comment-only or all-empty (",,,,") rows
    const At at{origin, line};
    if (!header) {
      header = recognize_header(fields);
      if (!header)
        fail(at,
             "not a SCALE-Sim topology: the first row must be the header '{}' (convolution "
             "layers) or '{}' (GEMM layers), comma-separated",
             kConvHeader, kGemmHeader);
      continue;
    }
    if (w.kernels.size() >= static_cast<size_t>(kMaxGraphNodes))
      fail(at, "the topology has more than {} layers, h4hsim's limit (as for ONNX nodes)",
           kMaxGraphNodes);
    Kernel k = header->format == Format::conv ? conv_kernel(fields, *header, at)
                                              : gemm_kernel(fields, *header, at);
    check_tensor_sizes(k, at);
    k.name = names.claim(k.name);
    if (__builtin_add_overflow(total_macs, k.macs, &total_macs))
      fail(at, "the topology is too large: its total MAC count overflows 64 bits");
    // The files carry no edges: SCALE-Sim runs the layers one after another, each reading
    // its own IFMAP from memory and writing its OFMAP there (a layer's IFMAP need not be the
    // previous OFMAP). So each layer has an input and an output tensor of its own, and the
    // order is an ordering-only dependency.
    if (!w.kernels.empty()) k.producers = {static_cast<int>(w.kernels.size()) - 1};
    for (const auto& [suffix, elems, shape, output] :
         {std::tuple{".ifmap", k.input_elems, k.input_shapes.empty() ? Shape{} : k.input_shapes[0], false},
          std::tuple{".ofmap", k.output_elems, k.output_shape, true}}) {
      Tensor t;
      t.name = k.name + suffix;
      t.elems = elems;
      t.shape = shape;
      t.network_output = output;
      w.tensors.push_back(std::move(t));
      (output ? k.outputs : k.inputs).push_back(static_cast<int>(w.tensors.size()) - 1);
    }
    w.kernels.push_back(std::move(k));
  }
  link_tensors(w);
  if (!header)
    throw UserError(
        fmt::format("{}: empty file: expected a SCALE-Sim topology with the header "
                    "'{}' or '{}'",
                    origin, kConvHeader, kGemmHeader));
  if (w.kernels.empty())
    throw UserError(fmt::format("{}: the topology has a header but no layers", origin));
  check_workload_limits(w);
  return w;
}

Workload load_scalesim_topology(const std::string& path) {
  return parse_scalesim_topology(read_user_file(path, "a SCALE-Sim topology"), path);
}

}  // namespace h4h
