#pragma once
// Sweep execution: hardware points run in worker processes — the SystemC kernel is one per
// process (architecture.md, decision 1) — one process per point, elaborated once and then
// running every (model, schema) of that point back to back. A worker streams one JSON line
// per finished run to the parent, which writes it to the ResultsDb at once (one
// transaction per row). So a worker that crashes or is SIGKILLed loses only the run it was
// in: that run and the ones it did not reach are recorded as failed with the reason, and
// the sweep goes on. Ctrl-C (SIGINT/SIGTERM) stops the workers and leaves the unfinished
// runs unrecorded; re-running the same command resumes — finished rows are skipped, failed
// ones are retried with `retry_failed`.
//
// Where points come from is a PointSource: the whole plan (local run, or one `--shard i/n`
// of it), or an MPI dispatcher (sweep_mpi.h).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "frontend/workload.h"
#include "sim/sweep/results_db.h"
#include "sim/sweep/sweep_spec.h"

namespace h4h {

// Loads a model of the spec (ONNX, topology, NAS subnet); UserError when it cannot. The
// CLI supplies it, so the sweep library needs nothing above sim/ (NAS subnets come from nas/).
using SweepModelLoader = std::function<Workload(const SweepModel&)>;

// One hardware point's remaining runs.
struct PointTask {
  size_t point = 0;                                          // index into SweepPlan::points
  std::vector<std::pair<size_t, std::string>> runs;          // (model index, schema)
};

// The runs of `plan` that `db` does not hold as finished (failed ones too with `retry_failed`).
std::vector<PointTask> pending_tasks(const SweepSpec& spec, const SweepPlan& plan, const DbStatus& done,
                                     bool retry_failed);

// How the runs of `plan` stand in a DB: finished ok, failed, not there. Counts the points
// of shard i/n only (points i, i+n, ...), like `sweep run --shard i/n`.
struct RunTally {
  int64_t ok = 0, failed = 0, missing = 0;
};
RunTally tally_runs(const SweepSpec& spec, const SweepPlan& plan, const DbStatus& done, size_t shard_i = 0,
                    size_t shard_n = 1);
// How a resume announces what the DB already holds, failed runs apart from finished ones:
// "11 finished in DB, 1 failed there, skipped: --retry-failed runs them again".
std::string resume_note(const RunTally& before, const std::string& where, bool retry_failed);

// `h4hsim sweep run` exits 0 when every run of the sweep (or of its shard) is ok in the DB;
// kSweepExitRunsFailed when it ran to the end but some runs failed (in this run, or in an
// earlier one and not retried: --retry-failed); kSweepExitInterrupted after Ctrl-C/SIGTERM
// (the same command resumes). A user error (nothing run) is 2, an internal error 3.
constexpr int kSweepExitRunsFailed = 1;
constexpr int kSweepExitInterrupted = 130;

class PointSource {
 public:
  virtual ~PointSource() = default;
  // The next task, or nullopt when there is none left for this process. May block (MPI).
  virtual std::optional<PointTask> next() = 0;
  // Called about every `service_interval_ms` while workers run (the MPI dispatcher answers
  // requests here). Returns true while it has work it must still serve.
  virtual bool service() { return false; }
};

class ListSource : public PointSource {
 public:
  explicit ListSource(std::vector<PointTask> tasks) : tasks_(std::move(tasks)) {}
  std::optional<PointTask> next() override;

 private:
  std::vector<PointTask> tasks_;
  size_t at_ = 0;
};

struct SweepRunOptions {
  int jobs = 1;                 // worker processes at once
  double timeout_s = 0;         // > 0: a point running longer is killed and recorded as failed
  bool progress = true;
  std::string worker_tag;       // recorded per row ("" = host name); MPI: "host/rank"
};

struct SweepRunSummary {
  int64_t runs_total = 0;       // runs this process was asked to do
  int64_t ok = 0, failed = 0;
  bool interrupted = false;
  double wall_s = 0;
};

// This machine's name, for the `worker` column.
std::string host_name();

// Runs tasks from `source` in worker processes until it is empty (or SIGINT/SIGTERM).
// The caller must not have elaborated SystemC in this process (workers are forked).
SweepRunSummary run_sweep_tasks(const SweepSpec& spec, const SweepPlan& plan, const SweepModelLoader& loader,
                                PointSource& source, int64_t runs_total, ResultsDb& db, const SweepRunOptions& opts);

}  // namespace h4h
