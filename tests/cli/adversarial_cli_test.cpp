// Adversarial inputs and unwritable outputs end to end: every case is exit code 2, nothing
// on stdout, exactly the expected one line on stderr, and no file (whole, partial or
// temporary) left where the output would have gone. docs/hardening.md lists the cases.
//
// Permission cases are real even though CI runs as root (who reads and writes whatever the
// mode bits say): as root the CLI runs as nobody under setpriv; as a user it runs as is.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "tests/adversarial_yaml.h"
#include "tests/bounded_run.h"
#include "tests/cli/adversarial_util.h"
#include "tests/cli/cli_test_util.h"
#include "tests/frontend/model_builder.h"
#include "tests/sim/sweep/bad_results_dbs.h"

namespace h4h {
namespace {

using test::CliResult;
using test::expect_refused;
using test::run_cli_as;
using test::Scratch;
using test::src;
using test::kReadOnlyDir;
using test::unprivileged;
using test::expect_denied;
using test::tiny_cnn;
using test::npu_only;
namespace fs = std::filesystem;

void save(const test::ModelBuilder& b, const std::string& path) {
  std::ofstream(path, std::ios::binary) << b.model().SerializeAsString();
}

// --- model files ---------------------------------------------------------------------------

TEST(AdversarialCli, ModelThatIsADirectoryIsOneLine) {
  Scratch s;
  const std::string d = s.dir("model.onnx");
  expect_refused(test::run_cli("inspect --model " + d), d + ": is a directory, not an ONNX file");
  expect_refused(test::run_cli("run --model " + d + " --arch " + npu_only()),
                 d + ": is a directory, not an ONNX file");
}

TEST(AdversarialCli, UnreadableModelIsOneLineEvenAsRoot) {
  Scratch s;
  const std::string f = s.file("secret.onnx", test::slurp(tiny_cnn()));
  fs::permissions(f, fs::perms::none);
  const std::string as = unprivileged();
  expect_denied(as, "-r", f);
  expect_refused(run_cli_as(as, "inspect --model " + f),
                 f + ": cannot be read (Permission denied)");
}

TEST(AdversarialCli, DeviceAsModelIsRefusedNotReadForever) {
  expect_refused(test::run_cli("inspect --model /dev/zero"),
                 "/dev/zero: is not a regular file, not an ONNX file");
}

// Before: node names that were not UTF-8 reached the JSON writer, which threw: `inspect
// --json` ended with "internal error" (exit 3). Now they are escaped where they enter.
TEST(AdversarialCli, NamesThatAreNotUtf8GiveValidJsonAndOneLineErrors) {
  Scratch s;
  test::ModelBuilder ok;
  ok.input("x", {1, 8}).output("z");
  ok.node("Relu", {"x"}, {"y\xff"}, "r\xc3\x28");
  ok.node("Sigmoid", {"y\xff"}, {"z"}, "s\nnew line");
  const std::string good = s.file("names.onnx", "");
  save(ok, good);
  const auto r = test::run_cli("inspect --json --model " + good);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kernels"][0]["name"], "r\\xc3(");
  EXPECT_EQ(j["kernels"][1]["name"], "s\\x0anew line");

  test::ModelBuilder bad;
  bad.input("x", {1, 8}).output("u");
  bad.node("Unique", {"x"}, {"u"}, "bad\xff\nname");
  const std::string unsupported = s.file("bad.onnx", "");
  save(bad, unsupported);
  expect_refused(test::run_cli("inspect --model " + unsupported),
                 unsupported + ": unsupported op 'Unique' (node 'bad\\xff\\x0aname')");
}

// SCALE-Sim files: layer names and the .cfg's run name are escaped as ONNX names are.
// Before: `run --json` on such a topology failed with "internal error" (exit 3).
TEST(AdversarialCli, ScaleSimNamesThatAreNotUtf8GiveValidJson) {
  Scratch s;
  const std::string topo = s.file("names.csv", "Layer, M, N, K,\nfc\xff\x01, 4, 4, 4,\n");
  const auto r = test::run_cli("run --topology " + topo + " --arch " + npu_only() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["kernels"][0]["name"], "fc\\xff\\x01");

  const std::string cfg = s.file("bad.cfg", "[architecture_presets]\nArrayHeight: 8\nArrayHeight: 4\n");
  expect_refused(test::run_cli("scalesim -c " + cfg + " -t " + topo + " -o " + (s / "out")),
                 cfg + ":3: [architecture_presets] ArrayHeight is given twice (first at line 2)");
  EXPECT_FALSE(fs::exists(s / "out"));
}

// Every YAML reader goes through load_yaml: a second document is refused, not dropped.
TEST(AdversarialCli, MultiDocumentYamlIsOneLine) {
  Scratch s;
  const std::string arch = s.file("two.yaml", test::slurp(npu_only()) + "---\nname: other\n");
  const auto r = test::run_cli("run --model " + tiny_cnn() + " --arch " + arch);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(test::line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(arch + ": 2 YAML documents (the second starts at line "), std::string::npos)
      << r.err;
}

TEST(AdversarialCli, ModelPathThatIsNotUtf8GivesValidJson) {
  Scratch s;
  const std::string f = s.file("m\xff.onnx", test::slurp(tiny_cnn()));
  const auto r = test::run_cli("inspect --json --model '" + f + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model"], s.str() + "/m\\xff.onnx");
}

TEST(AdversarialCli, MillionNodeModelIsRefusedQuicklyInBoundedMemory) {
  Scratch s;
  const std::string f = s / "chain.onnx";
  {
    test::ModelBuilder b;
    b.input("x", {1, 8});
    std::string prev = "x";
    for (int i = 0; i < 1000000; ++i) {
      const std::string out = "t" + std::to_string(i);
      b.node("Relu", {prev}, {out}, "n" + std::to_string(i));
      prev = out;
    }
    b.output(prev);
    save(b, f);
  }
  const std::string err = s / "err.txt";
  const auto r = test::run_command_measured(std::string(H4H_CLI_PATH) + " inspect --model " + f +
                                            " >/dev/null 2>" + err);
  ASSERT_TRUE(r.exited) << "killed by signal " << r.signal;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(test::slurp(err),
            "h4hsim: error: " + f +
                ": the graph has 1000000 nodes, more than h4hsim's limit of 200000\n");
  // Before: accepted, 54 s and 2.6 GB for `inspect --json`. Now: parsed (38 MB) and refused.
  EXPECT_LT(r.seconds, 15.0);
  EXPECT_LT(r.max_rss_kb, 1024 * 1024);
}

// --- YAML files ----------------------------------------------------------------------------

TEST(AdversarialCli, YamlThatIsADirectoryIsOneLineForEveryReader) {
  Scratch s;
  const std::string d = s.dir("cfg.yaml");
  expect_refused(test::run_cli("config check " + d), d + ": is a directory, not a YAML file");
  expect_refused(test::run_cli("nas space " + d),
                 d + ": is a directory, not a search space (YAML)");
  expect_refused(test::run_cli("sweep plan " + d), d + ": is a directory, not a sweep spec (YAML)");
  expect_refused(
      test::run_cli("run -m " + tiny_cnn() + " -a " + npu_only() + " -s custom --custom " + d),
      d + ": is a directory, not a YAML file");
}

TEST(AdversarialCli, UnreadableYamlIsOneLineEvenAsRoot) {
  Scratch s;
  const std::string f = s.file("cfg.yaml", test::slurp(npu_only()));
  fs::permissions(f, fs::perms::none);
  const std::string as = unprivileged();
  expect_denied(as, "-r", f);
  expect_refused(run_cli_as(as, "config check " + f), f + ": cannot be read (Permission denied)");
  expect_refused(run_cli_as(as, "nas space " + f), f + ": cannot be read (Permission denied)");
  expect_refused(run_cli_as(as, "sweep plan " + f), f + ": cannot be read (Permission denied)");
}

TEST(AdversarialCli, EmptyYamlIsOneLine) {
  Scratch s;
  const std::string f = s.file("empty.yaml", "");
  expect_refused(test::run_cli("config check " + f),
                 f + ": empty config (expected a map of keys such as npu:, cim:)");
  expect_refused(test::run_cli("nas space " + f), f + ": empty document");
  expect_refused(test::run_cli("sweep plan " + f), f + ": empty document");
}

TEST(AdversarialCli, HostileYamlIsOneLineAndQuick) {
  Scratch s;
  const std::string bomb = s.file("bomb.yaml", "npu: " + test::alias_bomb() + "\n");
  const std::string deep = s.file("deep.yaml", "npu: " + test::deep_flow_list(100000) + "\n");
  const std::string bytes = s.file("bytes.yaml", "npu:\n  ro\xffws: 4\n");
  for (const auto& [file, line] :
       {std::pair{bomb, bomb + ": npu: expected a map of keys (line 1)"},
        std::pair{deep,
                  deep + ": line 1: nested deeper than 200 levels (h4hsim's limit for YAML files)"},
        std::pair{
            bytes,
            bytes + ": line 2, column 5: not UTF-8 (byte 0xff); YAML files must be UTF-8 text"}}) {
    SCOPED_TRACE(file);
    const std::string err = s / "err.txt";
    const auto r = test::run_command_measured(std::string(H4H_CLI_PATH) + " config check " + file +
                                              " 2>" + err);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(test::slurp(err), "h4hsim: error: " + line + "\n");
    EXPECT_LT(r.seconds, 5.0);
    EXPECT_LT(r.max_rss_kb, 256 * 1024);
  }
}

// --- outputs that cannot be written ------------------------------------------------------------

// Before: `run` simulated first and only then found out the output could not be written.
TEST(AdversarialCli, RunOutputsThatCannotBeWrittenAreRefusedBeforeSimulating) {
  Scratch s;
  const std::string base = "run -m " + tiny_cnn() + " -a " + npu_only();
  const std::string is_dir = s.dir("out_dir");
  for (const char* flag : {"--csv", "--trace"}) {
    SCOPED_TRACE(flag);
    expect_refused(test::run_cli(base + " " + flag + " " + (s / "no/such/k.out")),
                   (s / "no/such/k.out") + ": cannot be written (no such directory)");
    expect_refused(test::run_cli(base + " " + flag + " " + is_dir),
                   is_dir + ": cannot be written (is a directory)");
  }
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_denied(as, "-w", ro);
  expect_refused(run_cli_as(as, base + " --csv " + ro + "/k.csv"),
                 ro + "/k.csv: cannot be written (Permission denied)");
  expect_refused(run_cli_as(as, base + " --trace " + ro + "/t.json"),
                 ro + "/t.json: cannot be written (Permission denied)");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"out_dir", "ro"}));
}

TEST(AdversarialCli, ScaleSimOutputDirectoryThatCannotBeWrittenIsOneLine) {
  Scratch s;
  const std::string io = "scalesim -c " + src("tests/data/scalesim/scale.cfg") + " -t " +
                         src("tests/data/scalesim/vit_s.csv");
  const std::string file = s.file("a_file", "x");
  expect_refused(test::run_cli(io + " -o " + file),
                 file + ": cannot create directory: is a file, not a directory");
  expect_refused(test::run_cli(io + " -o " + file + "/out"),
                 file + "/out: cannot create directory: " + file + " is a file, not a directory");
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_denied(as, "-w", ro);
  expect_refused(run_cli_as(as, io + " -o " + ro),
                 ro + "/COMPUTE_REPORT.csv: cannot be written (Permission denied)");
  expect_refused(run_cli_as(as, io + " -o " + ro + "/sub"),
                 ro + "/sub: cannot create directory: Permission denied");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"a_file", "ro"}));
}

