#include "cli/nas_common.h"

#include <fmt/format.h>

#include "frontend/user_error.h"

namespace h4h::cli {

void add_inference_option(CLI::App& cmd, std::string& value) {
  cmd.add_option("--inference", value,
                 "cold: the first inference (every CIM weight programmed; default); steady: the "
                 "second of two back to back (pinned CIM weights stay resident)")
      ->check(CLI::IsMember({"cold", "steady"}));
}

}  // namespace h4h::cli
