// Fuzz target: bytes as a sweep results DB file (SQLite), through every way a command opens
// one: ResultsDb to read (status, columns), sweep_report (Pareto listing), merge_results as
// an input, and ResultsDb to write (bind a spec, write a row).
// Contract under test: bad input is a h4h::UserError and nothing else, and a file that opens
// answers consistently (no crash, no other exception, on any later read or write).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "frontend/user_error.h"
#include "sim/sweep/results_db.h"
#include "sim/sweep/sweep_report.h"

namespace {

namespace fs = std::filesystem;

std::string scratch(const std::string& name) {
  return (fs::temp_directory_path() / ("h4h_fuzz_results_db_" + std::to_string(::getpid()) + "_" + name)).string();
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix);
}

template <typename F>
void expect_only_user_errors(F&& f) {
  try {
    f();
  } catch (const h4h::UserError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input = scratch("in.sqlite"), merged = scratch("merged.sqlite");
  remove_db(input);
  remove_db(merged);
  std::ofstream(input, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  expect_only_user_errors([&] {
    h4h::ResultsDb db(input, h4h::DbAccess::read);
    db.status();
    db.columns();
    db.meta("spec_hash");
  });
  expect_only_user_errors([&] {
    h4h::SweepReportOptions o;
    o.pareto = true;
    h4h::sweep_report(input, o);
  });
  expect_only_user_errors([&] { h4h::merge_results({input}, merged); });
  expect_only_user_errors([&] {
    h4h::ResultsDb db(input, h4h::DbAccess::write);
    db.bind_spec({{"axes", nlohmann::json::array()}}, "fuzz", "fuzz", {{"npu.array.rows", "INTEGER"}}, true);
    h4h::ResultRow row;
    row.config_hash = "fuzz";
    row.model = "m";
    row.schema = "npu_only";
    row.ok = true;
    row.metrics = {{"latency_ns", 1.0}, {"energy_pj", 2.0}};
    db.write(row);
    db.status();
  });
  remove_db(input);
  remove_db(merged);
  return 0;
}
