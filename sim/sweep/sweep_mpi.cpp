#include "sim/sweep/sweep_mpi.h"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>

#include <fmt/format.h>

#include "frontend/user_error.h"

#ifdef H4H_HAVE_MPI
#include <mpi.h>
#endif

namespace h4h {

#ifndef H4H_HAVE_MPI

bool mpi_available() { return false; }

int run_sweep_mpi(const SweepSpec&, const SweepPlan&, const SweepModelLoader&, const MpiSweepOptions&) {
  throw UserError("--mpi: this h4hsim was built without MPI (Debian: libopenmpi-dev; scripts/setup.sh installs it, "
                  "then rebuild); --shard i/n splits a sweep without it");
}

#else

namespace {

namespace fs = std::filesystem;
constexpr int kTagRequest = 1, kTagTask = 2;

// A task on the wire: [point, runs, model0, schema0, model1, schema1, ...]; [-1] = no more.
std::vector<int64_t> encode(const PointTask& t, const SweepSpec& spec) {
  std::vector<int64_t> v = {static_cast<int64_t>(t.point), static_cast<int64_t>(t.runs.size())};
  for (const auto& [m, s] : t.runs) {
    v.push_back(static_cast<int64_t>(m));
    v.push_back(std::find(spec.schemas.begin(), spec.schemas.end(), s) - spec.schemas.begin());
  }
  return v;
}

PointTask decode(const std::vector<int64_t>& v, const SweepSpec& spec) {
  PointTask t;
  t.point = static_cast<size_t>(v[0]);
  for (int64_t i = 0; i < v[1]; ++i)
    t.runs.emplace_back(static_cast<size_t>(v[2 + 2 * i]), spec.schemas[static_cast<size_t>(v[3 + 2 * i])]);
  return t;
}

void send_task(const std::optional<PointTask>& t, const SweepSpec& spec, int to) {
  const std::vector<int64_t> v = t ? encode(*t, spec) : std::vector<int64_t>{-1};
  MPI_Send(v.data(), static_cast<int>(v.size()), MPI_INT64_T, to, kTagTask, MPI_COMM_WORLD);
}

// Rank 0: its own workers take from the queue directly; other ranks' requests are answered
// from the same queue in service().
class Dispatcher : public PointSource {
 public:
  Dispatcher(std::vector<PointTask> tasks, const SweepSpec& spec, int ranks)
      : queue_(tasks.begin(), tasks.end()), spec_(spec), open_ranks_(ranks - 1) {}
  std::optional<PointTask> next() override {
    service();
    if (queue_.empty()) return std::nullopt;
    PointTask t = std::move(queue_.front());
    queue_.pop_front();
    return t;
  }
  bool service() override {
    int flag = 1;
    while (open_ranks_ > 0) {
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &st);
      if (!flag) break;
      int dummy = 0;
      MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::optional<PointTask> t;
      if (!queue_.empty()) {
        t = std::move(queue_.front());
        queue_.pop_front();
      } else {
        --open_ranks_;  // that rank stops asking once told there is nothing left
      }
      send_task(t, spec_, st.MPI_SOURCE);
    }
    return open_ranks_ > 0;
  }

