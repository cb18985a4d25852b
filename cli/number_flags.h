#pragma once
// The one check for floating-point flags: a finite number within bounds, refused otherwise
// with the bounds as written ("must be > 0, got -1"). CLI11's PositiveNumber, NonNegativeNumber
// and Range let "nan" through (every comparison with NaN is false, so it is never "out of
// range") as well as "inf", and print DBL_MAX as its 309 digits. Every floating-point flag of
// every command goes through this (tests/cli/adversarial_flags_test.cpp checks them all).
#include <CLI/CLI.hpp>
#include <limits>

namespace h4h::cli {

// A finite number x with lower < x (or lower <= x when `lower_inclusive`) and x <= upper.
CLI::Validator finite_number(double lower, bool lower_inclusive,
                             double upper = std::numeric_limits<double>::max());

inline CLI::Validator positive_number() { return finite_number(0, false); }
inline CLI::Validator non_negative_number() { return finite_number(0, true); }
inline CLI::Validator number_in(double lower, double upper) {
  return finite_number(lower, true, upper);
}

}  // namespace h4h::cli
