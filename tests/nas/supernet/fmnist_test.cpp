// Fashion-MNIST reader: the real files of dataset-fashion-mnist (counts, balanced classes,
// normalization), the seeded validation split, every broken file as a UserError naming it,
// and the augmentation (a flip and a shift of each image, reproducible from a seed).
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "nas/supernet/fmnist.h"

using namespace h4h;
using namespace h4h::nas;
namespace fs = std::filesystem;

namespace {

const char* const kFiles[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

std::vector<int64_t> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kLong).contiguous();
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

// The message of the UserError `fn` throws ("" when it throws none).
template <typename Fn>
std::string user_error(Fn&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

// A fresh directory holding links to the four real files, ready to have one replaced.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / (std::string("fmnist_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* f : kFiles) fs::create_symlink(fs::path(kFmnistDefaultDir) / f, dir_ / f);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string dir() const { return dir_.string(); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The decompressed bytes of a real file.
  static std::string real_bytes(const std::string& name) {
    const std::string p = std::string(kFmnistDefaultDir) + "/" + name;
    gzFile f = gzopen(p.c_str(), "rb");
    EXPECT_NE(f, nullptr) << p;
    std::string out;
    char buf[1 << 16];
    int got;
    while ((got = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(got));
    gzclose(f);
    return out;
  }
  // Replaces `name` (the link) with these bytes, gzipped unless `gzip` is false.
  void write(const std::string& name, const std::string& bytes, bool gzip = true) const {
    fs::remove(dir_ / name);
    if (gzip) {
      gzFile f = gzopen(path(name).c_str(), "wb");
      ASSERT_NE(f, nullptr);
      ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
                static_cast<int>(bytes.size()));
      gzclose(f);
    } else {
      std::ofstream(path(name), std::ios::binary) << bytes;
    }
  }
  // Replaces `name` with the first `keep` bytes of the real (compressed) file.
  void truncate(const std::string& name, size_t keep) const {
    std::ifstream in(std::string(kFmnistDefaultDir) + "/" + name, std::ios::binary);
    std::string gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_LT(keep, gz.size());
    write(name, gz.substr(0, keep), false);
  }

 private:
  fs::path dir_;
};

const FmnistData& full_data() {  // the whole training set, no validation split
  static const FmnistData d = load_fmnist(kFmnistDefaultDir, 0);
  return d;
}

at::Tensor test_images(int64_t n) { return load_fmnist(kFmnistDefaultDir, 0, 0, n).test.images; }

}  // namespace

TEST(Fmnist, RealFilesHoldTheOfficialCountsAsFloatImagesAndInt64Labels) {
  const FmnistData& d = full_data();
  EXPECT_EQ(d.train.images.sizes(), (at::IntArrayRef{60000, 1, 28, 28}));
  EXPECT_EQ(d.test.images.sizes(), (at::IntArrayRef{10000, 1, 28, 28}));
  EXPECT_EQ(d.train.images.scalar_type(), at::kFloat);
  EXPECT_EQ(d.train.labels.scalar_type(), at::kLong);
  EXPECT_EQ(d.train.size(), 60000);
  EXPECT_EQ(d.val.size(), 0);
  EXPECT_EQ(d.test.size(), 10000);
  EXPECT_EQ(to_vector(d.test.indices), to_vector(at::arange(10000, at::kLong)));
}

TEST(Fmnist, ClassesAreBalanced6000PerClassInTrainAnd1000InTest) {
  const FmnistData& d = full_data();
  EXPECT_EQ(to_vector(d.train.labels.bincount()), std::vector<int64_t>(10, 6000));
  EXPECT_EQ(to_vector(d.test.labels.bincount()), std::vector<int64_t>(10, 1000));
}

