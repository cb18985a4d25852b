// Fuzz target: NAS search-space YAML (parse_search_space), then what every NAS command
// computes from a space right away: its size, the stage sizes at each resolution, and the
// encodings of its extreme subnets, which must decode against the same space.
// Contract under test: bad input is a h4h::UserError and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/user_error.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const h4h::nas::SearchSpace space = h4h::nas::parse_search_space(text, "fuzz.yaml");
    space.log10_subnet_count();
    for (int64_t r : space.resolutions) space.stage_input_sizes(r);
    h4h::nas::decode_subnet(space, h4h::nas::encode_subnet(h4h::nas::largest_subnet(space)));
    h4h::nas::decode_subnet(space, h4h::nas::encode_subnet(h4h::nas::smallest_subnet(space)));
  } catch (const h4h::UserError&) {
  }
  return 0;
}
