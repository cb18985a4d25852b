#!/usr/bin/env bash
# Frontend speed: wall time of `h4hsim inspect --json` (load, shape inference + folding,
# passes, lowering, JSON) for every bundled ONNX fixture, best of N runs.
# Target: every torchvision model under 1 s on one core of the 2-core reference machine
# (the simulator's whole budget for a network is about a second).
# Usage: bench/bench_frontend.sh [runs=5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
runs="${1:-5}"
[[ -x "$h4hsim" ]] || "$root/scripts/build.sh"

printf "%-36s %10s %8s\n" "model" "best_ms" "target"
worst=0
for f in "$root"/tests/data/onnx/*.onnx; do
  best=""
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$h4hsim" inspect --model "$f" --json >/dev/null
    t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
    if [[ -z "$best" || $ms -lt $best ]]; then best=$ms; fi
  done
  ((best > worst)) && worst=$best
  status=ok
  ((best >= 1000)) && status=SLOW
  printf "%-36s %10d %8s\n" "$(basename "$f")" "$best" "$status"
done
echo "worst: ${worst} ms (target < 1000 ms)"