TEST(AdversarialCli, NasExportToAPathThatCannotBeWrittenIsOneLine) {
  Scratch s;
  const std::string args = "nas export --space h4h_fmnist --subnet smallest --out ";
  expect_refused(test::run_cli(args + (s / "no/m.onnx")),
                 (s / "no/m.onnx") + ": cannot be written (no such directory)");
  const std::string d = s.dir("m.onnx");
  expect_refused(test::run_cli(args + d), d + ": cannot be written (is a directory)");
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_refused(run_cli_as(as, args + ro + "/m.onnx"),
                 ro + "/m.onnx: cannot be written (Permission denied)");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"m.onnx", "ro"}));
}

// Before: `nas lut` simulated every block (seconds to minutes) before it found out.
TEST(AdversarialCli, NasLutToAPathThatCannotBeWrittenIsRefusedBeforeSimulating) {
  Scratch s;
  const std::string args =
      "nas lut -q --space h4h_fmnist --arch " + src("arch_configs/hetero.yaml") + " --out ";
  expect_refused(test::run_cli(args + (s / "no/a.lut")),
                 (s / "no/a.lut") + ": cannot be written (no such directory)");
  const std::string d = s.dir("a.lut");
  expect_refused(test::run_cli(args + d), d + ": is a directory, not an h4hsim LUT (JSON)");
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_refused(run_cli_as(as, args + ro + "/a.lut"),
                 ro + "/a.lut: cannot be written (Permission denied)");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"a.lut", "ro"}));
}

