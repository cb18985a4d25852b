// run_in_subprocess: a job's text comes back; a user error stays a user error; a child
// that dies is an error naming the signal, never a hang or a crash of the parent.
#include <csignal>
#include <string>

#include <gtest/gtest.h>

#include "frontend/user_error.h"
#include "sim/engine/subprocess.h"

using namespace h4h;

TEST(Subprocess, ResultTextComesBackWhole) {
  const std::string big(1 << 20, 'x');  // larger than a pipe buffer
  EXPECT_EQ(run_in_subprocess([&]() { return big; }), big);
}

TEST(Subprocess, UserErrorInTheChildIsAUserErrorInTheParent) {
  try {
    run_in_subprocess([]() -> std::string { throw UserError("bad arch.yaml: npu.rows: must be > 0"); });
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "bad arch.yaml: npu.rows: must be > 0");
  }
}

TEST(Subprocess, AKilledChildIsReportedWithItsSignal) {
  try {
    run_in_subprocess([]() -> std::string {
      std::raise(SIGKILL);
      return "";
    });
    FAIL() << "expected an error";
  } catch (const UserError&) {
    FAIL() << "a crash is not the user's mistake";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("signal 9"), std::string::npos) << e.what();
  }
}
