#!/usr/bin/env bash
# Supernet figures (issue 5) on h4h_fmnist with the default recipe, on this machine:
#  1. wall time of `h4hsim nas train` (two-phase, default recipe; budget <= 30 min on 2 cores);
#  2. test accuracy of the largest and smallest subnets with inherited weights;
#  3. Kendall tau between inherited-weight and stand-alone-trained test accuracy of 8 random
#     subnets (seed 11; stand-alone: `nas train --subnet ENC`, SA_EPOCHS epochs each);
#  4. two-phase vs one-phase: each supernet drives `nas search --accuracy supernet:CKPT` on the
#     hetero preset under a latency budget; the best-scoring subnet of each front is then
#     evaluated on the test set with its own supernet.
# Every step resumes: checkpoints are resumed and finished results are not redone, so an
# interrupted run is continued by running the same command again.
# Usage: bench/bench_supernet.sh [workdir=bench/out/supernet] [budget_ms=0.2]
# Environment: SA_EPOCHS (stand-alone epochs, default 4), SEARCH_POP / SEARCH_GEN (24 / 6).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
work="${1:-$root/bench/out/supernet}"
budget_ms="${2:-0.2}"
sa_epochs="${SA_EPOCHS:-4}"
pop="${SEARCH_POP:-24}"
gen="${SEARCH_GEN:-6}"
arch="$root/arch_configs/hetero.yaml"
[[ -x "$h4hsim" && -x "${h4hsim}-torch" ]] || "$root/scripts/build.sh"
mkdir -p "$work"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Runs "$@" once; its stdout is kept in $work/$1.out and printed (a finished step is not redone).
once() {
  local name="$1"; shift
  if [[ ! -s "$work/$name.out" ]]; then
    local s e
    s=$(date +%s.%N)
    "$@" >"$work/$name.out.tmp"
    e=$(date +%s.%N)
    awk "BEGIN{printf \"wall_s %.1f\n\", $e - $s}" >>"$work/$name.out.tmp"
    mv "$work/$name.out.tmp" "$work/$name.out"
  fi
  cat "$work/$name.out"
}
acc_of() { awk '/accuracy/ {for (i = 1; i <= NF; ++i) if ($i == "accuracy") {sub("%", "", $(i+1)); print $(i+1)}}' "$1"; }
wall_of() { awk '/^wall_s/ {print $2}' "$1"; }

log "two-phase supernet (default recipe)"
once train_two_phase "$h4hsim" nas train -q --out "$work/two_phase.ckpt" >&2
for s in largest smallest; do
  once "eval_two_phase_$s" "$h4hsim" nas eval --ckpt "$work/two_phase.ckpt" --subnet "$s" >&2
done

log "Kendall tau: 8 subnets, inherited vs stand-alone ($sa_epochs epochs each)"
mapfile -t subnets < <("$h4hsim" nas sample --space h4h_fmnist -n 8 --seed 11)
rows="$work/kendall.tsv"
: >"$rows"
for i in "${!subnets[@]}"; do
  enc="${subnets[$i]}"
  once "eval_inherited_$i" "$h4hsim" nas eval --ckpt "$work/two_phase.ckpt" --subnet "$enc" >&2
  once "train_standalone_$i" "$h4hsim" nas train -q --subnet "$enc" --epochs "$sa_epochs" \
    --out "$work/standalone_$i.ckpt" >&2
  once "eval_standalone_$i" "$h4hsim" nas eval --ckpt "$work/standalone_$i.ckpt" --subnet "$enc" >&2
  printf "%s\t%s\t%s\n" "$enc" "$(acc_of "$work/eval_inherited_$i.out")" "$(acc_of "$work/eval_standalone_$i.out")" >>"$rows"
done

