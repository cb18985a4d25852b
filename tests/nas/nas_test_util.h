#pragma once
// Shared fixtures of the NAS tests: the bundled spaces, loaded once per process.
#include "nas/search_space.h"

namespace h4h::test {

inline const nas::SearchSpace& fmnist_space() {
  static const nas::SearchSpace sp = nas::load_search_space(nas::bundled_space_path("h4h_fmnist"));
  return sp;
}

}  // namespace h4h::test
