// Fuzz target: subnet encodings (decode_subnet) against both bundled search spaces, the
// parser behind `--subnet`, `nas:` sweep models and the LUT/search caches.
// Contract under test: bad input is a h4h::UserError and nothing else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/user_error.h"
#include "nas/search_space.h"
#include "nas/subnet.h"

namespace {
const h4h::nas::SearchSpace& space(const char* name) {
  // Loaded once: the spaces are fixed inputs here, the encoding is what is fuzzed.
  static const h4h::nas::SearchSpace fmnist =
      h4h::nas::load_search_space(h4h::nas::bundled_space_path("h4h_fmnist"));
  static const h4h::nas::SearchSpace edge =
      h4h::nas::load_search_space(h4h::nas::bundled_space_path("h4h_edge"));
  return std::string(name) == "h4h_fmnist" ? fmnist : edge;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* name : {"h4h_fmnist", "h4h_edge"}) {
    try {
      h4h::nas::decode_subnet(space(name), text);
    } catch (const h4h::UserError&) {
    }
  }
  return 0;
}
