#!/usr/bin/env bash
# Supernet training beside another CPU-bound process (issue 18, part 5): seconds per epoch of
# a short `nas train` (15 steps of 256 images per epoch, two epochs) idle, then with one
# `yes > /dev/null` running, under
#   default   passive waiting (OMP_WAIT_POLICY=PASSIVE) and a pool that follows free CPUs
#   passive   passive waiting, --threads N fixed at every CPU
#   spinning  OMP_WAIT_POLICY=ACTIVE, --threads N fixed (what training did before)
# and prints each slowdown against idle. Target: at most ~2.5x with a competitor.
# Usage: bench/train_contention.sh        (needs build/cli/h4hsim-torch: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
torch="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim-torch"
[[ -x "$torch" ]] || { echo "train_contention: $torch not built (scripts/build.sh)" >&2; exit 2; }
work="$(mktemp -d)"
competitor=""
cleanup() { [[ -n "$competitor" ]] && kill "$competitor" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cpus="$(nproc)"
recipe=(nas train -q --limit 12800 --val-count 256 --epochs 2 --phase1-epochs 1 --max-steps 15)

# Mean seconds per epoch of one run (the log's per-epoch figure).
epoch_s() {
  local ckpt="$work/c.ckpt"
  rm -f "$ckpt"
  env "$@" "$torch" "${recipe[@]}" --out "$ckpt" ${THREADS_FLAG:-} |
    sed -n 's/.*accuracy [0-9.]*%, \([0-9.]*\) s (wall.*/\1/p' | awk '{s += $1} END {printf "%.1f", s / NR}'
}

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $cpus CPUs"
idle="$(THREADS_FLAG="" epoch_s OMP_WAIT_POLICY=PASSIVE)"
printf "%-50s %6s s/epoch\n" "idle, default" "$idle"
yes > /dev/null &
competitor=$!
sleep 1
for row in "default|OMP_WAIT_POLICY=PASSIVE|" "passive, $cpus threads fixed|OMP_WAIT_POLICY=PASSIVE|--threads $cpus" \
           "spinning, $cpus threads (before)|OMP_WAIT_POLICY=ACTIVE|--threads $cpus"; do
  IFS='|' read -r label envset flag <<< "$row"
  s="$(THREADS_FLAG="$flag" epoch_s "$envset")"
  awk -v l="with a competitor, $label" -v s="$s" -v i="$idle" 'BEGIN {printf "%-50s %6s s/epoch  %.2fx idle\n", l, s, s / i}'
done
