#pragma once
// Helpers of the sweep suite: specs written to a private temp dir, the fixtures they name.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "sim/sweep/sweep_spec.h"

namespace h4h::test {

inline std::string sweep_tmp(const std::string& name) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("h4h_sweep_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

inline std::string fixture(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }

// A spec over the tiny CNN fixture on the hetero preset, with `axes` (YAML, indented 2)
// and `extra` top-level lines.
inline std::string tiny_spec(const std::string& axes, const std::string& extra = "") {
  return "name: tiny\nbase: " + fixture("arch_configs/hetero.yaml") + "\naxes:\n" + axes + "models:\n  - " +
         fixture("tests/data/onnx/tiny_cnn_op17.onnx") + "\n" + extra;
}

inline SweepSpec parse_spec(const std::string& text) { return parse_sweep_spec(text, "spec.yaml", "."); }

// The UserError message of parsing `text` ("" if it parses).
inline std::string spec_error(const std::string& text) {
  try {
    parse_spec(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace h4h::test