TEST(Fmnist, NormalizedPixelsSpanBlackToWhiteWithTrainingMeanZeroAndStdOne) {
  const at::Tensor& x = full_data().train.images;
  EXPECT_NEAR(x.min().item<float>(), kFmnistBlack, 1e-5);
  EXPECT_NEAR(x.max().item<float>(), (1.0f - kFmnistMean) / kFmnistStd, 1e-5);
  EXPECT_NEAR(x.mean().item<double>(), 0.0, 2e-3);
  EXPECT_NEAR(x.std().item<double>(), 1.0, 2e-3);
  const at::Tensor& t = full_data().test.images;
  EXPECT_GE(t.min().item<float>(), kFmnistBlack - 1e-5f);
  EXPECT_LE(t.max().item<float>(), (1.0f - kFmnistMean) / kFmnistStd + 1e-5f);
}

TEST(Fmnist, ValidationSplitIsDisjointFromTrainCoversItAndMatchesTheFile) {
  const FmnistData d = load_fmnist();  // defaults: 5000 held out, seed 0
  ASSERT_EQ(d.train.size(), 55000);
  ASSERT_EQ(d.val.size(), 5000);
  std::set<int64_t> seen;
  for (int64_t i : to_vector(d.train.indices)) seen.insert(i);
  for (int64_t i : to_vector(d.val.indices)) EXPECT_TRUE(seen.insert(i).second) << i;
  EXPECT_EQ(seen.size(), 60000u);
  EXPECT_EQ(*seen.rbegin(), 59999);
  // Each split holds exactly the file's records at its indices, in file order.
  const FmnistSplit& all = full_data().train;
  for (const FmnistSplit* s : {&d.train, &d.val}) {
    EXPECT_TRUE(at::equal(s->images, all.images.index_select(0, s->indices)));
    EXPECT_TRUE(at::equal(s->labels, all.labels.index_select(0, s->indices)));
    EXPECT_TRUE(at::equal(s->indices, std::get<0>(s->indices.sort())));
  }
  EXPECT_TRUE(at::equal(d.test.images, full_data().test.images));
}

TEST(Fmnist, ValidationSplitDependsOnlyOnTheSeed) {
  const FmnistData a = load_fmnist(kFmnistDefaultDir, 300, 11, 3000);
  const FmnistData b = load_fmnist(kFmnistDefaultDir, 300, 11, 3000);
  const FmnistData c = load_fmnist(kFmnistDefaultDir, 300, 12, 3000);
  EXPECT_TRUE(at::equal(a.val.indices, b.val.indices));
  EXPECT_TRUE(at::equal(a.val.images, b.val.images));
  EXPECT_FALSE(at::equal(a.val.indices, c.val.indices));
  // A shuffle, not a block: the held-out records are spread over the whole range.
  const std::vector<int64_t> v = to_vector(a.val.indices);
  EXPECT_LT(v.front(), 100);
  EXPECT_GT(v.back(), 2900);
}

TEST(Fmnist, LimitKeepsTheFirstRecordsOfEachFile) {
  const FmnistData d = load_fmnist(kFmnistDefaultDir, 20, 0, 100);
  EXPECT_EQ(d.train.size() + d.val.size(), 100);
  EXPECT_EQ(d.val.size(), 20);
  EXPECT_EQ(d.test.size(), 100);
  EXPECT_TRUE(at::equal(d.test.images, full_data().test.images.narrow(0, 0, 100)));
  EXPECT_TRUE(at::equal(d.train.labels, full_data().train.labels.index_select(0, d.train.indices)));
  EXPECT_LT(d.train.indices.max().item<int64_t>(), 100);
}

TEST(Fmnist, BadValidationCountOrLimitIsUserError) {
  EXPECT_NE(
      user_error([] { load_fmnist(kFmnistDefaultDir, 100, 0, 100); }).find("validation count 100"),
      std::string::npos);
  EXPECT_NE(user_error([] { load_fmnist(kFmnistDefaultDir, -1, 0, 100); }), "");
  EXPECT_NE(user_error([] { load_fmnist(kFmnistDefaultDir, 10, 0, -5); }).find("limit -5"),
            std::string::npos);
}

