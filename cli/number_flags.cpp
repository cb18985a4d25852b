#include "cli/number_flags.h"

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace h4h::cli {

CLI::Validator finite_number(double lower, bool lower_inclusive, double upper) {
  const bool bounded_above = upper < std::numeric_limits<double>::max();
  // Shortest round-trip form ("0.5", "1e+06"): readable bounds, never 309 digits.
  const std::string range =
      fmt::format("{} {}{}", lower_inclusive ? ">=" : ">", lower,
                  bounded_above ? fmt::format(" and <= {}", upper) : std::string());
  return CLI::Validator(
      [=](std::string& input) -> std::string {
        double x = 0;
        if (!CLI::detail::lexical_cast(input, x) || !std::isfinite(x))
          return fmt::format("expected a finite number, got '{}'", input);
        const bool above_lower = lower_inclusive ? x >= lower : x > lower;
        if (!above_lower || x > upper) return fmt::format("must be {}, got {}", range, input);
        return std::string();
      },
      "finite, " + range);
}

}  // namespace h4h::cli
