// Replays fuzz inputs without libFuzzer: runs LLVMFuzzerTestOneInput once on every file
// named on the command line or found (recursively, in sorted order) under a named
// directory. Linked with each harness in the normal build, so ctest keeps the harnesses
// compiling and every committed seed and regression input passing, with any compiler.
// A finding (crash, exception other than h4h::UserError) ends the process abnormally;
// the file being run is printed first so the log names it.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputs_under(const fs::path& arg) {
  std::vector<fs::path> files;
  if (fs::is_directory(arg)) {
    for (const auto& e : fs::recursive_directory_iterator(arg))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(arg);
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
    return 2;
  }
  size_t runs = 0;
  // Absolute paths first: a harness may change the working directory (fuzz_cli works in a
  // scratch directory of its own).
  std::vector<fs::path> args;
  for (int i = 1; i < argc; ++i) args.push_back(fs::absolute(argv[i]));
  for (size_t i = 0; i < args.size(); ++i) {
    if (!fs::exists(args[i])) {
      // A missing corpus would make the test pass vacuously.
      std::fprintf(stderr, "%s: no such file or directory\n", args[i].c_str());
      return 2;
    }
    for (const auto& path : inputs_under(args[i])) {
      std::ifstream in(path, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      std::fprintf(stderr, "replay %s (%zu bytes)\n", path.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++runs;
    }
  }
  std::printf("replayed %zu inputs\n", runs);
  return runs == 0 ? 1 : 0;
}