// One LUT for the tests that need one (built once per process, removed at its exit).
const std::string& fmnist_lut() {
  struct Lut {
    std::string path = "/tmp/h4h_adv_lut_" + std::to_string(::getpid()) + ".lut";
    Lut() {
      const auto r =
          test::run_cli("nas lut -q --space h4h_fmnist --arch " + src("arch_configs/hetero.yaml") +
                        " --calibration 2 --out " + path);
      EXPECT_EQ(r.exit_code, 0) << r.err;
    }
    ~Lut() { std::remove(path.c_str()); }
  };
  static const Lut lut;
  return lut.path;
}

TEST(AdversarialCli, NasValidatePlotThatCannotBeWrittenIsRefusedBeforeSimulating) {
  Scratch s;
  const std::string args = "nas validate -q --space h4h_fmnist --arch " +
                           src("arch_configs/hetero.yaml") + " --lut " + fmnist_lut() +
                           " --samples 2 --plot ";
  expect_refused(test::run_cli(args + (s / "no/v.svg")),
                 (s / "no/v_latency.svg") + ": cannot be written (no such directory)");
  const std::string d = s.dir("v_energy.svg");
  expect_refused(test::run_cli(args + (s / "v.svg")), d + ": cannot be written (is a directory)");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"v_energy.svg"}));
}

