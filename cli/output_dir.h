#pragma once
// Output directories a command creates, removed again if the command fails: a failed
// command leaves no directory (empty or half filled) behind. What existed before is never
// removed.
#include <filesystem>
#include <system_error>
#include <vector>

namespace h4h::cli {

class CreatedDirectories {
 public:
  CreatedDirectories() = default;
  // Removes what create() made (with everything in it) unless keep() was called.
  ~CreatedDirectories();
  CreatedDirectories(const CreatedDirectories&) = delete;
  CreatedDirectories& operator=(const CreatedDirectories&) = delete;

  // std::filesystem::create_directories, remembering the topmost directory it made.
  std::error_code create(const std::filesystem::path& dir);
  // The command succeeded: its directories stay.
  void keep() { created_.clear(); }

 private:
  std::vector<std::filesystem::path> created_;  // topmost new directory of each create()
};

}  // namespace h4h::cli