 private:
  std::deque<PointTask> queue_;
  const SweepSpec& spec_;
  int open_ranks_;
};

class Requester : public PointSource {
 public:
  explicit Requester(const SweepSpec& spec) : spec_(spec) {}
  std::optional<PointTask> next() override {
    if (done_) return std::nullopt;
    int dummy = 0;
    MPI_Send(&dummy, 1, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD);
    MPI_Status st;
    MPI_Probe(0, kTagTask, MPI_COMM_WORLD, &st);
    int n = 0;
    MPI_Get_count(&st, MPI_INT64_T, &n);
    std::vector<int64_t> v(static_cast<size_t>(n));
    MPI_Recv(v.data(), n, MPI_INT64_T, 0, kTagTask, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (v.empty() || v[0] < 0) {
      done_ = true;
      return std::nullopt;
    }
    return decode(v, spec_);
  }

 private:
  const SweepSpec& spec_;
  bool done_ = false;
};

std::string shard_path(const std::string& dir, int rank) { return (fs::path(dir) / fmt::format("rank{}.sqlite", rank)).string(); }

}  // namespace

bool mpi_available() { return true; }

int run_sweep_mpi(const SweepSpec& spec, const SweepPlan& plan, const SweepModelLoader& loader,
                  const MpiSweepOptions& opts) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SINGLE, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int code = 0;
  // Set-up runs in steps every rank agrees on before the next: a UserError on one rank
  // (unwritable directory, a corrupt shard ...) must stop them all, never leave one waiting
  // in a collective the failed rank skipped.
  std::string error;
  auto step_everywhere = [&](const std::function<void()>& step) {
    try {
      step();
    } catch (const UserError& e) {
      error = e.what();
    }
    int bad = error.empty() ? 0 : 1, any_bad = 0;
    MPI_Allreduce(&bad, &any_bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return any_bad == 0;
  };
  std::unique_ptr<ResultsDb> db;
  DbStatus done;  // rank 0: the runs every shard in the directory holds
  const bool ready =
      step_everywhere([&] {
        if (rank != 0) return;
        std::error_code ec;
        fs::create_directories(opts.dir, ec);
        if (ec || !fs::is_directory(opts.dir))
          throw UserError(fmt::format("{}: cannot create the shard directory ({})", opts.dir, ec.message()));
      }) &&
      step_everywhere([&] {
        db = std::make_unique<ResultsDb>(shard_path(opts.dir, rank));
        db->bind_spec(spec.canonical(), spec.hash(), spec.name, axis_sql_types(spec), opts.allow_spec_change);
      }) &&
      step_everywhere([&] {
        // Resume across shards: whatever any rank finished before counts as done.
        if (rank != 0) return;
        for (const auto& e : fs::directory_iterator(opts.dir)) {
          if (e.path().extension() != ".sqlite") continue;
          ResultsDb shard(e.path().string(), DbAccess::read);
          if (shard.meta("spec_hash").value_or("") != spec.hash()) continue;
          DbStatus s = shard.status();
          done.ok.insert(s.ok.begin(), s.ok.end());
          done.failed.insert(s.failed.begin(), s.failed.end());
        }
      });
  if (!ready) {
    if (!error.empty()) std::cerr << fmt::format("h4hsim: error: rank {}: {}\n", rank, error);
    db.reset();
    MPI_Finalize();
    return 2;
  }

  SweepRunOptions ro = opts.run;
  if (ro.worker_tag.empty()) ro.worker_tag = fmt::format("{}/rank{}", host_name(), rank);
  SweepRunSummary sum;
  int64_t failed_before = 0;  // rank 0: failed runs not retried
  if (rank == 0) {
    // A key failed in one shard but done in another is done.
    for (const auto& k : done.ok) done.failed.erase(k);
    std::vector<PointTask> tasks = pending_tasks(spec, plan, done, opts.retry_failed);
    const RunTally before = tally_runs(spec, plan, done);
    if (!opts.retry_failed) failed_before = before.failed;
    int64_t runs = 0;
    for (const auto& t : tasks) runs += static_cast<int64_t>(t.runs.size());
    std::cerr << fmt::format("sweep {}: {} points x {} models x {} schemas; {} runs to do on {} ranks ({})\n",
                             spec.name, plan.points.size(), spec.models.size(), spec.schemas.size(), runs, size,
                             resume_note(before, opts.dir + "/*.sqlite", opts.retry_failed));
    Dispatcher d(std::move(tasks), spec, size);
    sum = run_sweep_tasks(spec, plan, loader, d, runs, *db, ro);
    // Drain: answer every rank still asking, so none waits forever.
    while (d.service()) ::usleep(10000);
  } else {
    Requester r(spec);
    ro.progress = false;
    sum = run_sweep_tasks(spec, plan, loader, r, 0, *db, ro);
  }
  int64_t local[3] = {sum.ok, sum.failed, sum.interrupted ? 1 : 0}, total[3] = {0, 0, 0};
  MPI_Reduce(local, total, 3, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    std::cout << fmt::format("sweep {}: {} ok, {} failed on {} ranks in {:.1f} s{}; shards in {} (merge: h4hsim "
                             "sweep merge {}/*.sqlite --db RESULTS.sqlite)\n",
                             spec.name, total[0], total[1], size, sum.wall_s,
                             failed_before ? fmt::format(" ({} more failed before, not retried)", failed_before) : "",
                             opts.dir, opts.dir);
    code = total[2] > 0 ? kSweepExitInterrupted : total[1] + failed_before > 0 ? kSweepExitRunsFailed : 0;
  }
  db.reset();
  MPI_Finalize();
  return code;
}

#endif

}  // namespace h4h