TEST(FmnistFiles, MissingFileIsUserErrorNamingItAndThePackage) {
  ScratchDir scratch;
  fs::remove(scratch.path("t10k-labels-idx1-ubyte.gz"));
  const std::string msg = user_error([&] { load_fmnist(scratch.dir(), 0, 0, 10); });
  EXPECT_NE(msg.find(scratch.path("t10k-labels-idx1-ubyte.gz")), std::string::npos) << msg;
  EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
  const std::string nodir = user_error([] { load_fmnist("/nonexistent/fmnist"); });
  EXPECT_NE(nodir.find("/nonexistent/fmnist/train-images-idx3-ubyte.gz"), std::string::npos);
}

TEST(FmnistFiles, TruncatedGzipIsUserErrorNamingTheFile) {
  ScratchDir scratch;
  scratch.truncate("train-images-idx3-ubyte.gz", 1 << 20);  // of about 26 MB
  const std::string msg = user_error([&] { load_fmnist(scratch.dir(), 0); });
  EXPECT_NE(msg.find(scratch.path("train-images-idx3-ubyte.gz")), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  // Cut inside the header: still the file's name, never a crash.
  scratch.truncate("t10k-labels-idx1-ubyte.gz", 20);
  const std::string header = user_error([&] { load_fmnist(scratch.dir(), 0, 0, 10); });
  EXPECT_NE(header.find(scratch.path("t10k-labels-idx1-ubyte.gz")), std::string::npos) << header;
}

TEST(FmnistFiles, RecordsCutShortOrTrailingBytesAreUserErrors) {
  ScratchDir scratch;
  const std::string labels = ScratchDir::real_bytes("t10k-labels-idx1-ubyte.gz");
  scratch.write("t10k-labels-idx1-ubyte.gz", labels.substr(0, labels.size() - 1));
  EXPECT_NE(user_error([&] { load_fmnist(scratch.dir(), 0); }).find("truncated"),
            std::string::npos);
  scratch.write("t10k-labels-idx1-ubyte.gz", labels + "x");
  EXPECT_NE(user_error([&] { load_fmnist(scratch.dir(), 0); }).find("after the last record"),
            std::string::npos);
}

TEST(FmnistFiles, FlippedMagicNumberIsUserErrorNamingTheFile) {
  ScratchDir scratch;
  std::string labels = ScratchDir::real_bytes("train-labels-idx1-ubyte.gz");
  labels[3] = 0x03;  // 2049 -> 2051: an image file's magic
  scratch.write("train-labels-idx1-ubyte.gz", labels);
  const std::string msg = user_error([&] { load_fmnist(scratch.dir(), 0, 0, 10); });
  EXPECT_NE(msg.find(scratch.path("train-labels-idx1-ubyte.gz")), std::string::npos) << msg;
  EXPECT_NE(msg.find("magic number 2051, expected 2049"), std::string::npos) << msg;
  // Not gzip and not IDX either (gzopen passes plain files through): the magic check catches it.
  scratch.write("train-labels-idx1-ubyte.gz", "this is not a dataset\n", false);
  EXPECT_NE(user_error([&] { load_fmnist(scratch.dir(), 0, 0, 10); }).find("magic"),
            std::string::npos);
}

TEST(FmnistFiles, WrongCountOrLabelIsUserErrorNamingTheFile) {
  ScratchDir scratch;
  // The test labels in place of the training labels: 10000 records, not 60000.
  scratch.write("train-labels-idx1-ubyte.gz", ScratchDir::real_bytes("t10k-labels-idx1-ubyte.gz"));
  const std::string msg = user_error([&] { load_fmnist(scratch.dir(), 0, 0, 10); });
  EXPECT_NE(msg.find(scratch.path("train-labels-idx1-ubyte.gz")), std::string::npos) << msg;
  EXPECT_NE(msg.find("record count is 10000, expected 60000"), std::string::npos) << msg;

  std::string labels = ScratchDir::real_bytes("t10k-labels-idx1-ubyte.gz");
  labels[8 + 7] = 10;  // record 7
  scratch.write("train-labels-idx1-ubyte.gz", ScratchDir::real_bytes("train-labels-idx1-ubyte.gz"));
  scratch.write("t10k-labels-idx1-ubyte.gz", labels);
  const std::string bad = user_error([&] { load_fmnist(scratch.dir(), 0, 0, 10); });
  EXPECT_NE(bad.find("label 10 of record 7"), std::string::npos) << bad;
}

TEST(FmnistFiles, UncompressedFilesAreReadToo) {
  ScratchDir scratch;
  const std::string name = "t10k-images-idx3-ubyte";
  fs::remove(scratch.path(name + ".gz"));
  scratch.write(name, ScratchDir::real_bytes(name + ".gz"), false);
  const FmnistData d = load_fmnist(scratch.dir(), 0, 0, 50);
  EXPECT_TRUE(at::equal(d.test.images, test_images(50)));
}

namespace {

// Reference for augment(): image `src` [C, H, W] flipped (or not), then shifted by (sx, sy)
// pixels, with `fill` where the shift uncovers the border. Written pixel by pixel.
at::Tensor flipped_and_shifted(const at::Tensor& src, bool flip, int64_t sx, int64_t sy,
                               float fill) {
  const int64_t c = src.size(0), h = src.size(1), w = src.size(2);
  at::Tensor out = at::full({c, h, w}, fill);
  auto in = src.accessor<float, 3>();
  auto o = out.accessor<float, 3>();
  for (int64_t k = 0; k < c; ++k)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        const int64_t fy = y - sy, fx = x - sx;
        if (fy < 0 || fy >= h || fx < 0 || fx >= w) continue;
        o[k][y][x] = in[k][fy][flip ? w - 1 - fx : fx];
      }
  return out;
}

}  // namespace

