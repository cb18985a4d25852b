#pragma once
// Sweeps across machines with MPI (Debian's OpenMPI): `mpirun -np K h4hsim sweep run SPEC
// --mpi --db DIR`. Rank 0 reads every shard already in DIR (so a re-run resumes, whichever
// rank did a point before), then hands out points one at a time to whichever rank asks —
// it works on points itself between answering requests, so K ranks run K points at once.
// Every rank writes its own shard, DIR/rank<r>.sqlite (no cross-machine DB writes, no
// lock contention); `h4hsim sweep merge DIR/*.sqlite --db results.sqlite` combines them.
// Built only when CMake finds MPI (H4H_HAVE_MPI); otherwise `--mpi` says so.
#include <string>

#include "sim/sweep/sweep_runner.h"

namespace h4h {

struct MpiSweepOptions {
  std::string dir;              // shard directory
  bool retry_failed = false;
  bool allow_spec_change = false;
  SweepRunOptions run;          // per rank (jobs: worker processes per rank)
};

bool mpi_available();

// Runs this rank's share; on rank 0 also prints the totals. Initializes and finalizes MPI.
// Returns the process exit code (0, or 130 when interrupted).
int run_sweep_mpi(const SweepSpec& spec, const SweepPlan& plan, const SweepModelLoader& loader,
                  const MpiSweepOptions& opts);

}  // namespace h4h
