#pragma once
// Einsum equations ("bhid,bhjd->bhij", with "..." broadcasting): labels per operand, and
// the output shape, which ONNX 1.12's shape inference leaves unknown (it infers the rank
// only). Shared by the loader (shapes) and lowering (GEMM view, MACs).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace h4h {

struct EinsumLabels {
  std::vector<std::vector<std::string>> inputs;  // one label per dim; "...0" etc. for ellipsis
  std::vector<std::string> output;
};

// Labels for the given operand ranks; nullopt for implicit-output or malformed equations.
std::optional<EinsumLabels> parse_einsum(const std::string& equation,
                                         const std::vector<size_t>& input_ranks);

std::optional<std::vector<int64_t>> einsum_output_shape(
    const std::string& equation, const std::vector<std::vector<int64_t>>& input_dims);

}  // namespace h4h
