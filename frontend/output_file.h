#pragma once
// Every file h4hsim writes goes through here, so one set of rules holds for all of them:
//  - `-` is standard output wherever an output path is taken;
//  - a regular file (or a new one) is written to a temporary beside it and renamed into
//    place: a failed or killed run never leaves half an output, and an existing file keeps
//    its permission bits;
//  - a symlink is followed: its target is replaced, the link stays a link;
//  - a non-regular target (character device, FIFO, `/dev/stdout`, `>(cmd)`) is written in
//    place, never replaced by a regular file (which, as root, would replace /dev/null);
//  - temporary names fit NAME_MAX whatever the output's name, errors quote the real errno;
//  - an output that is the same file (device + inode, after symlinks) as an input of the
//    command, or as another of its outputs, is refused before any work, naming both.
#include <sys/types.h>

#include <string>
#include <vector>

namespace h4h {

// The path that means standard output.
inline bool is_stdout_path(const std::string& path) { return path == "-"; }

// `-`, or a path that names this process's standard output (/dev/stdout, /dev/fd/1).
bool names_standard_output(const std::string& path);

// A regular output being produced: a fresh temporary in the directory of the final target,
// renamed onto it by commit(); removed on every other path out (destructor). For a target
// that is not a regular file (a device, a FIFO, standard output) the temporary lives in
// $TMPDIR and commit() copies its bytes into the target in place. Writers that cannot take
// a string (SQLite, libtorch, gnuplot) write to temp_path() themselves.
class PendingOutput {
 public:
  explicit PendingOutput(const std::string& path);  // UserError naming `path` if impossible
  ~PendingOutput();
  PendingOutput(const PendingOutput&) = delete;
  PendingOutput& operator=(const PendingOutput&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  const std::string& path() const { return path_; }
  // Moves (or copies) the temporary onto the target; UserError with the real errno if it cannot.
  void commit();

 private:
  std::string path_;         // as the user gave it
  std::string target_;       // after following symlinks (regular targets only)
  std::string temp_path_;
  bool in_place_ = false;    // non-regular target: copy, do not rename
  int out_fd_ = -1;          // "-" and /dev/fd/N-style targets: that descriptor
  mode_t keep_mode_ = 0;     // permission bits of the file being replaced (0: new file)
  bool done_ = false;
};

// Writes `text` to `path` by the rules above.
void write_output(const std::string& path, const std::string& text);

// Fails now, with write_output's message, when `path` could not be written later: for
// commands that compute for a while before they write.
void check_output_writable(const std::string& path);

// A command's file argument: the flag it came from and the path as given.
struct FileArg {
  std::string flag;
  std::string path;
};

// UserError when an output is the same file as an input or as another output (device +
// inode after symlinks for files that exist, the resolved path for ones that do not), or
// when two outputs claim standard output. Non-regular existing files (devices, FIFOs) may
// be named more than once.
void check_distinct_files(const std::vector<FileArg>& inputs, const std::vector<FileArg>& outputs);

// An output directory: created (with its missing parents) on construction. Unless keep()
// was called, destruction removes what this run made: the files named through file() when
// the directory itself is new, then every directory it created (rmdir: only when empty). A
// failed command so leaves no output directory behind, and never deletes a user's file.
class OutputDirectory {
 public:
  explicit OutputDirectory(const std::string& path);  // UserError naming `path` if impossible
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  std::string file(const std::string& name);  // DIR/name, remembered for the clean-up
  void keep() { keep_ = true; }

 private:
  std::string path_;
  std::vector<std::string> created_;  // deepest last
  std::vector<std::string> files_;
  bool keep_ = false;
};

}  // namespace h4h
