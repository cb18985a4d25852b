// Every command's outputs through the real binary: an output that is an input (or another
// output) is refused before any work, naming both; `-`, /dev/stdout, devices, FIFOs and
// process substitution are written in place; a failed command leaves nothing behind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/adversarial_util.h"
#include "tests/cli/cli_test_util.h"

namespace h4h {
namespace {

namespace fs = std::filesystem;
using test::CliResult;
using test::expect_refused;
using test::npu_only;
using test::Scratch;
using test::slurp;
using test::src;
using test::tiny_cnn;

std::string run_args(const std::string& model) { return "run -m " + model + " -a " + npu_only(); }

// A bash command line (process substitution is bash's).
CliResult run_bash(const std::string& script) { return test::run_command("bash -c '" + script + "'"); }

// Before: `run --csv model.onnx` silently replaced the model with the CSV.
TEST(OutputPathsCli, OutputThatIsAnInputIsRefusedByNameHardLinkOrSymlink) {
  Scratch s;
  const std::string model = s.file("m.onnx", slurp(tiny_cnn()));
  const std::string arch = s.file("a.yaml", slurp(npu_only()));
  const std::string hard = s / "hard.csv";
  const std::string soft = s / "soft.json";
  ASSERT_EQ(::link(model.c_str(), hard.c_str()), 0);
  fs::create_symlink(arch, soft);
  const std::string base = "run -m " + model + " -a " + arch;
  expect_refused(test::run_cli(base + " --csv " + model),
                 "--csv " + model + ": is the same file as the input --model " + model +
                     "; an output never replaces an input");
  expect_refused(test::run_cli(base + " --trace " + hard),
                 "--trace " + hard + ": is the same file as the input --model " + model +
                     "; an output never replaces an input");
  expect_refused(test::run_cli(base + " --csv " + soft),
                 "--csv " + soft + ": is the same file as the input --arch " + arch +
                     "; an output never replaces an input");
  EXPECT_EQ(slurp(model), slurp(tiny_cnn())) << "the model was modified";
  EXPECT_EQ(slurp(arch), slurp(npu_only())) << "the arch config was modified";
}

TEST(OutputPathsCli, TwoOutputsOfOneCommandOnOneFileAreRefused) {
  Scratch s;
  const std::string out = s / "k.out";
  expect_refused(test::run_cli(run_args(tiny_cnn()) + " --csv " + out + " --trace " + out),
                 "--trace " + out + ": is the same file as the output --csv " + out +
                     "; give each output its own file");
  expect_refused(test::run_cli(run_args(tiny_cnn()) + " --csv - --json"),
                 "--csv - and --json both write to standard output; give --csv a file");
  EXPECT_TRUE(s.entries().empty());
}

// Before: `sweep report --csv DB` replaced the results database with a CSV.
TEST(OutputPathsCli, EveryCommandRefusesToOverwriteItsInputs) {
  Scratch s;
  const std::string cfg = s.file("scale.cfg", slurp(src("tests/data/scalesim/scale.cfg")));
  const std::string topo = s.file("t.csv", slurp(src("tests/data/scalesim/vit_s.csv")));
  s.dir("out");
  ASSERT_EQ(::link(topo.c_str(), (s / "out/COMPUTE_REPORT.csv").c_str()), 0);
  expect_refused(test::run_cli("scalesim -c " + cfg + " -t " + topo + " -o " + (s / "out")),
                 "--out " + (s / "out/COMPUTE_REPORT.csv") + ": is the same file as the input --topology " +
                     topo + "; an output never replaces an input");
  const std::string db = s.file("r.db", "not read: the refusal comes first");
  expect_refused(test::run_cli("sweep report --db " + db + " --csv " + db),
                 "--csv " + db + ": is the same file as the input --db " + db +
                     "; an output never replaces an input");
  const std::string space = s.file("space.yaml", slurp(src("nas/spaces/h4h_fmnist.yaml")));
  expect_refused(test::run_cli("nas export --space " + space + " --subnet largest --out " + space),
                 "--out " + space + ": is the same file as the input --space " + space +
                     "; an output never replaces an input");
  const std::string shard = s.file("shard.db", "x");
  expect_refused(test::run_cli("sweep merge " + shard + " --db " + shard),
                 "--db " + shard + ": is the same file as the input shards " + shard +
                     "; an output never replaces an input");
  EXPECT_EQ(slurp(db), "not read: the refusal comes first");
  EXPECT_EQ(slurp(shard), "x");
}

// Before, as root: `run --csv /dev/stdout` replaced the system's /dev/stdout (a symlink)
// with a regular file, and a FIFO or /dev/null output was replaced by a file.
TEST(OutputPathsCli, StandardOutputDevicesAndFifosAreWrittenInPlace) {
  Scratch s;
  const CliResult dash = test::run_cli(run_args(tiny_cnn()) + " --csv -");
  ASSERT_EQ(dash.exit_code, 0) << dash.err;
  EXPECT_EQ(dash.out.rfind("inference,name,", 0), 0u) << dash.out.substr(0, 200);  // the CSV on stdout
  EXPECT_NE(dash.err.find("latency"), std::string::npos) << "the table moves to stderr";

  const CliResult dev = test::run_cli(run_args(tiny_cnn()) + " --csv /dev/stdout --json");
  expect_refused(dev, "--csv /dev/stdout and --json both write to standard output; give --csv a file");
  EXPECT_TRUE(fs::is_symlink("/dev/stdout"));

  const CliResult null = test::run_cli(run_args(tiny_cnn()) + " --csv /dev/null --trace /dev/null");
  EXPECT_EQ(null.exit_code, 0) << null.err;
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced";

  const std::string fifo = s / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const CliResult r = run_bash("cat " + fifo + " > " + (s / "got.csv") + " & " + H4H_CLI_PATH + " " +
                               run_args(tiny_cnn()) + " --csv " + fifo + "; wait");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(s / "got.csv").rfind("inference,name,", 0), 0u);
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));

  const CliResult sub = run_bash(std::string(H4H_CLI_PATH) + " " + run_args(tiny_cnn()) + " --json --csv >(cat > " +
                                 (s / "sub.csv") + "); sleep 0.2");
  EXPECT_EQ(sub.exit_code, 0) << sub.err;
  EXPECT_EQ(slurp(s / "sub.csv").rfind("inference,name,", 0), 0u);
  EXPECT_EQ(sub.out.front(), '{');
}

