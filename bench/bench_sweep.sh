#!/usr/bin/env bash
# Sweep throughput on this machine:
#  1. a 200-point sweep (NPU rows x cols x CIM macros x clock on the hetero preset; MobileNetV2
#     and ResNet-50 under npu_only and auto: 800 runs) with --jobs 1 vs --jobs 2 (target
#     speedup >= 1.8x on 2 cores);
#  2. the same with MPI, 2 ranks vs 1 (mpirun, one worker per rank);
#  3. per-point overhead beyond the simulation: wall time per point of a sweep of the tiny
#     CNN fixture (simulation ~ms), minus the simulation time the rows record.
# Usage: bench/bench_sweep.sh   (prints a table; needs nothing else running to mean anything)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
[[ -x "$h4hsim" ]] || "$root/scripts/build.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_warn_on_fork=0

spec() {  # spec <file> <models, YAML list items> <schemas>
  cat >"$1" <<EOF
name: bench200
base: $root/arch_configs/hetero.yaml
axes:
  npu.array.rows: [8, 16, 32, 64, 128]
  npu.array.cols: [8, 16, 32, 64, 128]
  cim.macro_count: [4, 8, 16, 32]
  npu.clock_mhz: [500, 1000]
models:
$2
schemas: [$3]
EOF
}
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); awk "BEGIN{printf \"%.2f\", $e - $s}"; }
sim_seconds() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('%.2f' % c.execute('SELECT SUM(wall_s) FROM results').fetchone()[0])" "$1"; }

spec "$work/nas.yaml" "  - $root/tests/data/onnx/mobilenet_v2_op17.onnx
  - $root/tests/data/onnx/resnet50_op17.onnx" "npu_only, auto"
spec "$work/tiny.yaml" "  - $root/tests/data/onnx/tiny_cnn_op17.onnx" "auto"
points=$("$h4hsim" sweep plan "$work/nas.yaml" --show 0 | awk '{for (i = 1; i <= NF; ++i) if ($(i+1) == "points") {print $i; exit}}')

j1=$(seconds "$h4hsim" sweep run "$work/nas.yaml" --db "$work/j1.sqlite" --jobs 1 -q)
j2=$(seconds "$h4hsim" sweep run "$work/nas.yaml" --db "$work/j2.sqlite" --jobs 2 -q)
sim1=$(sim_seconds "$work/j1.sqlite")
echo "points: $points x (MobileNetV2, ResNet-50) x (npu_only, auto)"
printf "%-28s %8s %10s\n" run wall_s speedup
printf "%-28s %8s %10s\n" "--jobs 1" "$j1" "1.00"
printf "%-28s %8s %10s\n" "--jobs 2" "$j2" "$(awk "BEGIN{printf \"%.2f\", $j1 / $j2}")"
if command -v mpirun >/dev/null && "$h4hsim" sweep run --help | grep -q -- --mpi; then
  m1=$(seconds mpirun -np 1 "$h4hsim" sweep run "$work/nas.yaml" --mpi --db "$work/m1" -q)
  m2=$(seconds mpirun --oversubscribe -np 2 "$h4hsim" sweep run "$work/nas.yaml" --mpi --db "$work/m2" -q)
  printf "%-28s %8s %10s\n" "mpirun -np 1 --mpi" "$m1" "$(awk "BEGIN{printf \"%.2f\", $j1 / $m1}")"
  printf "%-28s %8s %10s\n" "mpirun -np 2 --mpi" "$m2" "$(awk "BEGIN{printf \"%.2f\", $j1 / $m2}")"
  r1=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/m2/rank1.sqlite').execute('SELECT COUNT(*) FROM results').fetchone()[0])")
  echo "  (2 ranks: rank 1 ran $r1 of $((points * 4)) runs)"
fi
t1=$(seconds "$h4hsim" sweep run "$work/tiny.yaml" --db "$work/t1.sqlite" --jobs 1 -q)
tsim=$(sim_seconds "$work/t1.sqlite")
echo "simulation inside the --jobs 1 run: $sim1 s of $j1 s"
awk "BEGIN{printf \"per-point overhead (tiny CNN, --jobs 1): %.1f ms wall per point, of which %.1f ms simulating\n\", 1000 * $t1 / $points, 1000 * $tsim / $points}"
# The machine's own ceiling for this workload: the same 10 simulations in one process chain,
# and two such chains at once (independent processes, no sweep machinery at all).
chain() { for _ in 1 2 3 4 5 6 7 8 9 10; do "$h4hsim" run -m "$root/tests/data/onnx/resnet50_op17.onnx" \
  -a "$root/arch_configs/hetero.yaml" --schema auto >/dev/null; done; }
c1=$(seconds chain)
s=$(date +%s.%N); chain & chain & wait; e=$(date +%s.%N)
awk "BEGIN{printf \"ceiling: two independent simulation chains at once run %.2fx the throughput of one\n\", 2 * $c1 / ($e - $s)}"
