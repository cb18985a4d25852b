#pragma once
// UserError: the user's mistake (bad file, bad YAML, unsupported op). The CLI turns it into
// one line on stderr and exit code 2. Our own broken invariants use assert, not this.
#include <stdexcept>
#include <string>

namespace h4h {

class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace h4h