TEST(OutputPathsCli, OutputsOfSeveralFilesOrUpdatedInPlaceRefuseStandardOutput) {
  expect_refused(test::run_cli("nas validate --space h4h_fmnist --arch " + src("arch_configs/hetero.yaml") +
                               " --lut nothing.lut --plot -"),
                 "--plot -: writes two plots (STEM_latency, STEM_energy), not one stream; give a file name "
                 "such as v.svg");
  expect_refused(test::run_cli("scalesim -c " + src("tests/data/scalesim/scale.cfg") + " -t " +
                               src("tests/data/scalesim/vit_s.csv") + " -o -"),
                 "--out -: standard output is not a directory; --out takes a directory for its files");
  expect_refused(test::run_cli("sweep merge nothing.db --db -"),
                 "--db -: a database is updated in place and cannot be standard output; give a file");
}

TEST(OutputPathsCli, FullDeviceReportsNoSpaceNotPermission) {
  expect_refused(test::run_cli(run_args(tiny_cnn()) + " --json --trace /dev/full"),
                 "/dev/full: write failed (No space left on device)");
}

TEST(OutputPathsCli, SymlinkedAndNameMaxOutputsWork) {
  Scratch s;
  const std::string target = s.file("target.csv", "old");
  fs::create_symlink("target.csv", s / "link.csv");
  const std::string name(250, 'k');
  const CliResult r = test::run_cli(run_args(tiny_cnn()) + " --csv " + (s / "link.csv") + " --trace " + (s / name));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(s / "link.csv"));
  EXPECT_EQ(slurp(target).rfind("inference,name,", 0), 0u);
  EXPECT_EQ(s.entries(), (std::vector<std::string>{name, "link.csv", "target.csv"}));
}

}  // namespace
}  // namespace h4h