TEST(AdversarialCli, NasSearchOutputThatCannotBeWrittenIsOneLine) {
  Scratch s;
  const std::string args = "nas search -q --space h4h_fmnist --arch " +
                           src("arch_configs/hetero.yaml") + " --lut " + fmnist_lut() +
                           " --population 8 --generations 1 --no-resimulate --out ";
  const std::string file = s.file("a_file", "x");
  expect_refused(test::run_cli(args + file),
                 file + ": cannot create directory: is a file, not a directory");
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_refused(run_cli_as(as, args + ro + "/search"),
                 ro + "/search: cannot create directory: Permission denied");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"a_file", "ro"}));
}

// Before: the checkpoint path was first written at the end of the first epoch (minutes in).
TEST(AdversarialCli, NasTrainCheckpointThatCannotBeWrittenIsRefusedBeforeTraining) {
  Scratch s;
  const std::string args = "nas train -q --space h4h_fmnist --limit 64 --max-steps 1 --out ";
  const auto probe = test::run_cli(args + (s / "no/s.pt"));
  if (probe.err.find("without libtorch") != std::string::npos) GTEST_SKIP() << "no libtorch";
  expect_refused(probe, (s / "no/s.pt") + ": cannot be written (no such directory)");
  const std::string d = s.dir("s.pt");
  expect_refused(test::run_cli(args + d), d + ": cannot be written (is a directory)");
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_refused(run_cli_as(as, args + ro + "/s.pt"),
                 ro + "/s.pt: cannot be written (Permission denied)");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"ro", "s.pt"}));
}

