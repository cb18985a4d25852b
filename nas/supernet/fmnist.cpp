#include "nas/supernet/fmnist.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h::nas {

namespace {

// IDX headers: big-endian int32s. Magic = 0x0000 | type (0x08: unsigned byte) | dimensions.
constexpr uint32_t kLabelMagic = 0x00000801;  // 2049: ubyte, 1 dimension
constexpr uint32_t kImageMagic = 0x00000803;  // 2051: ubyte, 3 dimensions
constexpr int64_t kPixels = kFmnistSide * kFmnistSide;
constexpr int64_t kMaxShift = 2;  // augment(): pixels of translation each way

// One gzipped (or, transparently, plain) file; every failure is a UserError naming it.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr)
      throw UserError(fmt::format("{}: cannot open ({})", path,
                                  errno != 0 ? std::strerror(errno) : "out of memory"));
  }
  ~GzFile() { gzclose(file_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  const std::string& path() const { return path_; }

  // Exactly `n` bytes of `what`, or a UserError saying how the file ended.
  void read(void* dst, size_t n, const char* what) {
    auto* out = static_cast<unsigned char*>(dst);
    size_t done = 0;
    while (done < n) {
      // gzread takes an unsigned count and returns an int: stay far below INT_MAX.
      const auto chunk = static_cast<unsigned>(std::min<size_t>(n - done, size_t{1} << 30));
      const int got = gzread(file_, out + done, chunk);
      if (got < 0) throw corrupt();
      if (got == 0)
        throw UserError(fmt::format("{}: truncated: it ends {} bytes into the {} ({} expected)",
                                    path_, done, what, n));
      done += static_cast<size_t>(got);
    }
  }
  uint32_t read_be32(const char* what) {
    unsigned char b[4];
    read(b, sizeof b, what);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  }
  // After the last record: the file must end here.
  void expect_end() {
    unsigned char c;
    const int got = gzread(file_, &c, 1);
    if (got < 0) throw corrupt();
    if (got > 0) throw UserError(fmt::format("{}: unexpected bytes after the last record", path_));
  }

 private:
  UserError corrupt() const {
    int code = Z_OK;
    const char* msg = gzerror(file_, &code);
    // zlib reports a cut-off stream as Z_BUF_ERROR ("unexpected end of file").
    const std::string kind = code == Z_BUF_ERROR ? "truncated" : "corrupt gzip data";
    return UserError(fmt::format("{}: {} ({})", path_, kind, msg != nullptr ? msg : "zlib error"));
  }

  std::string path_;
  gzFile file_ = nullptr;
};

// dir/name.gz, else dir/name (uncompressed); UserError naming the .gz when neither exists.
std::string find_file(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path gz = fs::path(dir) / (name + ".gz");
  const fs::path plain = fs::path(dir) / name;
  std::error_code ec;
  if (fs::is_regular_file(gz, ec)) return gz.string();
  if (fs::is_regular_file(plain, ec)) return plain.string();
  throw UserError(fmt::format(
      "{}: no such file (Fashion-MNIST: install dataset-fashion-mnist, which puts it in {}, "
      "or pass the directory that holds the four IDX files)",
      gz.string(), kFmnistDefaultDir));
}

void check_header(const GzFile& f, const char* field, int64_t got, int64_t expected) {
  if (got != expected)
    throw UserError(fmt::format("{}: {} is {}, expected {}", f.path(), field, got, expected));
}

// One IDX file's magic, count (and for images, 28 x 28): `expected` records.
void read_header(GzFile& f, uint32_t magic, int64_t expected) {
  const uint32_t got = f.read_be32("IDX header");
  if (got != magic)
    throw UserError(fmt::format("{}: not an IDX {} file (magic number {}, expected {})", f.path(),
                                magic == kImageMagic ? "image" : "label", got, magic));
  check_header(f, "the record count", f.read_be32("IDX header"), expected);
  if (magic == kImageMagic) {
    check_header(f, "the image height", f.read_be32("IDX header"), kFmnistSide);
    check_header(f, "the image width", f.read_be32("IDX header"), kFmnistSide);
  }
}

// The first `keep` images of a file that holds `expected`, as normalized [keep, 1, 28, 28].
at::Tensor read_images(const std::string& path, int64_t expected, int64_t keep) {
  GzFile f(path);
  read_header(f, kImageMagic, expected);
  at::Tensor raw = at::empty({keep, 1, kFmnistSide, kFmnistSide}, at::kByte);
  f.read(raw.data_ptr<uint8_t>(), static_cast<size_t>(keep * kPixels), "pixels");
  if (keep == expected) f.expect_end();
  return raw.to(at::kFloat).div_(255.0f).sub_(kFmnistMean).div_(kFmnistStd);
}

// The first `keep` labels of a file that holds `expected`, as int64 [keep].
at::Tensor read_labels(const std::string& path, int64_t expected, int64_t keep) {
  GzFile f(path);
  read_header(f, kLabelMagic, expected);
  at::Tensor raw = at::empty({keep}, at::kByte);
  uint8_t* labels = raw.data_ptr<uint8_t>();
  f.read(labels, static_cast<size_t>(keep), "labels");
  if (keep == expected) f.expect_end();
  for (int64_t i = 0; i < keep; ++i)
    if (labels[i] >= kFmnistClasses)
      throw UserError(fmt::format("{}: label {} of record {} is not a class (0..{})", path,
                                  labels[i], i, kFmnistClasses - 1));
  return raw.to(at::kLong);
}

FmnistSplit read_split(const std::string& dir, const std::string& prefix, int64_t expected,
                       int64_t limit) {
  const int64_t keep = limit > 0 ? std::min(limit, expected) : expected;
  FmnistSplit s;
  s.images = read_images(find_file(dir, prefix + "-images-idx3-ubyte"), expected, keep);
  s.labels = read_labels(find_file(dir, prefix + "-labels-idx1-ubyte"), expected, keep);
  s.indices = at::arange(keep, at::kLong);
  return s;
}

FmnistSplit select(const FmnistSplit& s, const std::vector<int64_t>& rows) {
  const at::Tensor index =
      at::tensor(at::ArrayRef<int64_t>(rows.data(), rows.size()), at::dtype(at::kLong));
  return FmnistSplit{s.images.index_select(0, index), s.labels.index_select(0, index),
                     s.indices.index_select(0, index)};
}

}  // namespace

