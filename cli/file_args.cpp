#include "cli/file_args.h"

#include <iostream>

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h::cli {

namespace {
// The name messages use for an option: its first long name, or a positional's name.
std::string flag_name(const CLI::Option* opt) {
  const auto& longs = opt->get_lnames();
  if (!longs.empty()) return "--" + longs.front();
  return opt->get_name();
}
}  // namespace

CLI::Option* FileArgs::input(const std::string& flags, std::string& path, const std::string& desc) {
  CLI::Option* opt = cmd_->add_option(flags, path, desc);
  inputs_.push_back({flag_name(opt), &path, nullptr, nullptr, false, false});
  return opt;
}

CLI::Option* FileArgs::inputs(const std::string& flags, std::vector<std::string>& paths,
                              const std::string& desc) {
  CLI::Option* opt = cmd_->add_option(flags, paths, desc);
  inputs_.push_back({flag_name(opt), nullptr, &paths, nullptr, false, false});
  return opt;
}

CLI::Option* FileArgs::output(const std::string& flags, std::string& path, const std::string& desc) {
  CLI::Option* opt = cmd_->add_option(flags, path, desc + " ('-': standard output)");
  outputs_.push_back({flag_name(opt), &path, nullptr, nullptr, false, false});
  return opt;
}

CLI::Option* FileArgs::output_dir(const std::string& flags, std::string& dir,
                                  std::vector<std::string> files, const std::string& desc) {
  CLI::Option* opt = cmd_->add_option(flags, dir, desc);
  const std::string flag = flag_name(opt);
  outputs_.push_back({flag, &dir, nullptr, [flag, files](const std::string& d) {
                        if (is_stdout_path(d))
                          throw UserError(fmt::format("{} -: standard output is not a directory; {} "
                                                      "takes a directory for its files", flag, flag));
                        std::vector<std::string> paths;
                        for (const std::string& f : files) paths.push_back((std::filesystem::path(d) / f).string());
                        return paths;
                      },
                      true, false});
  return opt;
}

CLI::Option* FileArgs::output_files(const std::string& flags, std::string& stem, Expand expand,
                                    const std::string& desc) {
  CLI::Option* opt = cmd_->add_option(flags, stem, desc);
  outputs_.push_back({flag_name(opt), &stem, nullptr, std::move(expand), false, false});
  return opt;
}

CLI::Option* FileArgs::database(const std::string& flags, std::string& path, const std::string& desc) {
  CLI::Option* opt = cmd_->add_option(flags, path, desc);
  outputs_.push_back({flag_name(opt), &path, nullptr, nullptr, false, true});
  return opt;
}

void FileArgs::claims_stdout(const std::string& flag, const bool& set) {
  stdout_flags_.emplace_back(flag, &set);
}

std::vector<FileArg> FileArgs::given(const std::vector<Entry>& entries) const {
  std::vector<FileArg> out;
  for (const Entry& e : entries) {
    if (e.path && !e.path->empty()) {
      if (!e.expand) out.push_back({e.flag, *e.path});
      else
        for (const std::string& p : e.expand(*e.path)) out.push_back({e.flag, p});
    }
    if (e.paths)
      for (const std::string& p : *e.paths) out.push_back({e.flag, p});
  }
  return out;
}

bool FileArgs::stdout_taken() const {
  for (const Entry& e : outputs_)
    if (e.path && !e.expand && !e.in_place && names_standard_output(*e.path)) return true;
  return false;
}

void FileArgs::check() const {
  for (const Entry& e : outputs_)
    if (e.in_place && e.path && is_stdout_path(*e.path))
      throw UserError(fmt::format("{} -: a database is updated in place and cannot be standard "
                                  "output; give a file", e.flag));
  const std::vector<FileArg> outs = given(outputs_);
  if (stdout_taken())
    for (const auto& [flag, set] : stdout_flags_)
      if (*set)
        for (const FileArg& o : outs)
          if (names_standard_output(o.path))
            throw UserError(fmt::format("{} {} and {} both write to standard output; give {} a file",
                                        o.flag, o.path, flag, o.flag));
  check_distinct_files(given(inputs_), outs);
  for (const Entry& e : outputs_) {
    if (!e.path || e.path->empty() || e.in_place) continue;
    if (!e.expand) {
      check_output_writable(*e.path);
      continue;
    }
    // Files of a directory that does not exist yet are probed when it is created.
    std::error_code ec;
    if (e.is_dir && !std::filesystem::is_directory(*e.path, ec)) continue;
    for (const std::string& p : e.expand(*e.path)) check_output_writable(p);
  }
}

std::ostream& FileArgs::report() const { return stdout_taken() ? std::cerr : std::cout; }

}  // namespace h4h::cli
