#pragma once
// What operand precision does to a MAC, apart from the array's geometry: how many array
// cycles a MAC of b-bit operands takes on a PE built for `pe_bits`, and how its energy
// scales from the int8 MAC the energy table gives. Plain functions, cited in the .cpp.
#include <cstdint>

namespace h4h {

// Array cycles for `cycles` cycles of work at the PE's own width, with b-bit operands:
// x ceil(b / pe)^2 when wider, / (pe / b)^2 (rounded up) when narrower, 2 bits at least.
int64_t pe_precision_cycles(int64_t cycles, int64_t operand_bits, int64_t pe_bits);

// Energy of one a-bit x w-bit integer MAC relative to an 8 x 8-bit one (accumulating in
// a + w + 16 bits): Horowitz ISSCC'14 at 45 nm — an 8-bit multiply 0.2 pJ, a 32-bit add
// 0.1 pJ, so 2/3 of the int8 MAC is the multiplier (area and energy ~ a x w, as 0.2 →
// 3.1 pJ from 8 to 32 bits) and 1/3 the accumulator (~ its width, 0.03 → 0.1 pJ).
double int_mac_energy_scale(int64_t a_bits, int64_t w_bits);

// Energy of one bit-serial digital CIM MAC at `input_bits` x `weight_bits` relative to
// 8 x 8: one array cycle per input bit (~ input_bits) and, per cycle, a fixed part plus a
// part per weight column — Colonnade (Kim et al., JSSC'21, Fig. 16b at 0.8 V, 1-bit input:
// 68.3 / 144.4 / 243.2 fJ for 1 / 8 / 16-bit weights, a line of 56.6 + 11.7 fJ per weight bit).
double cim_mac_energy_scale(int64_t input_bits, int64_t weight_bits);

}  // namespace h4h
