#include "sim/sweep/sweep_runner.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "frontend/user_error.h"
#include "sim/engine/system.h"
#include "sim/mapper/mapper.h"
#include "sim/report/progress.h"
#include "sim/report/report.h"

namespace h4h {

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Area of a config when its area table is given (all zero = not configured).
std::optional<double> area_mm2(const ArchConfig& c) {
  const AreaParams& a = c.area;
  if (a.npu_mm2 == 0 && a.cim_macro_mm2 == 0 && a.sram_mm2 == 0 && a.bus_mm2 == 0) return std::nullopt;
  return (c.npu.enabled ? a.npu_mm2 + a.sram_mm2 : 0.0) +
         (c.cim.enabled ? a.cim_macro_mm2 * static_cast<double>(c.cim.macro_count) : 0.0) + a.bus_mm2;
}

// Fault injection for the tests (documented in docs/sweeps.md): H4H_SWEEP_FAULT=kill:<point
// index> makes the worker of that grid point SIGKILL itself after its first finished run.
bool fault_here(int64_t point_index) {
  const char* f = std::getenv("H4H_SWEEP_FAULT");
  if (!f || std::strncmp(f, "kill:", 5) != 0) return false;
  return std::atoll(f + 5) == point_index;
}

// The worker: elaborates the point once, runs its (model, schema) list, one JSON line each.
[[noreturn]] void worker_main(int fd, pid_t parent, const SweepSpec& spec, const SweepPoint& point,
                              const PointTask& task, const std::vector<Workload>& workloads) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a killed parent
  if (::getppid() != parent) ::_exit(1);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  auto emit = [&](const nlohmann::json& j) {
    if (!write_all(fd, j.dump() + "\n")) ::_exit(1);
  };
  std::unique_ptr<System> sys;
  std::string elaboration_error;
  try {
    sys = std::make_unique<System>(point.cfg);
  } catch (const std::exception& e) {
    elaboration_error = e.what();
  }
  const std::optional<double> area = area_mm2(point.cfg);
  int done = 0;
  for (const auto& [model, schema] : task.runs) {
    nlohmann::json line{{"model", model}, {"schema", schema}, {"started_at", utc_now_iso()}};
    const auto t0 = std::chrono::steady_clock::now();
    bool internal = false;
    if (!sys) {
      line["error"] = "elaboration failed: " + elaboration_error;
    } else {
      try {
        SchemaSpec ss;
        ss.schema = parse_schema(schema);
        const Mapping m = map_workload(workloads[model], point.cfg, ss);
        RunOptions ro;
        ro.inferences = spec.inferences;
        const RunStats st = sys->run(workloads[model], m, ro);
        nlohmann::json metrics = metrics_of_summary(run_to_json(st, workloads[model]));
        if (area) metrics["area_mm2"] = *area;
        line["metrics"] = metrics;
      } catch (const UserError& e) {
        line["error"] = e.what();
      } catch (const std::exception& e) {
        line["error"] = fmt::format("internal error: {}", e.what());
        internal = true;
      }
    }
    line["wall_s"] = seconds_since(t0);
    line["finished_at"] = utc_now_iso();
    emit(line);
    ++done;
    if (fault_here(point.index)) ::raise(SIGKILL);
    // After an internal error the kernel's state is suspect: stop here, the parent records
    // the rest of this point as failed.
    if (internal) ::_exit(3);
  }
  ::close(fd);
  ::_exit(0);
}

struct Active {
  pid_t pid = -1;
  int fd = -1;
  PointTask task;
  std::set<size_t> reported;   // indices into task.runs
  std::string buffer;
  std::chrono::steady_clock::time_point started;
  bool timed_out = false;
};

std::string exit_reason(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("worker killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) return fmt::format("worker exited with code {}", WEXITSTATUS(status));
  return "worker ended";
}

}  // namespace

