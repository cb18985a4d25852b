#include "sim/sweep/sweep_runner.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "frontend/user_error.h"
#include "sim/engine/subprocess.h"
#include "sim/engine/schedule_search.h"
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



// Fault injection for the tests (documented in docs/sweeps.md): H4H_SWEEP_FAULT=kill:<point
// index> makes the worker of that grid point SIGKILL itself after its first finished run,
// hang:<point index> makes it stop there forever (for --timeout-s).
enum class Fault { none, kill, hang };
Fault fault_here(int64_t point_index) {
  const char* f = std::getenv("H4H_SWEEP_FAULT");
  if (!f) return Fault::none;
  const Fault kind = std::strncmp(f, "kill:", 5) == 0 ? Fault::kill : std::strncmp(f, "hang:", 5) == 0 ? Fault::hang : Fault::none;
  return kind != Fault::none && std::atoll(f + 5) == point_index ? kind : Fault::none;
}

// A point being run: which of its runs have reported.
struct Active {
  PointTask task;
  std::set<size_t> reported;   // indices into task.runs
  std::chrono::steady_clock::time_point started;
  bool timed_out = false;
};

std::string exit_reason(int status) {
  if (status == -1) return "could not fork a worker";
  if (WIFSIGNALED(status))
    return fmt::format("worker killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) return fmt::format("worker exited with code {}", WEXITSTATUS(status));
  return "worker ended";
}

// The worker: elaborates the point once, runs its (model, schema) list, one JSON line each
// (tagged with its task id) on the shared event pipe. Lines stay below PIPE_BUF, so each
// write is atomic and workers' lines never interleave.
[[noreturn]] void worker_main(int fd, int64_t task_id, const SweepSpec& spec, const SweepPoint& point,
                              const PointTask& task, const std::vector<Workload>& workloads) {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  auto emit = [&](const nlohmann::json& j) {
    std::string text = j.dump() + "\n";
    if (text.size() > PIPE_BUF) text = nlohmann::json{{"task", task_id}, {"model", j["model"]},
                                                      {"schema", j["schema"]}, {"error", "result too large"}}
                                           .dump() + "\n";
    if (!write_fully(fd, text)) ::_exit(1);
  };
  const ArchConfig cfg = sweep_point_config(spec, point);
  std::unique_ptr<System> sys;
  std::string elaboration_error;
  try {
    sys = std::make_unique<System>(cfg);
  } catch (const std::exception& e) {
    elaboration_error = e.what();
  }
  for (const auto& [model, schema] : task.runs) {
    nlohmann::json line{{"task", task_id}, {"model", model}, {"schema", schema}, {"started_at", utc_now_iso()}};
    const auto t0 = std::chrono::steady_clock::now();
    bool internal = false;
    std::string error;
    if (!sys) {
      error = "elaboration failed: " + elaboration_error;
    } else {
      try {
        SchemaSpec ss;
        ss.schema = parse_schema(schema);
        const Workload w = at_precision(workloads[model], cfg);
        RunOptions ro;
        ro.inferences = spec.inferences;
        const RunStats st = run_scheduled(*sys, w, ss, ro).stats;
        nlohmann::json metrics = metrics_of_summary(run_to_json(st, w));
        metrics["area_mm2"] = st.area_mm2.total();
        // An ok row holds only finite numbers (JSON would store NaN or inf as null).
        if (auto at = first_non_finite(metrics))
          throw std::logic_error(fmt::format("a non-finite number reached the results: {}", *at));
        line["metrics"] = metrics;
      } catch (const UserError& e) {
        error = e.what();
      } catch (const std::exception& e) {
        error = fmt::format("internal error: {}", e.what());
        internal = true;
      }
    }
    if (!line.contains("metrics")) line["error"] = error.size() > 1500 ? error.substr(0, 1500) + "..." : error;
    line["wall_s"] = seconds_since(t0);
    line["finished_at"] = utc_now_iso();
    emit(line);
    const Fault fault = fault_here(point.index);
    if (fault == Fault::kill) ::raise(SIGKILL);
    while (fault == Fault::hang) ::pause();
    // After an internal error the kernel's state is suspect: stop here, the rest of this
    // point is recorded as failed.
    if (internal) ::_exit(3);
  }
  ::_exit(0);
}

// The spawner: forked once per sweep, it forks one worker per point on command. The DB
// writer never forks again: after a fork every page of the forking process is
// copy-on-write, so a writer that forked each point paid page faults on every page it then
// touched — ~8 ms of kernel time per point, serial, which capped --jobs 2 at 1.2x (measured
// with perf; the spawner is small and idle, so its faults are few).
// Commands (cmd pipe, one line each): "S <task> <point> <runs> <model> <schema index> ..."
// starts a worker, "K <task>" kills one; EOF kills every worker and ends the spawner.
// Events (the shared event pipe): workers' JSON lines, and "X <task> <wait status>" when a
// worker has ended (after all its lines, since it wrote them before exiting).
[[noreturn]] void spawner_main(int cmd_fd, int evt_fd, pid_t parent, const SweepSpec& spec, const SweepPlan& plan,
                               const std::vector<Workload>& workloads) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a killed parent
  if (::getppid() != parent) ::_exit(1);
  std::signal(SIGINT, SIG_IGN);        // the parent decides what Ctrl-C stops
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGPIPE, SIG_DFL);
  std::map<int64_t, pid_t> workers;    // task → pid
  std::map<pid_t, int64_t> tasks;
  std::string buffer;
  bool open = true;
  const pid_t self = ::getpid();
  while (open || !workers.empty()) {
    pollfd p{cmd_fd, POLLIN, 0};
    const int n = ::poll(&p, open ? 1 : 0, workers.empty() ? 100 : 2);
    if (n > 0 && open) {
      char buf[4096];
      const ssize_t got = ::read(cmd_fd, buf, sizeof buf);
      if (got <= 0 && !(got < 0 && errno == EINTR)) {
        open = false;  // the parent is done (or interrupted): stop every worker
        for (const auto& [t, pid] : workers) ::kill(pid, SIGKILL);
      } else if (got > 0) {
        buffer.append(buf, static_cast<size_t>(got));
      }
      for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
        std::istringstream in(buffer.substr(0, nl));
        buffer.erase(0, nl + 1);
        char op = 0;
        int64_t task_id = 0;
        in >> op >> task_id;
        if (op == 'K') {
          if (workers.count(task_id)) ::kill(workers[task_id], SIGKILL);
          continue;
        }
        PointTask t;
        size_t runs = 0;
        in >> t.point >> runs;
        for (size_t i = 0; i < runs; ++i) {
          size_t m = 0, si = 0;
          in >> m >> si;
          t.runs.emplace_back(m, spec.schemas[si]);
        }
        const pid_t pid = ::fork();
        if (pid == 0) {
          ::close(cmd_fd);
          ::prctl(PR_SET_PDEATHSIG, SIGKILL);
          if (::getppid() != self) ::_exit(1);
          worker_main(evt_fd, task_id, spec, plan.points[t.point], t, workloads);
        }
        if (pid < 0) {
          const std::string x = fmt::format("X {} -1\n", task_id);
          write_fully(evt_fd, x);
          continue;
        }
        workers[task_id] = pid;
        tasks[pid] = task_id;
      }
    }
    while (!workers.empty()) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      const auto it = tasks.find(pid);
      if (it == tasks.end()) continue;
      write_fully(evt_fd, fmt::format("X {} {}\n", it->second, status));
      workers.erase(it->second);
      tasks.erase(it);
    }
  }
  ::_exit(0);
}

}  // namespace

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

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

