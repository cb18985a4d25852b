#pragma once
// The file arguments of one subcommand, declared as inputs or outputs so that one check,
// run first by the command's callback, enforces the output rules of frontend/output_file.h
// for all of them: no output is the same file as an input or as another output, at most
// one output is standard output (`-`), and every output is writable before any work starts.
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "frontend/output_file.h"

namespace h4h::cli {

class FileArgs {
 public:
  explicit FileArgs(CLI::App* cmd) : cmd_(cmd) {}

  CLI::Option* input(const std::string& flags, std::string& path, const std::string& desc);
  CLI::Option* inputs(const std::string& flags, std::vector<std::string>& paths, const std::string& desc);
  // `-` writes this output to standard output.
  CLI::Option* output(const std::string& flags, std::string& path, const std::string& desc);
  // A directory of outputs, with the names of the files the command writes into it.
  CLI::Option* output_dir(const std::string& flags, std::string& dir, std::vector<std::string> files,
                          const std::string& desc);
  // An option naming several output files, derived from its value (a stem).
  using Expand = std::function<std::vector<std::string>(const std::string&)>;
  CLI::Option* output_files(const std::string& flags, std::string& stem, Expand expand,
                            const std::string& desc);
  // A database the command updates in place (SQLite): checked against the inputs and other
  // outputs, never standard output; SQLite itself reports what keeps it from opening.
  CLI::Option* database(const std::string& flags, std::string& path, const std::string& desc);
  // A flag that, when set, prints the command's result on standard output (e.g. --json):
  // it then conflicts with an output given as `-`.
  void claims_stdout(const std::string& flag, const bool& set);

  // Same-file and standard-output refusals, then a writability probe of every output.
  void check() const;
  // Where the command prints its report: standard error when an output took standard output.
  std::ostream& report() const;

 private:
  struct Entry {
    std::string flag;
    const std::string* path = nullptr;
    const std::vector<std::string>* paths = nullptr;
    Expand expand;  // several files from one value (directories, stems); none: the value itself
    bool is_dir = false;  // its files' directory may not exist until the command creates it
    bool in_place = false;  // updated in place by its own writer (a database)
  };
  std::vector<FileArg> given(const std::vector<Entry>& entries) const;
  bool stdout_taken() const;

  CLI::App* cmd_;
  std::vector<Entry> inputs_, outputs_;
  std::vector<std::pair<std::string, const bool*>> stdout_flags_;
};

}  // namespace h4h::cli
