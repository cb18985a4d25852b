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

// Writing outputs: frontend/output_file.h.

}  // namespace h4h