RunTally tally_runs(const SweepSpec& spec, const SweepPlan& plan, const DbStatus& done, size_t shard_i,
                    size_t shard_n) {
  RunTally t;
  for (size_t p = shard_i; p < plan.points.size(); p += shard_n)
    for (const auto& model : spec.models)
      for (const auto& schema : spec.schemas) {
        const auto key = std::make_tuple(plan.points[p].config_hash, model.name, schema);
        if (done.ok.count(key)) ++t.ok;
        else if (done.failed.count(key)) ++t.failed;
        else ++t.missing;
      }
  return t;
}

std::string resume_note(const RunTally& before, const std::string& where, bool retry_failed) {
  std::string note = fmt::format("{} finished in {}", before.ok, where);
  if (before.failed > 0)
    note += fmt::format(", {} failed there, {}", before.failed,
                        retry_failed ? "run again" : "skipped: --retry-failed runs them again");
  return note;
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
  // Every model is loaded once here, before the spawner forks: workers share them copy-on-write.
  std::vector<Workload> workloads;
  for (const auto& m : spec.models) workloads.push_back(loader(m));
  const std::string tag = opts.worker_tag.empty() ? host_name() : opts.worker_tag;

  int cmd[2], evt[2];
  if (::pipe(cmd) != 0 || ::pipe(evt) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t spawner = ::fork();
  if (spawner < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (spawner == 0) {
    ::close(cmd[1]);
    ::close(evt[0]);
    spawner_main(cmd[0], evt[1], parent, spec, plan, workloads);
  }
  ::close(cmd[0]);
  ::close(evt[1]);
  int cmd_fd = cmd[1];
  const int evt_fd = evt[0];

  struct sigaction sa {}, old_int {}, old_term {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR at once
  g_stop = 0;
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  std::signal(SIGPIPE, SIG_IGN);

  Progress bar("sweep", runs_total, opts.progress);
  std::map<int64_t, Active> active;  // by task id
  int64_t next_id = 0;
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
  // A worker ended: whatever it did not report failed, with the reason.
  auto settle = [&](Active& a, int status) {
    if (g_stop) return;  // interrupted: unfinished runs stay unrecorded, a re-run does them
    const std::string why = a.timed_out ? fmt::format("timed out after {:g} s (worker killed)", opts.timeout_s)
                                        : exit_reason(status);
    const std::string now = utc_now_iso();
    for (size_t r = 0; r < a.task.runs.size(); ++r)
      if (!a.reported.count(r))
        record(a.task, r, false, fmt::format("{} while running this point", why), nlohmann::json(),
               seconds_since(a.started), now, now);
  };
  auto handle_line = [&](const std::string& text) {
    if (!text.empty() && text[0] == 'X') {
      int64_t id = 0;
      int status = 0;
      std::istringstream(text.substr(1)) >> id >> status;
      auto it = active.find(id);
      if (it == active.end()) return;
      settle(it->second, status);
      active.erase(it);
      return;
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
      return;
    }
    auto it = active.find(j.value("task", int64_t{-1}));
    if (it == active.end()) return;
    Active& a = it->second;
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
  auto send = [&](const std::string& line) {
    if (cmd_fd >= 0 && !write_fully(cmd_fd, line)) throw std::runtime_error("the sweep's spawner process died");
  };

  std::string buffer;
  bool spawner_alive = true;
  while (spawner_alive) {
    while (!g_stop && !source_empty && static_cast<int>(active.size()) < opts.jobs) {
      std::optional<PointTask> task = source.next();
      if (!task) {
        source_empty = true;
        break;
      }
      const int64_t id = next_id++;
      std::string line = fmt::format("S {} {} {}", id, task->point, task->runs.size());
      for (const auto& [m, schema] : task->runs)
        line += fmt::format(" {} {}", m, std::find(spec.schemas.begin(), spec.schemas.end(), schema) - spec.schemas.begin());
      send(line + "\n");
      Active a;
      a.task = std::move(*task);
      a.started = std::chrono::steady_clock::now();
      active.emplace(id, std::move(a));
    }
    const bool serving = source.service();
    if (cmd_fd >= 0 && (g_stop || (active.empty() && source_empty && !serving))) {
      ::close(cmd_fd);  // the spawner stops its workers (if any) and exits; the event pipe then ends
      cmd_fd = -1;
      if (g_stop) sum.interrupted = true;
    }
    pollfd p{evt_fd, POLLIN, 0};
    const int n = ::poll(&p, 1, 50);
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    if (n > 0) {
      char buf[1 << 16];
      const ssize_t got = ::read(evt_fd, buf, sizeof buf);
      if (got == 0) {
        spawner_alive = false;
      } else if (got > 0) {
        buffer.append(buf, static_cast<size_t>(got));
        for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
          handle_line(buffer.substr(0, nl));
          buffer.erase(0, nl + 1);
        }
      }
    }
    if (opts.timeout_s > 0)
      for (auto& [id, a] : active)
        if (!a.timed_out && seconds_since(a.started) > opts.timeout_s) {
          a.timed_out = true;
          send(fmt::format("K {}\n", id));
        }
  }
  ::close(evt_fd);
  if (cmd_fd >= 0) ::close(cmd_fd);
  int status = 0;
  while (::waitpid(spawner, &status, 0) < 0 && errno == EINTR) {}
  // A spawner that died on its own leaves points unaccounted for: they failed.
  if (!g_stop)
    for (auto& [id, a] : active) settle(a, status);
  if (!g_stop && !source_empty) throw std::runtime_error("the sweep's spawner process ended early: " + exit_reason(status));
  bar.finish();
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  sum.wall_s = seconds_since(t0);
  return sum;
}

}  // namespace h4h