log "LUT (hetero) and search with the two-phase supernet, latency <= $budget_ms ms"
[[ -s "$work/fmnist_hetero.lut" ]] || "$h4hsim" nas lut -q --space h4h_fmnist --arch "$arch" --out "$work/fmnist_hetero.lut" >&2
search() {  # search <name> <ckpt>
  [[ -s "$work/search_$1/pareto.csv" ]] && return 0
  rm -rf "$work/search_$1"
  "$h4hsim" nas search -q --space h4h_fmnist --arch "$arch" --lut "$work/fmnist_hetero.lut" --accuracy "supernet:$2" \
    --max-latency-ms "$budget_ms" -p "$pop" -g "$gen" --out "$work/search_$1" >&2
}
best_of() {  # the highest validation accuracy of a front: "subnet val_acc est_latency_ms"
  python3 - "$1" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
b = max(rows, key=lambda r: float(r["val_accuracy"]))
print(b["subnet"], b["val_accuracy"], b["est_latency_ms"])
EOF
}
search two_phase "$work/two_phase.ckpt"
read -r best2 val2 lat2 < <(best_of "$work/search_two_phase/pareto.csv")
once eval_best_two_phase "$h4hsim" nas eval --ckpt "$work/two_phase.ckpt" --subnet "$best2" >&2

log "one-phase baseline (same epochs and seed) and its search"
once train_one_phase "$h4hsim" nas train -q --one-phase --out "$work/one_phase.ckpt" >&2
for s in largest smallest; do
  once "eval_one_phase_$s" "$h4hsim" nas eval --ckpt "$work/one_phase.ckpt" --subnet "$s" >&2
done
search one_phase "$work/one_phase.ckpt"
read -r best1 val1 lat1 < <(best_of "$work/search_one_phase/pareto.csv")
once eval_best_one_phase "$h4hsim" nas eval --ckpt "$work/one_phase.ckpt" --subnet "$best1" >&2

echo
echo "== supernet figures (h4h_fmnist, default recipe, $(nproc) CPUs) =="
printf "training wall time: two-phase %s s, one-phase %s s\n" "$(wall_of "$work/train_two_phase.out")" \
  "$(wall_of "$work/train_one_phase.out")"
printf "%-10s %12s %13s\n" supernet largest_test% smallest_test%
printf "%-10s %12s %13s\n" two-phase "$(acc_of "$work/eval_two_phase_largest.out")" "$(acc_of "$work/eval_two_phase_smallest.out")"
printf "%-10s %12s %13s\n" one-phase "$(acc_of "$work/eval_one_phase_largest.out")" "$(acc_of "$work/eval_one_phase_smallest.out")"
echo "best searched subnet at latency <= $budget_ms ms (hetero, LUT estimate):"
printf "  two-phase %s: val %.2f%%, test %s%%, %s ms\n" "$best2" "$(awk "BEGIN{print 100*$val2}")" \
  "$(acc_of "$work/eval_best_two_phase.out")" "$lat2"
printf "  one-phase %s: val %.2f%%, test %s%%, %s ms\n" "$best1" "$(awk "BEGIN{print 100*$val1}")" \
  "$(acc_of "$work/eval_best_one_phase.out")" "$lat1"
echo "8 subnets, test accuracy with inherited (two-phase) vs stand-alone ($sa_epochs epochs) weights:"
python3 - "$rows" <<'EOF'
import itertools, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
for enc, a, b in rows:
    print(f"  {a:>6}  {b:>6}  {enc}")
x = [float(r[1]) for r in rows]; y = [float(r[2]) for r in rows]
# Kendall tau-b (ties in either ranking reduce the denominator).
c = d = tx = ty = 0
for i, j in itertools.combinations(range(len(x)), 2):
    sx = (x[i] > x[j]) - (x[i] < x[j]); sy = (y[i] > y[j]) - (y[i] < y[j])
    if sx == 0 and sy == 0: continue
    if sx == 0: tx += 1
    elif sy == 0: ty += 1
    elif sx == sy: c += 1
    else: d += 1
den = ((c + d + tx) * (c + d + ty)) ** 0.5
print(f"Kendall tau-b = {(c - d) / den if den else float('nan'):.3f} ({len(x)} subnets)")
EOF
