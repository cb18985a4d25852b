#pragma once
// Reading a file the user named: every way it can fail is a UserError that names the file.
#include <cstdint>
#include <string>

namespace h4h {

// The most read_user_file reads (protobuf cannot parse more than 2 GiB either).
constexpr int64_t kMaxUserFileBytes = int64_t{2} << 30;

// Whole file as bytes. `kind` completes "is a directory, not a(n) ..." (e.g. "ONNX file").
// Regular files and pipes only: a device such as /dev/zero is refused, not read forever.
std::string read_user_file(const std::string& path, const std::string& kind);

// Writes `text` to a temporary file beside `path` and renames it into place, so a failed
// or interrupted run never leaves a half-written output. UserError if it cannot
// ("PATH: cannot be written (no such directory | Permission denied | is a directory)").
void write_file_atomically(const std::string& path, const std::string& text);

// Fails now, with write_file_atomically's message, when `path` could not be written later:
// for commands that compute for a while before they write.
void check_output_writable(const std::string& path);

}  // namespace h4h