std::string tiny_sweep_spec(const Scratch& s) {
  return s.file("spec.yaml", "name: adv\nbase: " + src("arch_configs/hetero.yaml") +
                                 "\naxes:\n  cim.macro_count: [4]\nmodels:\n  - " + tiny_cnn() +
                                 "\nschemas: [npu_only]\n");
}

TEST(AdversarialCli, SweepDatabaseThatCannotBeWrittenIsOneLine) {
  Scratch s;
  const std::string spec = tiny_sweep_spec(s);
  const std::string run = "sweep run -q --jobs 1 " + spec + " --db ";
  expect_refused(
      test::run_cli(run + (s / "no/r.sqlite")),
      (s / "no/r.sqlite") + ": cannot open the results database (unable to open database file)");
  const std::string d = s.dir("r.sqlite");
  expect_refused(test::run_cli(run + d), d + ": is a directory, not a results database");
  const std::string ro = s.dir("ro", kReadOnlyDir);
  const std::string as = unprivileged();
  expect_refused(run_cli_as(as, run + ro + "/r.sqlite"),
                 ro + "/r.sqlite: cannot open the results database (unable to open database file)");
  expect_refused(
      test::run_cli("sweep merge " + (s / "none.sqlite") + " --db " + (s / "no/m.sqlite")),
      (s / "no/m.sqlite") + ": cannot be written (no such directory)");
  EXPECT_EQ(s.entries(), (std::vector<std::string>{"r.sqlite", "ro", "spec.yaml"}));
}

TEST(AdversarialCli, SweepReportOutputsThatCannotBeWrittenAreOneLine) {
  Scratch s;
  const std::string db = s / "r.sqlite";
  const auto ran = test::run_cli("sweep run -q --jobs 1 " + tiny_sweep_spec(s) + " --db " + db);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const auto before = s.entries();
  const std::string report = "sweep report --db " + db;
  expect_refused(test::run_cli(report + " --csv " + (s / "no/f.csv")),
                 (s / "no/f.csv") + ": cannot be written (no such directory)");
  expect_refused(test::run_cli(report + " --out " + (s / "no/f.svg")),
                 (s / "no/f.svg") + ": cannot be written (no such directory)");
  const std::string d = s.dir("f.csv");
  expect_refused(test::run_cli(report + " --csv " + d), d + ": cannot be written (is a directory)");
  auto after = s.entries();
  after.erase(std::find(after.begin(), after.end(), "f.csv"));
  EXPECT_EQ(after, before);
}

// Before: a text file was "not a results database (PATH: file is not a database)"; a
// truncated DB was opened, the sweep ran, and rows failed to be read or written midway
// ("database disk image is malformed"); another program's DB got h4hsim's tables added;
// nothing knew newer or older layouts.
TEST(AdversarialCli, EverySweepCommandRefusesEveryBadDatabaseBeforeRunning) {
  Scratch s;
  const std::string spec = tiny_sweep_spec(s);
  const std::string good = s / "good.sqlite";
  const auto ran = test::run_cli("sweep run -q --jobs 1 " + spec + " --db " + good);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const auto bads = test::write_bad_results_dbs(s / "bad");
  const auto before = s.entries();
  for (const auto& bad : bads) {
    SCOPED_TRACE(bad.kind);
    const std::string bytes = test::file_bytes(bad.path);
    const std::string line = bad.path + ": " + bad.reason;
    expect_refused(test::run_cli("sweep run -q --jobs 1 " + spec + " --db " + bad.path), line);
    expect_refused(test::run_cli("sweep report --db " + bad.path), line);
    expect_refused(test::run_cli("sweep merge " + good + " " + bad.path + " --db " + (s / "m.sqlite")), line);
    expect_refused(test::run_cli("sweep merge " + good + " --db " + bad.path), line);
    EXPECT_EQ(test::file_bytes(bad.path), bytes);
  }
  EXPECT_EQ(s.entries(), before);  // no merged DB, no temporary, no -wal of a refused file
}