TEST(FmnistAugment, KeepsShapeLeavesInputAloneAndIsDeterministicForASeed) {
  const at::Tensor batch = test_images(64);
  const at::Tensor before = batch.clone();
  const at::Tensor a = augment(batch, uint64_t{7});
  EXPECT_EQ(a.sizes(), batch.sizes());
  EXPECT_EQ(a.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(batch, before));
  EXPECT_TRUE(at::equal(a, augment(batch, uint64_t{7})));
  EXPECT_FALSE(at::equal(a, augment(batch, uint64_t{8})));
  // A generator carries on: its second batch differs from its first, which is the seed's.
  std::mt19937_64 rng(7);
  EXPECT_TRUE(at::equal(augment(batch, rng), a));
  EXPECT_FALSE(at::equal(augment(batch, rng), a));
}

TEST(FmnistAugment, EachImageIsAFlipAndAShiftOfUpToTwoPixelsOfItsInput) {
  const at::Tensor batch = test_images(64);
  const at::Tensor out = augment(batch, uint64_t{3});
  int flips = 0;
  std::set<int64_t> shifts_x;
  for (int64_t i = 0; i < batch.size(0); ++i) {
    bool found = false;
    for (int flip = 0; flip < 2 && !found; ++flip)
      for (int64_t sy = -2; sy <= 2 && !found; ++sy)
        for (int64_t sx = -2; sx <= 2 && !found; ++sx)
          if (at::equal(out[i], flipped_and_shifted(batch[i], flip, sx, sy, kFmnistBlack))) {
            found = true;
            flips += flip;
            shifts_x.insert(sx);
          }
    EXPECT_TRUE(found) << "image " << i << " is no flip/shift of its input";
  }
  // Both outcomes of the coin and every shift occur in 64 draws (seed 3).
  EXPECT_GT(flips, 10);
  EXPECT_LT(flips, 54);
  EXPECT_EQ(shifts_x.size(), 5u);
}
