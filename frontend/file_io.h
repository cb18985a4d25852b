#pragma once
// Reading a file the user named: every way it can fail is a UserError that names the file.
#include <string>

namespace h4h {

// Whole file as bytes. `kind` completes "is a directory, not a(n) ..." (e.g. "ONNX file").
std::string read_user_file(const std::string& path, const std::string& kind);

// Writes `text` to a temporary file beside `path` and renames it into place, so a failed
// or interrupted run never leaves a half-written output. UserError if it cannot.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace h4h
