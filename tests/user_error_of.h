#pragma once
// The message of the h4h::UserError a call throws, or "(no error)": what the adversarial
// tests compare with the exact expected line.
#include <string>
#include <utility>

#include "frontend/user_error.h"

namespace h4h::test {

template <typename F>
std::string user_error_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace h4h::test