std::vector<PointTask> pending_tasks(const SweepSpec& spec, const SweepPlan& plan, const DbStatus& done,
                                     bool retry_failed) {
  std::vector<PointTask> out;
  for (size_t p = 0; p < plan.points.size(); ++p) {
    PointTask t;
    t.point = p;
    for (size_t m = 0; m < spec.models.size(); ++m)
      for (const auto& schema : spec.schemas) {
        const auto key = std::make_tuple(plan.points[p].config_hash, spec.models[m].name, schema);
        if (done.ok.count(key)) continue;
        if (!retry_failed && done.failed.count(key)) continue;
        t.runs.emplace_back(m, schema);
      }
    if (!t.runs.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::optional<PointTask> ListSource::next() {
  if (at_ >= tasks_.size()) return std::nullopt;
  return tasks_[at_++];
}

SweepRunSummary run_sweep_tasks(const SweepSpec& spec, const SweepPlan& plan, const SweepModelLoader& loader,
                                PointSource& source, int64_t runs_total, ResultsDb& db, const SweepRunOptions& opts) {
  if (opts.jobs < 1) throw UserError(fmt::format("--jobs must be >= 1, got {}", opts.jobs));
  SweepRunSummary sum;
  sum.runs_total = runs_total;
  const auto t0 = std::chrono::steady_clock::now();
  // Every model is loaded once here, before any fork: workers share them copy-on-write.
  std::vector<Workload> workloads;
  for (const auto& m : spec.models) workloads.push_back(loader(m));
  const std::string tag = opts.worker_tag.empty() ? host_name() : opts.worker_tag;

  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR at once
  g_stop = 0;
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  std::signal(SIGPIPE, SIG_IGN);

  Progress bar("sweep", runs_total, opts.progress);
  std::map<int, Active> active;  // by fd
  bool source_empty = false;
  auto record = [&](const PointTask& task, size_t run, bool ok, const std::string& error, const nlohmann::json& metrics,
                    double wall_s, const std::string& started, const std::string& finished) {
    const SweepPoint& p = plan.points[task.point];
    ResultRow row;
    row.config_hash = p.config_hash;
    row.model = spec.models[task.runs[run].first].name;
    row.schema = task.runs[run].second;
    row.point_index = p.index;
    row.params = p.params;
    row.ok = ok;
    row.error = error;
    row.metrics = metrics.is_object() ? metrics : nlohmann::json::object();
    row.wall_s = wall_s;
    row.worker = tag;
    row.started_at = started;
    row.finished_at = finished;
    db.write(row);
    (ok ? sum.ok : sum.failed) += 1;
    bar.advance(1, !ok);
  };
  auto handle_line = [&](Active& a, const std::string& text) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
      return;  // a torn line of a dying worker: its run is recorded as failed at exit
    }
    const size_t model = j.value("model", size_t{0});
    const std::string schema = j.value("schema", "");
    for (size_t r = 0; r < a.task.runs.size(); ++r) {
      if (a.reported.count(r) || a.task.runs[r].first != model || a.task.runs[r].second != schema) continue;
      a.reported.insert(r);
      const bool ok = j.contains("metrics");
      record(a.task, r, ok, ok ? "" : j.value("error", "unknown error"), ok ? j["metrics"] : nlohmann::json(),
             j.value("wall_s", 0.0), j.value("started_at", ""), j.value("finished_at", ""));
      break;
    }
  };
  auto reap = [&](Active& a) {
    int status = 0;
    while (::waitpid(a.pid, &status, 0) < 0 && errno == EINTR) {}
    ::close(a.fd);
    if (g_stop) return;  // interrupted: unfinished runs stay unrecorded, a re-run does them
    const std::string why = a.timed_out ? fmt::format("timed out after {:g} s (worker killed)", opts.timeout_s)
                                        : exit_reason(status);
    const std::string now = utc_now_iso();
    for (size_t r = 0; r < a.task.runs.size(); ++r)
      if (!a.reported.count(r))
        record(a.task, r, false, fmt::format("{} while running this point", why), nlohmann::json(),
               seconds_since(a.started), now, now);
  };

  while (true) {
    // Fill free slots.
    while (!g_stop && !source_empty && static_cast<int>(active.size()) < opts.jobs) {
      std::optional<PointTask> task = source.next();
      if (!task) {
        source_empty = true;
        break;
      }
      int fds[2];
      if (::pipe(fds) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
      std::fflush(stdout);
      std::fflush(stderr);
      const pid_t parent = ::getpid();
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
      if (pid == 0) {
        ::close(fds[0]);
        for (const auto& [fd, a] : active) ::close(fd);
        worker_main(fds[1], parent, spec, plan.points[task->point], *task, workloads);
      }
      ::close(fds[1]);
      Active a;
      a.pid = pid;
      a.fd = fds[0];
      a.task = std::move(*task);
      a.started = std::chrono::steady_clock::now();
      active.emplace(a.fd, std::move(a));
    }
    const bool serving = source.service();
    if (active.empty()) {
      if (g_stop || (source_empty && !serving)) break;
      if (source_empty) {
        ::usleep(20000);  // the dispatcher still answers other ranks
        continue;
      }
    }
    std::vector<pollfd> fds;
    for (const auto& [fd, a] : active) fds.push_back({fd, POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), 50);
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    if (g_stop) {
      for (auto& [fd, a] : active) ::kill(a.pid, SIGKILL);
      for (auto& [fd, a] : active) reap(a);
      active.clear();
      sum.interrupted = true;
      break;
    }
    for (const auto& p : fds) {
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Active& a = active.at(p.fd);
      char buf[1 << 15];
      const ssize_t got = ::read(p.fd, buf, sizeof buf);
      if (got > 0) {
        a.buffer.append(buf, static_cast<size_t>(got));
        for (size_t nl; (nl = a.buffer.find('\n')) != std::string::npos;) {
          handle_line(a, a.buffer.substr(0, nl));
          a.buffer.erase(0, nl + 1);
        }
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      reap(a);
      active.erase(p.fd);
    }
    if (opts.timeout_s > 0)
      for (auto& [fd, a] : active)
        if (!a.timed_out && seconds_since(a.started) > opts.timeout_s) {
          a.timed_out = true;
          ::kill(a.pid, SIGKILL);
        }
  }
  bar.finish();
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  sum.wall_s = seconds_since(t0);
  return sum;
}

}  // namespace h4h