FmnistData load_fmnist(const std::string& dir, int64_t val_count, uint64_t seed, int64_t limit) {
  if (limit < 0) throw UserError(fmt::format("Fashion-MNIST: limit {} is negative", limit));
  FmnistData d;
  const FmnistSplit all = read_split(dir, "train", kFmnistTrainCount, limit);
  d.test = read_split(dir, "t10k", kFmnistTestCount, limit);

  const int64_t n = all.size();
  if (val_count < 0 || val_count >= n)
    throw UserError(fmt::format(
        "Fashion-MNIST: validation count {} must be in [0, {}) (the training records read)",
        val_count, n));
  // Fisher-Yates with mt19937_64 (fully specified by the standard, unlike std::shuffle and
  // the distributions): the same seed picks the same validation records everywhere.
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)],
              order[static_cast<size_t>(rng() % static_cast<uint64_t>(i + 1))]);
  std::vector<int64_t> val(order.begin(), order.begin() + val_count);
  std::vector<int64_t> train(order.begin() + val_count, order.end());
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  d.train = select(all, train);
  d.val = select(all, val);
  return d;
}

at::Tensor augment(const at::Tensor& batch, std::mt19937_64& rng, float fill) {
  TORCH_CHECK(batch.dim() == 4, "augment: expected a batch [N, C, H, W], got ", batch.sizes());
  const int64_t n = batch.size(0), c = batch.size(1), h = batch.size(2), w = batch.size(3);
  const int64_t pw = w + 2 * kMaxShift;
  const at::Tensor padded =
      at::constant_pad_nd(batch, {kMaxShift, kMaxShift, kMaxShift, kMaxShift}, fill).reshape({n, c, -1});
  // One gather for the whole batch (a copy per image cost ~1000 tensor ops per step): the
  // source pixel of every output pixel, in the padded image.
  at::Tensor index = at::empty({n, h * w}, at::kLong);
  int64_t* at_px = index.data_ptr<int64_t>();
  constexpr uint64_t kOffsets = 2 * kMaxShift + 1;
  for (int64_t i = 0; i < n; ++i) {
    const bool flip = (rng() & 1) != 0;
    // Offset o into the padded image = shift o - kMaxShift of the content.
    const auto dx = static_cast<int64_t>(rng() % kOffsets);
    const auto dy = static_cast<int64_t>(rng() % kOffsets);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) *at_px++ = (dy + y) * pw + dx + (flip ? w - 1 - x : x);
  }
  return padded.gather(2, index.unsqueeze(1).expand({n, c, h * w})).view({n, c, h, w});
}

at::Tensor augment(const at::Tensor& batch, uint64_t seed, float fill) {
  std::mt19937_64 rng(seed);
  return augment(batch, rng, fill);
}

}  // namespace h4h::nas
