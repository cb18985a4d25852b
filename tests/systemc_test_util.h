#pragma once
// Helpers for tests that elaborate SystemC modules. SystemC elaborates once per process, so
// each such test runs in its own process (ctest runs every test alone); run directly, all
// but the first are skipped.
#include <functional>
#include <utility>

#include <gtest/gtest.h>
#include <systemc>

#define H4H_REQUIRE_FRESH_SYSTEMC()                        \
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION) \
  GTEST_SKIP() << "SystemC elaborates once per process: run this test alone (ctest does)"

namespace h4h::test {

// A thread that runs `body` once the simulation starts: drives blocking model calls.
struct Driver : sc_core::sc_module {
  SC_HAS_PROCESS(Driver);
  Driver(sc_core::sc_module_name n, std::function<void()> body)
      : sc_module(n), body_(std::move(body)) {
    SC_THREAD(run);
  }
  void run() { body_(); }
  std::function<void()> body_;
};

}  // namespace h4h::test
