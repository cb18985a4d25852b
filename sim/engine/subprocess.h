#pragma once
// run_in_subprocess: runs `job` in a forked child and returns the text it produced. The
// SystemC kernel is one per process (architecture.md, decision 1), so work that needs a
// second elaboration — another arch config in the same command — runs in a child that
// elaborates, simulates, writes its result to a pipe and exits. The parent must not have
// elaborated anything itself (a fork copies the kernel's state).
// A UserError in the child comes back as a UserError in the parent (same message); a
// child that crashes or is killed is reported as an error naming the signal.
#include <functional>
#include <string>

namespace h4h {

std::string run_in_subprocess(const std::function<std::string()>& job);

// Writes all of `s` to `fd` (retrying short writes and EINTR); false when the fd fails.
bool write_fully(int fd, const std::string& s);

}  // namespace h4h
