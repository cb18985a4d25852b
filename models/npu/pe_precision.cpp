#include "models/npu/pe_precision.h"

#include <algorithm>

namespace h4h {
namespace {
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
}  // namespace

int64_t pe_precision_cycles(int64_t cycles, int64_t operand_bits, int64_t pe_bits) {
  if (operand_bits <= 0 || pe_bits <= 0) return cycles;
  if (operand_bits > pe_bits) {
    const int64_t passes = ceil_div(operand_bits, pe_bits);
    return cycles * passes * passes;
  }
  // Operands packed along each input; Bit Fusion's bricks are 2 bits, so a 1-bit operand
  // packs as a 2-bit one.
  const int64_t per_side = std::max<int64_t>(1, pe_bits / std::max<int64_t>(operand_bits, 2));
  return ceil_div(cycles, per_side * per_side);
}

double int_mac_energy_scale(int64_t a_bits, int64_t w_bits) {
  const double a = static_cast<double>(a_bits), w = static_cast<double>(w_bits);
  const double multiplier = (a * w) / 64.0, accumulator = (a + w + 16.0) / 32.0;
  return 2.0 / 3.0 * multiplier + 1.0 / 3.0 * accumulator;
}

double cim_mac_energy_scale(int64_t input_bits, int64_t weight_bits) {
  auto per_cycle_fj = [](double w) { return 56.6 + 11.7 * w; };
  return (static_cast<double>(input_bits) / 8.0) * per_cycle_fj(static_cast<double>(weight_bits)) /
         per_cycle_fj(8.0);
}

}  // namespace h4h
