// The output rules (frontend/output_file.h) on real files, links, devices and FIFOs: what
// is replaced, what is written in place, what is refused, and that nothing is left behind.
#include "frontend/output_file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "frontend/user_error.h"
#include "tests/user_error_of.h"

namespace h4h {
namespace {

namespace fs = std::filesystem;

class Dir {
 public:
  Dir() {
    std::string tmpl = (fs::temp_directory_path() / "h4h_out_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(path_))
      out.push_back(e.path().lexically_relative(path_).string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(OutputFile, RegularOutputIsReplacedWholeAndKeepsItsPermissionBits) {
  Dir d;
  put(d / "out.csv", "old contents, longer than the new ones");
  ::chmod((d / "out.csv").c_str(), 0640);
  write_output(d / "out.csv", "new");
  EXPECT_EQ(slurp(d / "out.csv"), "new");
  struct stat st {};
  ASSERT_EQ(::stat((d / "out.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(d.entries(), std::vector<std::string>{"out.csv"});  // no temporary left
}

TEST(OutputFile, SymlinkIsFollowedAndStaysALink) {
  Dir d;
  put(d / "target.csv", "old");
  fs::create_symlink("target.csv", d / "link.csv");
  write_output(d / "link.csv", "new");
  EXPECT_TRUE(fs::is_symlink(d / "link.csv"));
  EXPECT_EQ(slurp(d / "target.csv"), "new");
  // A dangling link creates its target.
  fs::create_symlink("made.csv", d / "dangling.csv");
  write_output(d / "dangling.csv", "made");
  EXPECT_TRUE(fs::is_symlink(d / "dangling.csv"));
  EXPECT_EQ(slurp(d / "made.csv"), "made");
  EXPECT_EQ(d.entries(), (std::vector<std::string>{"dangling.csv", "link.csv", "made.csv", "target.csv"}));
}

TEST(OutputFile, CharacterDeviceIsWrittenInPlaceNeverReplaced) {
  write_output("/dev/null", "discarded");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced by a regular file";
  check_output_writable("/dev/null");
}

TEST(OutputFile, FullDeviceReportsTheRealErrno) {
  EXPECT_EQ(test::user_error_of([] { write_output("/dev/full", std::string(1 << 16, 'x')); }),
            "/dev/full: write failed (No space left on device)");
  struct stat st {};
  ASSERT_EQ(::stat("/dev/full", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(OutputFile, FifoIsWrittenInPlaceForItsReader) {
  Dir d;
  ASSERT_EQ(::mkfifo((d / "pipe").c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(d / "pipe"); });
  write_output(d / "pipe", "through the pipe");
  reader.join();
  EXPECT_EQ(got, "through the pipe");
  struct stat st {};
  ASSERT_EQ(::stat((d / "pipe").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(OutputFile, OwnDescriptorPathsWriteThroughTheDescriptor) {
  // /dev/fd/N is this process's descriptor N: written at its offset, not reopened (a reopen
  // would start a redirected regular file over at 0) and never replaced.
  Dir d;
  const int fd = ::open((d / "sink").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "head,", 5), 5);
  write_output("/dev/fd/" + std::to_string(fd), "tail");
  ::close(fd);
  EXPECT_EQ(slurp(d / "sink"), "head,tail");
  EXPECT_TRUE(names_standard_output("-"));
  EXPECT_TRUE(names_standard_output("/dev/stdout"));
  EXPECT_TRUE(names_standard_output("/proc/self/fd/1"));
  EXPECT_FALSE(names_standard_output(d / "sink"));
}

TEST(OutputFile, NameOfNameMaxLengthKeepsWorking) {
  Dir d;
  const long name_max = ::pathconf((d / "").c_str(), _PC_NAME_MAX);
  ASSERT_GT(name_max, 16);
  const std::string name(static_cast<size_t>(name_max), 'n');
  check_output_writable(d / name);
  write_output(d / name, "long");
  EXPECT_EQ(slurp(d / name), "long");
  PendingOutput p(d / name);
  EXPECT_LE(fs::path(p.temp_path()).filename().string().size(), static_cast<size_t>(name_max));
}

TEST(OutputFile, PendingOutputLeavesNothingUnlessCommitted) {
  Dir d;
  put(d / "keep.bin", "untouched");
  {
    PendingOutput p(d / "keep.bin");
    put(p.temp_path(), "abandoned");
  }
  EXPECT_EQ(slurp(d / "keep.bin"), "untouched");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"keep.bin"});
}

TEST(OutputFile, MissingDirectoryAndDirectoryTargetsAreClearErrors) {
  Dir d;
  fs::create_directory(d / "sub");
  EXPECT_EQ(test::user_error_of([&] { write_output(d / "no/such/x.csv", "x"); }),
            (d / "no/such/x.csv") + ": cannot be written (no such directory)");
  EXPECT_EQ(test::user_error_of([&] { write_output(d / "sub", "x"); }),
            (d / "sub") + ": cannot be written (is a directory)");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"sub"});
}

TEST(OutputFile, OutputThatIsAnInputByHardLinkOrSymlinkIsRefusedNamingBoth) {
  Dir d;
  put(d / "model.onnx", "model");
  ::link((d / "model.onnx").c_str(), (d / "hard.csv").c_str());
  fs::create_symlink(d / "model.onnx", d / "soft.csv");
  for (const std::string& out : {d / "model.onnx", d / "hard.csv", d / "soft.csv"})
    EXPECT_EQ(test::user_error_of([&] { check_distinct_files({{"--model", d / "model.onnx"}}, {{"--csv", out}}); }),
              "--csv " + out + ": is the same file as the input --model " + (d / "model.onnx") +
                  "; an output never replaces an input");
  // Through a relative path with `..` too.
  fs::create_directory(d / "sub");
  const std::string indirect = (d / "sub") + "/../model.onnx";
  EXPECT_NE(test::user_error_of([&] { check_distinct_files({{"--model", d / "model.onnx"}}, {{"--csv", indirect}}); }),
            "(no error)");
}

TEST(OutputFile, TwoOutputsOnOneFileAreRefusedEvenBeforeItExists) {
  Dir d;
  fs::create_directory(d / "sub");
  EXPECT_EQ(test::user_error_of([&] {
              check_distinct_files({}, {{"--csv", d / "k.out"}, {"--trace", (d / "sub") + "/../k.out"}});
            }),
            "--trace " + (d / "sub") + "/../k.out: is the same file as the output --csv " + (d / "k.out") +
                "; give each output its own file");
  EXPECT_EQ(test::user_error_of([&] { check_distinct_files({}, {{"--csv", "-"}, {"--trace", "/dev/stdout"}}); }),
            "--csv - and --trace /dev/stdout both write to standard output; give one a file");
  // Devices may be shared: two outputs thrown away.
  EXPECT_EQ(test::user_error_of([&] { check_distinct_files({}, {{"--csv", "/dev/null"}, {"--trace", "/dev/null"}}); }),
            "(no error)");
  EXPECT_EQ(d.entries(), std::vector<std::string>{"sub"});
}

TEST(OutputFile, OutputDirectoryRemovesOnlyWhatItCreated) {
  Dir d;
  {
    OutputDirectory out(d / "a/b/c");
    put(out.file("x.csv"), "partial");
  }  // not kept: a failed command
  EXPECT_TRUE(d.entries().empty()) << "left: " << d.entries().size();
  fs::create_directory(d / "mine");
  put(d / "mine/user.txt", "a user's file");
  {
    OutputDirectory out(d / "mine");
    put(out.file("x.csv"), "complete");
  }
  // An existing directory and what a user keeps in it stay.
  EXPECT_EQ(slurp(d / "mine/user.txt"), "a user's file");
  {
    OutputDirectory out(d / "new");
    put(out.file("x.csv"), "done");
    out.keep();
  }
  EXPECT_EQ(slurp(d / "new/x.csv"), "done");
  put(d / "file", "x");
  EXPECT_EQ(test::user_error_of([&] { OutputDirectory out(d / "file/sub"); }),
            (d / "file/sub") + ": cannot create directory: " + (d / "file") + " is a file, not a directory");
}

}  // namespace
}  // namespace h4h
