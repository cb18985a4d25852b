#pragma once
// UserError: the user's mistake (bad file, bad YAML, unsupported op). The CLI turns it into
// one line on stderr and exit code 2. Our own broken invariants use assert, not this.
#include <stdexcept>
#include <string>

#include "frontend/utf8.h"

namespace h4h {

class UserError : public std::runtime_error {
 public:
  // Names quoted from the user's files may hold any bytes: those that are not UTF-8, and
  // control characters, are escaped (\xNN) so the message stays one printable line.
  explicit UserError(const std::string& what) : std::runtime_error(escape_unprintable(what)) {}
};

}  // namespace h4h