TEST(AdversarialCli, ReadOnlySweepDatabaseIsReadButNeverWritten) {
  Scratch s;
  const std::string ro = s.dir("ro");
  const std::string db = ro + "/r.sqlite";
  test::write_good_db(db, 3);
  fs::permissions(db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  fs::permissions(ro, kReadOnlyDir);
  const std::string as = unprivileged();
  expect_denied(as, "-w", db);
  const std::string bytes = test::file_bytes(db);
  expect_refused(run_cli_as(as, "sweep run -q --jobs 1 " + tiny_sweep_spec(s) + " --db " + db),
                 db + ": cannot write the results database (the file is read-only)");
  expect_refused(run_cli_as(as, "sweep merge " + (s / "spec.yaml") + " --db " + db),
                 db + ": cannot be written (Permission denied)");
  // Reading it needs no write access, not even to the directory (for SQLite's -shm file).
  const auto report = run_cli_as(as, "sweep report --db " + db);
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("3 finished rows, 1 models"), std::string::npos) << report.out;
  const std::string w = s.dir("w", fs::perms::all);
  const auto merged = run_cli_as(as, "sweep merge " + db + " --db " + w + "/m.sqlite");
  EXPECT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(merged.out, w + "/m.sqlite: 3 rows merged from 1 shards\n");
  // A read-only file in a directory that can be written: the file itself is refused.
  const std::string w_db = w + "/ro.sqlite";
  test::write_good_db(w_db, 1);
  fs::permissions(w_db, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  expect_denied(as, "-w", w_db);
  expect_refused(run_cli_as(as, "sweep merge " + db + " --db " + w_db),
                 w_db + ": cannot write the results database (the file is read-only)");
  EXPECT_EQ(test::file_bytes(db), bytes);
  EXPECT_EQ(s.entries(),
            (std::vector<std::string>{"ro", "ro/r.sqlite", "spec.yaml", "w", "w/m.sqlite", "w/ro.sqlite"}));
}

TEST(AdversarialCli, SweepMergeIntoOneOfItsInputsIsRefusedNamingBoth) {
  Scratch s;
  const std::string a = s / "a.sqlite", link = s / "link.sqlite";
  test::write_good_db(a, 2);
  fs::create_symlink(a, link);
  const auto before = s.entries();
  const std::string bytes = test::file_bytes(a);
  expect_refused(test::run_cli("sweep merge " + a + " --db " + a),
                 "--db " + a + ": is the same file as the input shards " + a + "; an output never replaces an input");
  expect_refused(test::run_cli("sweep merge " + link + " --db " + a),
                 "--db " + a + ": is the same file as the input shards " + link + "; an output never replaces an input");
  expect_refused(test::run_cli("sweep merge " + a + " " + link + " --db " + (s / "m.sqlite")),
                 "sweep merge: input " + link + " is the same file as input " + a);
  EXPECT_EQ(test::file_bytes(a), bytes);
  EXPECT_EQ(s.entries(), before);
}

// Before: "DB: no finished rows match (models/schemas filters?)" for both, filters or not.
TEST(AdversarialCli, SweepReportSaysWhyItHasNothingToDraw) {
  Scratch s;
  const std::string db = s / "r.sqlite";
  const auto ran = test::run_cli("sweep run -q --jobs 1 " + tiny_sweep_spec(s) + " --db " + db);
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  const auto before = s.entries();
  expect_refused(test::run_cli("sweep report --db " + db + " --model tiny_cnn"),
                 "--model tiny_cnn: no model of that name in " + db + " (models there: tiny_cnn_op17)");
  EXPECT_EQ(s.entries(), before);
}

// --- nas search with limits nobody can meet ---------------------------------------------------

// Before: "no evaluated subnet meets the limits (latency ≤ 0.0001 ms, energy ≤ 0 mJ)" (a
// limit never given, shown as 0), and the output directory (with onnx/) was left behind.
TEST(AdversarialCli, NasSearchWithLimitsNobodyCanMeetNamesOnlyThoseAndLeavesNoDirectory) {
  Scratch s;
  const std::string search = "nas search -q --space h4h_fmnist --arch " + src("arch_configs/hetero.yaml") +
                             " --lut " + fmnist_lut() + " --population 8 --generations 1 --no-resimulate";
  // The smallest subnet's estimate, from a search without limits (seeded first, so the
  // first row of evaluated.csv): est_latency_ms, est_energy_mj with 6 decimals.
  const std::string probe = s / "probe";
  const auto free_run = test::run_cli(search + " --out " + probe);
  ASSERT_EQ(free_run.exit_code, 0) << free_run.err;
  std::istringstream csv(test::slurp(probe + "/evaluated.csv"));
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  std::vector<std::string> cells;
  {
    std::istringstream in(first);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
  }
  ASSERT_EQ(cells.size(), 6u) << first;
  const std::string lat = fmt::format("{:.3f} ms", std::stod(cells[3]));
  const std::string en = fmt::format("{:.3f} mJ", std::stod(cells[4]));
  fs::remove_all(probe);
  ASSERT_GT(std::stod(cells[4]), 0.0001);
  struct Case {
    std::string flags, limits, smallest;
  };
  const Case cases[] = {
      {"--max-latency-ms 0.0001", "limit (latency ≤ 0.0001 ms)", lat},
      {"--max-energy-mj 0.0001", "limit (energy ≤ 0.0001 mJ)", en},
      {"--max-latency-ms 0.0001 --max-energy-mj 0.0001", "limits (latency ≤ 0.0001 ms, energy ≤ 0.0001 mJ)",
       lat + ", " + en},
  };
  s.dir("existing");
  const auto before = s.entries();
  for (const auto& c : cases)
    for (const std::string& out : {s / "new/deeper/search", s / "existing", s / "existing/search"}) {
      SCOPED_TRACE(c.flags + " --out " + out);
      expect_refused(test::run_cli(search + " " + c.flags + " --out " + out),
                     "no evaluated subnet meets the " + c.limits + "; the smallest subnet is estimated at " +
                         c.smallest + " on hetero");
      EXPECT_EQ(s.entries(), before);
    }
}

// Co-design: the smallest subnet is estimated on every arch, in the limited quantity only.
TEST(AdversarialCli, NasSearchAcrossArchsNamesTheSmallestSubnetOnEach) {
  Scratch s;
  const std::string lut = s / "two.lut";
  fs::copy_file(fmnist_lut(), lut);
  const auto built =
      test::run_cli("nas lut -q --space h4h_fmnist --arch " + npu_only() + " --calibration 2 --out " + lut);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string search = "nas search -q --space h4h_fmnist --arch " + src("arch_configs/hetero.yaml") +
                             " --arch " + npu_only() + " --lut " + lut +
                             " --population 8 --generations 1 --no-resimulate";
  // Without limits: evaluated.csv starts with the seeds, smallest and largest on each arch.
  const auto free_run = test::run_cli(search + " --out " + (s / "probe"));
  ASSERT_EQ(free_run.exit_code, 0) << free_run.err;
  std::istringstream csv(test::slurp(s / "probe/evaluated.csv"));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(csv, line);) {
    std::istringstream in(line);
    rows.emplace_back();
    for (std::string cell; std::getline(in, cell, ',');) rows.back().push_back(cell);
  }
  ASSERT_GE(rows.size(), 5u);
  ASSERT_EQ(rows[1][0], "hetero");
  ASSERT_EQ(rows[3][0], "npu_only");
  ASSERT_EQ(rows[1][1], rows[3][1]);  // the same (smallest) subnet
  fs::remove_all(s / "probe");
  const auto before = s.entries();
  expect_refused(test::run_cli(search + " --max-energy-mj 0.0001 --out " + (s / "out")),
                 fmt::format("no evaluated subnet meets the limit (energy ≤ 0.0001 mJ); the smallest subnet is "
                             "estimated at {:.3f} mJ on hetero; {:.3f} mJ on npu_only",
                             std::stod(rows[1][4]), std::stod(rows[3][4])));
  EXPECT_EQ(s.entries(), before);
}

}  // namespace
}  // namespace h4h
