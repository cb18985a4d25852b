#!/usr/bin/env bash
# Supernet figures (issue 19) on h4h_fmnist with the default recipe, on this machine:
#  1. training time of `h4hsim nas train` (two-phase, default recipe; budget <= 30 min on 2
#     cores): the sum of the epoch times its log reports, and their range
#     and the test accuracy of the largest and smallest subnets with inherited weights;
#  2. ranking: Kendall tau between inherited-weight and stand-alone-trained test accuracy of
#     N_RANK subnets (default 20) spread evenly over the estimated latency range on the hetero
#     preset (`nas sample --stratify-lut`, seed 11; stand-alone: `nas train --subnet ENC`,
#     SA_EPOCHS epochs each), with a bootstrap 95 % interval (subnets resampled), and how many
#     of them inherit an accuracy between the smallest's and the largest's; each subnet is
#     trained stand-alone on RANK_SA_SEEDS seeds (default "1 2"), and the tau between each two
#     stand-alone seeds is reported as the ceiling a predictor can reach against one run;
#  3. (STAGES containing "ablation") two-phase vs one-phase: the learning rate tuned per arm
#     on seed 1 (ABLATION_LRS, chosen by mean validation accuracy over the panel; a best rate
#     at the grid's edge extends the grid by factors of 2 while it improves), then
#     ABLATION_SEEDS seeds per arm at that rate, all on one validation split (--split-seed 1);
#     the panel (the ranking subnets, the largest, the smallest and 4 transformer-heavy
#     subnets) is scored on the test set; per arm mean +- 95 % interval over seeds, paired
#     per-subnet differences (t interval and sign test) and each arm's measured training time;
#  4. (STAGES containing "search") search that finds something: at each of BUDGETS_MS latency
#     budgets on the hetero preset, the subnet picked by NSGA-II with the supernet oracle,
#     by random search with the same number of oracle calls, by NSGA-II on proxy:macs, and
#     the three hand-designed nets of bench/supernet_baselines.py scaled to the budget
#     (MobileNetV2-style, a plain CNN, a hybrid with transformers in the last stage), each
#     retrained stand-alone on BASELINE_SEEDS seeds and compared on test accuracy with
#     intervals (no pick is judged by the validation score it was selected on).
# Every step resumes: checkpoints are resumed and finished results are not redone, so an
# interrupted run is continued by running the same command again (hours of CPU on 2 cores).
# Usage: bench/bench_supernet.sh [workdir=bench/out/supernet]
# Environment: STAGES ("ranking search"; "ablation" adds ~12 trainings), N_RANK (20),
#   SA_EPOCHS (stand-alone epochs, 4), RANK_SA_SEEDS ("1 2"), ABLATION_SEEDS ("1 2 3"), ABLATION_LRS
#   ("3e-3 6e-3 0.012"), SEARCH_POP / SEARCH_GEN (24 / 6), BUDGETS_MS ("0.05 0.08 0.11"),
#   BASELINE_SEEDS ("1 2 3"), SEARCH_METHODS ("supernet random proxy"; "tpe" also works),
#   SA_STEPS (search stage: stand-alone steps per epoch, 0 = all; a few for a quick check),
#   SEARCH_JOBS (search stage: searches and stand-alone trainings at a time, the CPU count),
#   REPORT_ONLY (1: start no training or search, only the supernet's evaluations of the search
#   picks (seconds each); report what is finished, as a look at a run under way elsewhere).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
work="${1:-$root/bench/out/supernet}"
stages="${STAGES:-ranking search}"
n_rank="${N_RANK:-20}"
sa_epochs="${SA_EPOCHS:-4}"
rank_sa_seeds="${RANK_SA_SEEDS:-1 2}"
pop="${SEARCH_POP:-24}"
gen="${SEARCH_GEN:-6}"
arch="$root/arch_configs/hetero.yaml"
[[ -x "$h4hsim" && -x "${h4hsim}-torch" ]] || "$root/scripts/build.sh" h4hsim h4hsim-torch
mkdir -p "$work"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Runs "$@" once; its stdout is kept in $work/$1.out and printed (a finished step is not redone).
# An interrupted attempt's output is kept and the next attempt appends to it: a training that
# resumes from its checkpoint logs only the epochs it still runs, so the earlier ones' lines
# (and times) would otherwise be lost.
once() {
  local name="$1"; shift
  if [[ ! -s "$work/$name.out" ]]; then
    [[ -z "${REPORT_ONLY:-}" ]] || return 0
    local s e
    s=$(date +%s.%N)
    "$@" >>"$work/$name.out.tmp"
    e=$(date +%s.%N)
    awk "BEGIN{printf \"wall_s %.1f\n\", $e - $s}" >>"$work/$name.out.tmp"
    mv "$work/$name.out.tmp" "$work/$name.out"
  fi
  cat "$work/$name.out"
}
# The accuracy an eval's output reports; nothing for a step not finished (REPORT_ONLY).
key_of() { printf "%s" "$1" | md5sum | cut -c1-12; }  # a subnet's short name for file names
acc_of() { [[ ! -e "$1" ]] || awk '/accuracy/ {for (i = 1; i <= NF; ++i) if ($i == "accuracy") {sub("%", "", $(i+1)); print $(i+1)}}' "$1"; }
# Training time from a `nas train` log: epoch_stat <log> s|cpu|range gives the sum of its
# epochs' own times (s), of their CPU times (cpu: the compute itself, which other processes do
# not inflate as they do the wall time; logged since 2026-12-05), or their range. Each epoch
# counts once (the last line of its number: a resumed run may redo one), and a log that lacks
# any of the recipe's epochs (an attempt's lines lost) or their CPU times gives "-".
epoch_stat() { awk -v want="$2" '
  match($0, /^epoch [0-9]+ /) {
    k = substr($0, 7, RLENGTH - 7) + 0
    if (match($0, /, [0-9.]+ s \(wall/)) wall[k] = substr($0, RSTART + 2, RLENGTH - 10) + 0
    cpu[k] = match($0, /, [0-9.]+ CPU s\)/) ? substr($0, RSTART + 2, RLENGTH - 9) + 0 : -1
  }
  match($0, /\(recipe [0-9]+ epochs\)/) { recipe = substr($0, RSTART + 8, RLENGTH - 16) + 0 }
  END {
    n = 0; for (k in wall) n++
    if (n == 0 || n < recipe) { printf "-"; exit }
    for (k in wall) {
      s += wall[k]; c += cpu[k]; if (cpu[k] < 0) nocpu = 1
      if (lo == "" || wall[k] < lo) lo = wall[k]; if (wall[k] > hi) hi = wall[k]
    }
    if (want == "s") printf "%.0f", s
    else if (want == "cpu") { if (nocpu) printf "-"; else printf "%.0f", c }
    else printf "%d epochs, %.0f-%.0f s each", n, lo, hi
  }' "$1"; }

log "two-phase supernet (default recipe)"
once train_two_phase "$h4hsim" nas train -q --out "$work/two_phase.ckpt" >&2
for s in largest smallest; do
  once "eval_two_phase_$s" "$h4hsim" nas eval --ckpt "$work/two_phase.ckpt" --subnet "$s" >&2
done

[[ -s "$work/fmnist_hetero.lut" ]] || "$h4hsim" nas lut -q --space h4h_fmnist --arch "$arch" --out "$work/fmnist_hetero.lut" >&2

if [[ " $stages " == *" ranking "* ]]; then
  log "ranking: $n_rank subnets over the latency range, inherited vs stand-alone ($sa_epochs epochs each)"
  [[ -s "$work/rank_subnets.tsv" ]] || "$h4hsim" nas sample --space h4h_fmnist -n "$n_rank" --seed 11 \
    --stratify-lut "$work/fmnist_hetero.lut" -a "$arch" --show-latency >"$work/rank_subnets.tsv"
  rows="$work/ranking.tsv.tmp"  # replaces ranking.tsv once whole (the ablation's report reads it)
  : >"$rows"
  mapfile -t ranked <"$work/rank_subnets.tsv"
  for i in "${!ranked[@]}"; do
    IFS=$'\t' read -r enc lat_ms <<<"${ranked[$i]}"
    once "eval_inherited_$i" "$h4hsim" nas eval --ckpt "$work/two_phase.ckpt" --subnet "$enc" >&2
    once "train_standalone_$i" "$h4hsim" nas train -q --subnet "$enc" --epochs "$sa_epochs" \
      --out "$work/standalone_$i.ckpt" >&2
    once "eval_standalone_$i" "$h4hsim" nas eval --ckpt "$work/standalone_$i.ckpt" --subnet "$enc" >&2
    # Further stand-alone seeds (RANK_SA_SEEDS beyond 1; the validation split held at seed 1's)
    # measure how well one stand-alone run ranks another: the ceiling of any predictor's tau.
    extra=""
    for s in $rank_sa_seeds; do
      [[ "$s" != 1 ]] || continue
      once "train_standalone_${i}_s$s" "$h4hsim" nas train -q --subnet "$enc" --epochs "$sa_epochs" \
        --seed "$s" --split-seed 1 --out "$work/standalone_${i}_s$s.ckpt" >&2
      once "eval_standalone_${i}_s$s" "$h4hsim" nas eval --ckpt "$work/standalone_${i}_s$s.ckpt" \
        --subnet "$enc" >&2
      extra+=$'\t'"$(acc_of "$work/eval_standalone_${i}_s$s.out")"
    done
    printf "%s\t%s\t%s\t%s%s\n" "$enc" "$lat_ms" "$(acc_of "$work/eval_inherited_$i.out")" \
      "$(acc_of "$work/eval_standalone_$i.out")" "$extra" >>"$rows"
  done
  mv "$rows" "$work/ranking.tsv"
fi

if [[ " $stages " == *" ablation "* ]]; then
  seeds="${ABLATION_SEEDS:-1 2 3}"
  lrs="${ABLATION_LRS:-3e-3 6e-3 0.012}"  # centred on the default supernet rate (kSupernetLr)
  # The panel: the ranking subnets, both extremes and transformer-heavy subnets (every hybrid
  # position a transformer, at several sizes), where the phases should matter most.
  panel="$work/ablation_panel.txt"
  if [[ ! -s "$panel" ]]; then
    [[ -s "$work/rank_subnets.tsv" ]] || "$h4hsim" nas sample --space h4h_fmnist -n "$n_rank" --seed 11 \
      --stratify-lut "$work/fmnist_hetero.lut" -a "$arch" --show-latency >"$work/rank_subnets.tsv"
    { cut -f1 "$work/rank_subnets.tsv"; echo largest; echo smallest
      echo r28_s16_w24-k5e3.k5e3_w32-k5e6.k5e6.k5e6_w48-k5e6.t4m2.t4m2_w64-k5e6.t4m2.t4m2_h256
      echo r28_s8_w16-k3e3_w24-k3e3_w32-k3e3.t2m1.t2m1_w48-k3e3.t2m1.t2m1_h128
      echo r24_s16_w24-k3e3.k3e3_w32-k3e4.k3e4_w48-k3e4.t4m1.t2m2_w64-k3e4.t2m1.t4m2_h256
      echo r28_s8_w16-k5e3_w32-k5e4.k5e4_w32-k5e6.t2m2_w48-k5e6.t4m1_h256; } >"$panel.tmp"
    mv "$panel.tmp" "$panel"
  fi
  mapfile -t members <"$panel"
  arm_flag() { [[ "$1" == one ]] && echo --one-phase || true; }
  # score <tag> <ckpt> <split>: panel accuracies, one per line, in panel order.
  score() {
    local k
    for k in "${!members[@]}"; do
      once "abl_eval_$1_$3_$k" "$h4hsim" nas eval --ckpt "$2" --subnet "${members[$k]}" --split "$3" >&2
      acc_of "$work/abl_eval_$1_$3_$k.out"
    done
  }
  declare -A best_lr
  # tune <arm> <lr>: trains seed 1 at lr, scores the panel on the validation split and keeps
  # the best mean in $best / $best_mean.
  tune() {
    local tag="$1_s1_lr$2" m
    log "ablation: $1-phase, seed 1, lr $2 (tuning)"
    # shellcheck disable=SC2046
    once "abl_train_$tag" "$h4hsim" nas train -q $(arm_flag "$1") --seed 1 --split-seed 1 --lr "$2" \
      --out "$work/abl_$tag.ckpt" >&2
    m=$(score "$tag" "$work/abl_$tag.ckpt" val | awk '{s += $1} END {printf "%.4f", s / NR}')
    echo "$1 $2 $m" >>"$work/ablation_tuning.tsv.tmp"
    if awk "BEGIN{exit !($m > $best_mean)}"; then best="$2"; best_mean="$m"; fi
  }
  for arm in two one; do
    best=""; best_mean=-1
    for lr in $lrs; do tune "$arm" "$lr"; done
    # A best rate at the edge of the grid is not yet a tuned one: step past that edge by a
    # factor of 2 while it keeps improving (at most twice).
    read -r lo hi < <(echo "$lrs" | tr ' ' '\n' | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo, hi}')
    for _ in 1 2; do
      if awk "BEGIN{exit !($best == $hi)}"; then
        hi=$(awk "BEGIN{printf \"%g\", 2 * $hi}"); before="$best"; tune "$arm" "$hi"
      elif awk "BEGIN{exit !($best == $lo)}"; then
        lo=$(awk "BEGIN{printf \"%g\", $lo / 2}"); before="$best"; tune "$arm" "$lo"
      else
        break
      fi
      [[ "$best" != "$before" ]] || break
    done
    best_lr[$arm]="$best"
  done
  sort -u "$work/ablation_tuning.tsv.tmp" >"$work/ablation_tuning.tsv" && rm -f "$work/ablation_tuning.tsv.tmp"
  : >"$work/ablation.tsv"
  for arm in two one; do
    for seed in $seeds; do
      tag="${arm}_s${seed}_lr${best_lr[$arm]}"
      log "ablation: $arm-phase, seed $seed, lr ${best_lr[$arm]}"
      # shellcheck disable=SC2046
      once "abl_train_$tag" "$h4hsim" nas train -q $(arm_flag "$arm") --seed "$seed" --split-seed 1 \
        --lr "${best_lr[$arm]}" --out "$work/abl_$tag.ckpt" >&2
      mapfile -t accs < <(score "$tag" "$work/abl_$tag.ckpt" test)
      for k in "${!members[@]}"; do
        printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$arm" "$seed" "${members[$k]}" "${accs[$k]}" \
          "$(epoch_stat "$work/abl_train_$tag.out" s)" "$(epoch_stat "$work/abl_train_$tag.out" cpu)" \
          >>"$work/ablation.tsv"
      done
    done
  done
fi

if [[ " $stages " == *" search "* ]]; then
  # Goal 4: at each latency budget (hetero preset, LUT estimate), the subnet each method
  # picks, retrained stand-alone from scratch on BASELINE_SEEDS seeds and scored on the test
  # set — so no method is judged by the validation score it was selected on (the winner's
  # curse of picking a front's maximum). Methods: NSGA-II with the supernet oracle (its
  # front's best-scoring feasible member), random search with the same number of oracle
  # calls, NSGA-II on proxy:macs (the most MACs that fit), and three hand-designed families
  # scaled uniformly to the budget (bench/supernet_baselines.py: mbv2, cnn, hybrid).
  budgets="${BUDGETS_MS:-0.05 0.08 0.11}"
  bseeds="${BASELINE_SEEDS:-1 2 3}"
  methods="${SEARCH_METHODS:-supernet random proxy}"
  picks="$work/search_picks.tsv"
  search_to() {  # search_to <dir> <nas search options...>: one search, resumable by its output
    local dir="$1"; shift
    [[ -s "$dir/pareto.json" ]] && return 0
    if [[ -n "${REPORT_ONLY:-}" ]]; then echo "REPORT_ONLY: $dir is not searched yet" >&2; exit 2; fi
    rm -rf "$dir"
    "$h4hsim" nas search -q --space h4h_fmnist --arch "$arch" --lut "$work/fmnist_hetero.lut" \
      --no-resimulate -p "$pop" -g "$gen" --seed 1 --out "$dir" "$@" >&2
  }
  best_of() {  # best_of <pareto.csv> <budget>: the feasible member with the highest score
    python3 - "$1" "$2" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, rows = rows[0], rows[1:]
s, lat, enc = 5, head.index("est_latency_ms"), head.index("subnet")
ok = [r for r in rows if r[s] != "" and float(r[lat]) <= float(sys.argv[2])]
if not ok: sys.exit(f"{sys.argv[1]}: no scored subnet within {sys.argv[2]} ms")
b = max(ok, key=lambda r: (float(r[s]), -float(r[lat])))
print(b[enc], b[lat])
EOF
  }
  calls_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["oracle_calls"])' "$1"; }
  estimate() { "$h4hsim" nas estimate --space h4h_fmnist --lut "$work/fmnist_hetero.lut" -a "$arch" --subnet "$1" |
    awk '{sub(":", "", $1); print $1 "\t" $3}'; }
  for fam in mbv2 cnn hybrid; do
    if [[ ! -s "$work/family_$fam.tsv" ]]; then
      python3 "$root/bench/supernet_baselines.py" list "$fam" | while read -r e; do estimate "$e"; done \
        >"$work/family_$fam.tsv.tmp"
      mv "$work/family_$fam.tsv.tmp" "$work/family_$fam.tsv"
    fi
  done
  ckpt="$work/two_phase.ckpt"
  search_method() {  # search_method <method> <budget ms>
    case "$1" in
      supernet) search_to "$work/search_$1_$2" --accuracy "supernet:$ckpt" --max-latency-ms "$2" ;;
      random | tpe)
        search_to "$work/search_supernet_$2" --accuracy "supernet:$ckpt" --max-latency-ms "$2"
        search_to "$work/search_$1_$2" --accuracy "supernet:$ckpt" --max-latency-ms "$2" --strategy "$1" \
          --oracle-calls "$(calls_of "$work/search_supernet_$2/pareto.json")" ;;
      proxy) search_to "$work/search_$1_$2" --accuracy proxy:macs --max-latency-ms "$2" ;;
      *) echo "SEARCH_METHODS: unknown method '$1' (supernet, random, tpe, proxy)" >&2; return 2 ;;
    esac
  }
  # The budgets' searches, SEARCH_JOBS budgets at a time (each budget's methods in order:
  # random search takes the supernet search's oracle-call count).
  jobs_max="${SEARCH_JOBS:-$(nproc)}"
  pool_threads=$(( $(nproc) / jobs_max > 0 ? $(nproc) / jobs_max : 1 ))
  running=0
  for b in $budgets; do
    log "search: latency <= $b ms ($methods)"
    # The oracle's libtorch sizes its pool once: share the CPUs out (two pools of all the CPUs
    # that meet at barriers every operator run many times slower side by side).
    (export OMP_NUM_THREADS=$pool_threads
     for m in $methods; do search_method "$m" "$b"; done) &
    if ((++running >= jobs_max)); then wait -n; running=$((running - 1)); fi
  done
  while ((running > 0)); do wait -n; running=$((running - 1)); done
  : >"$picks.tmp"
  for b in $budgets; do
    for m in $methods; do
      search_method "$m" "$b"  # done above: resumes nothing
      pick=$(best_of "$work/search_${m}_$b/pareto.csv" "$b")
      read -r enc ms <<<"$pick"
      calls=$(calls_of "$work/search_${m}_$b/pareto.json")
      printf "%s\t%s\t%s\t%s\t%s\n" "$b" "$m" "$enc" "$ms" "$calls" >>"$picks.tmp"
    done
    for fam in mbv2 cnn hybrid; do
      enc=$(python3 "$root/bench/supernet_baselines.py" pick "$b" <"$work/family_$fam.tsv")
      printf "%s\t%s\t%s\t%s\t-\n" "$b" "$fam" "$enc" "$(awk -v e="$enc" '$1 == e {print $2}' "$work/family_$fam.tsv")" \
        >>"$picks.tmp"
    done
  done
  mv "$picks.tmp" "$picks"
  # Stand-alone retraining of every picked subnet (one per subnet and seed, shared between
  # methods that pick the same one), validation split fixed as in the ablation. SEARCH_JOBS
  # (default: the CPU count) trainings at a time: these small nets keep one thread busy
  # better than two (each trainer sizes its threads to the CPUs left free), and only their
  # accuracy is reported here, not their time.
  retrain() {  # retrain <enc> <seed>
    local key
    key=$(key_of "$1")
    [[ -s "$work/sa_${key}_s$2.eval.out" || -n "${REPORT_ONLY:-}" ]] || log "stand-alone: $1, seed $2 ($sa_epochs epochs)"
    once "sa_${key}_s$2.train" "$h4hsim" nas train -q --subnet "$1" --epochs "$sa_epochs" --seed "$2" \
      --split-seed 1 --max-steps "${SA_STEPS:-0}" --out "$work/sa_${key}_s$2.ckpt" >/dev/null
    OMP_NUM_THREADS=$pool_threads once "sa_${key}_s$2.eval" "$h4hsim" nas eval \
      --ckpt "$work/sa_${key}_s$2.ckpt" --subnet "$1" >/dev/null
  }
  # Each pick's inherited test accuracy (seconds each, so before the hours of retraining, and
  # even under REPORT_ONLY): a second ranking check, against stand-alone means over
  # BASELINE_SEEDS seeds rather than one run.
  cut -f3 "$picks" | sort -u | while read -r enc; do
    REPORT_ONLY="" once "inh_$(key_of "$enc")" "$h4hsim" nas eval --ckpt "$ckpt" \
      --subnet "$enc" >/dev/null
  done
  # Seed-major order: an interrupted run has every pick at its first seeds, not some picks at
  # all seeds and others at none.
  running=0
  for s in $bseeds; do cut -f3 "$picks" | sort -u | sed "s/\$/ $s/"; done >"$work/search_retrain.txt"
  while read -r enc s; do
    retrain "$enc" "$s" &
    if ((++running >= jobs_max)); then wait -n; running=$((running - 1)); fi
  done <"$work/search_retrain.txt"
  while ((running > 0)); do wait -n; running=$((running - 1)); done
  results="$work/search_results${REPORT_ONLY:+_partial}.tsv"
  : >"$results.tmp"
  while IFS=$'\t' read -r b m enc ms calls; do
    key=$(key_of "$enc")
    for s in $bseeds; do
      a=$(acc_of "$work/sa_${key}_s$s.eval.out")
      [[ -n "$a" ]] || continue  # not trained yet (REPORT_ONLY)
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$b" "$m" "$enc" "$ms" "$calls" "$s" "$a" \
        "$(acc_of "$work/inh_$key.out")" >>"$results.tmp"
    done
  done <"$picks"
  mv "$results.tmp" "$results"
fi

echo
echo "== supernet figures (h4h_fmnist, default recipe, $(nproc) CPUs: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)) =="
printf "training time: two-phase %s s (%s), CPU %s s\n" "$(epoch_stat "$work/train_two_phase.out" s)" \
  "$(epoch_stat "$work/train_two_phase.out" range)" "$(epoch_stat "$work/train_two_phase.out" cpu)"
printf "two-phase: largest %s %%, smallest %s %% (test, BN recalibrated)\n" \
  "$(acc_of "$work/eval_two_phase_largest.out")" "$(acc_of "$work/eval_two_phase_smallest.out")"
if [[ " $stages " == *" ranking "* ]]; then
  echo "$n_rank subnets over the latency range: test accuracy inherited (two-phase) vs stand-alone ($sa_epochs epochs)"
  PYTHONPATH="$root/bench" python3 - "$work/ranking.tsv" "$(acc_of "$work/eval_two_phase_smallest.out")" \
    "$(acc_of "$work/eval_two_phase_largest.out")" "$rank_sa_seeds" <<'EOF'
import random, sys
from supernet_stats import partial_tau_b, tau_b
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
lo, hi = float(sys.argv[2]), float(sys.argv[3])
print(f"  {'est ms':>7} {'inherited':>9} {'alone':>6}  subnet")
for enc, ms, a, b, *more in rows:
    print(f"  {float(ms):7.4f} {a:>9} {b:>6}  {' '.join(f'{m:>6}' for m in more)}{' ' if more else ''}{enc}")
x = [float(r[2]) for r in rows]; y = [float(r[3]) for r in rows]
t = tau_b(x, y)
# Percentile bootstrap over subnets (pairs resampled with replacement), 2000 resamples.
rng = random.Random(7)
boot = []
for _ in range(2000):
    idx = [rng.randrange(len(x)) for _ in x]
    v = tau_b([x[i] for i in idx], [y[i] for i in idx])
    if v == v: boot.append(v)
boot.sort()
ci = (boot[int(0.025 * len(boot))], boot[int(0.975 * len(boot)) - 1])
between = sum(lo <= v <= hi for v in x)
print(f"Kendall tau-b = {t:.3f}, bootstrap 95 % interval [{ci[0]:.3f}, {ci[1]:.3f}] ({len(x)} subnets)")
print(f"inherited accuracy between the smallest's ({lo} %) and the largest's ({hi} %): {between} of {len(x)}")
# What the supernet adds over latency alone: the estimated latency's own tau with the
# stand-alone accuracies (a subnet's size already ranks them), and the tau of what is left
# of both accuracies once a line in log latency is taken out (partial: ~0 means the
# inherited accuracy knows nothing about a subnet beyond its size).
import math, statistics
lat = [math.log(float(r[1])) for r in rows]
print(f"estimated latency vs stand-alone: tau-b = {tau_b(lat, y):.3f}; "
      f"partial tau-b of inherited vs stand-alone given log latency = {partial_tau_b(x, y, lat):.3f}")
# Test-retest: every pair of stand-alone seeds. One stand-alone run ranks another only this
# well, so it bounds what any accuracy predictor can score against a single run. (Seed 1 is
# the column every ranking run has; the others follow RANK_SA_SEEDS.)
more = [[float(v) for v in r[4:]] for r in rows]
k = min(len(m) for m in more)
if k:
    names = ["1"] + [v for v in sys.argv[4].split() if v != "1"][:k]
    cols = [y] + [[m[j] for m in more] for j in range(k)]
    for a in range(len(cols)):
        for b in range(a + 1, len(cols)):
            print(f"stand-alone seed {names[a]} vs seed {names[b]}: tau-b = {tau_b(cols[a], cols[b]):.3f} "
                  f"(test-retest: the ceiling against one run)")
    for b in range(1, len(cols)):
        print(f"inherited vs stand-alone seed {names[b]}: tau-b = {tau_b(x, cols[b]):.3f}")
    avg = [statistics.mean([b] + m[:k]) for b, m in zip(y, more)]
    sd = statistics.mean(statistics.stdev([b] + m[:k]) for b, m in zip(y, more))
    print(f"inherited vs the mean of {k + 1} stand-alone seeds: tau-b = {tau_b(x, avg):.3f}; "
          f"seed-to-seed standard deviation {sd:.2f} points (mean over subnets), "
          f"spread of the stand-alone means {statistics.stdev(avg):.2f} points")
EOF
fi
if [[ " $stages " == *" ablation "* ]]; then
  echo "two-phase vs one-phase (learning rate tuned per arm on seed 1; validation split fixed):"
  sed 's/^/  tuning (arm, lr, mean panel validation %): /' "$work/ablation_tuning.tsv"
  PYTHONPATH="$root/bench" python3 - "$work/ablation.tsv" "$work/ranking.tsv" <<'EOF'
import math, os, statistics, sys
from supernet_stats import t975, tau_b
from collections import defaultdict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
acc = defaultdict(dict); wall = defaultdict(dict); cpu = defaultdict(dict)
for arm, seed, sub, a, w, c in rows:
    acc[(arm, seed)][sub] = float(a)
    if w != "-": wall[arm][seed] = float(w)
    if c != "-": cpu[arm][seed] = float(c)
def ci(v):
    m = statistics.mean(v)
    if len(v) < 2: return m, float("nan")
    return m, t975(len(v) - 1) * statistics.stdev(v) / math.sqrt(len(v))
seeds = sorted({s for (_, s) in acc})
subs = sorted({s for d in acc.values() for s in d})
for arm in ("two", "one"):
    means = [statistics.mean(acc[(arm, s)].values()) for s in seeds if (arm, s) in acc]
    m, h = ci(means)
    print(f"  {arm}-phase: panel mean test accuracy {m:.2f} +- {h:.2f} % over {len(means)} seeds; "
          + (f"training time {statistics.mean(wall[arm].values()):.0f} s per run (sum of epoch times), "
             if wall[arm] else "")
          + (f"CPU {statistics.mean(cpu[arm].values()):.0f} s per run ({len(cpu[arm])} of {len(means)} runs "
             f"logged every epoch's)" if cpu[arm] else "CPU time not logged"))
# Paired by seed (the same seed gives both arms the same initial weights, data order and
# validation split): the panel means' difference per seed. A supernet's seed moves all its
# subnets together, so this, not the per-subnet test below, is the test of the arms.
both = [s for s in seeds if ("two", s) in acc and ("one", s) in acc]
per_seed = [statistics.mean(acc[("two", s)].values()) - statistics.mean(acc[("one", s)].values()) for s in both]
if per_seed:
    m, h = ci(per_seed)
    print(f"  paired by seed (two - one, panel mean): {m:+.2f} +- {h:.2f} points over {len(per_seed)} seeds "
          f"({', '.join(f'{x:+.2f}' for x in per_seed)})")
# Paired per subnet (averaged over seeds): two - one. Given these seeds: whether the edge is
# the same across the panel, not whether it would survive other seeds.
d = [statistics.mean(acc[("two", s)][sub] for s in seeds) - statistics.mean(acc[("one", s)][sub] for s in seeds)
     for sub in subs if all((a, s) in acc and sub in acc[(a, s)] for a in ("two", "one") for s in seeds)]
m, h = ci(d)
wins = sum(x > 0 for x in d); losses = sum(x < 0 for x in d); n = wins + losses
# Two-sided sign test, exact binomial.
p = min(1.0, 2 * sum(math.comb(n, k) for k in range(0, min(wins, losses) + 1)) / 2 ** n) if n else 1.0
print(f"  paired over {len(d)} subnets (two - one): {m:+.2f} +- {h:.2f} points; "
      f"two-phase better on {wins}, worse on {losses} (sign test p = {p:.3f})")
# Where two-phase training should matter: subnets with a transformer block against MBConv-only.
import re
paired = [sub for sub in subs if all((a, s) in acc and sub in acc[(a, s)] for a in ("two", "one") for s in seeds)]
for label, keep in (("with a transformer", True), ("MBConv-only", False)):
    part = [x for sub, x in zip(paired, d) if bool(re.search(r"[-.]t\d", sub)) == keep]
    if len(part) >= 2:
        m, h = ci(part)
        print(f"    {label}: {len(part)} subnets, {m:+.2f} +- {h:.2f} points, "
              f"two-phase better on {sum(x > 0 for x in part)}")
# Ranking per supernet: Kendall tau-b of its inherited test accuracies with the stand-alone
# ones of the ranking stage's subnets (those in the panel), mean over seeds per arm.
if os.path.exists(sys.argv[2]):
    alone = {r[0]: float(r[3]) for r in (l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip())}
    for arm in ("two", "one"):
        taus = []
        for s in seeds:
            common = [sub for sub in acc.get((arm, s), {}) if sub in alone]
            if len(common) >= 3:
                taus.append(tau_b([acc[(arm, s)][x] for x in common], [alone[x] for x in common]))
        if taus:
            m, h = ci(taus)
            print(f"  {arm}-phase: Kendall tau-b inherited vs stand-alone on {len(common)} ranking subnets "
                  f"{m:.3f} +- {h:.3f} over {len(taus)} seeds")
EOF
fi
if [[ " $stages " == *" search "* ]]; then
  echo "search at each latency budget (hetero, LUT estimate): the picked subnet retrained stand-alone"
  echo "($sa_epochs epochs, seeds ${BASELINE_SEEDS:-1 2 3}), test accuracy mean over seeds +- 95 % t interval"
  echo "from the seed-to-seed SD pooled over all picks; difference to the supernet's pick likewise:"
  PYTHONPATH="$root/bench" python3 - "$results" <<'EOF'
import math, statistics, sys
from supernet_stats import pooled_sd, t975
from collections import defaultdict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
acc = defaultdict(list); info = {}
inh = {}
per_subnet = defaultdict(dict)  # the seeds of one subnet (methods can pick the same one)
for b, m, enc, ms, calls, seed, a, *rest in rows:
    acc[(b, m)].append(float(a)); info[(b, m)] = (enc, ms, calls)
    per_subnet[enc][seed] = float(a)
    if rest and rest[0]: inh[enc] = float(rest[0])
# One SD for all: the seed-to-seed spread is a property of the stand-alone recipe, and a
# per-pick SD from 2-3 seeds (t with 1-2 df) would give intervals several times wider than
# the spread itself; pooling also gives picks trained on one seed so far an interval.
sd, df = pooled_sd([list(v.values()) for v in per_subnet.values()])
print(f"  seed-to-seed SD pooled over {sum(len(v) > 1 for v in per_subnet.values())} subnets: "
      + (f"{sd:.3f} points ({df} df)" if df else "- (no subnet has two seeds yet)"))
def ci(n): return t975(df) * sd / math.sqrt(n) if df else float("nan")
for b in sorted({k[0] for k in acc}, key=float):
    print(f"  <= {b} ms")
    ref = acc.get((b, "supernet"))
    for (bb, m), v in acc.items():
        if bb != b: continue
        enc, ms, calls = info[(b, m)]
        line = (f"    {m:9} {statistics.mean(v):6.2f} +- {ci(len(v)):4.2f} % (n {len(v)})"
                f"  est {float(ms):.4f} ms  calls {calls:>4}")
        if ref and m != "supernet" and df:
            d = statistics.mean(ref) - statistics.mean(v)
            line += f"  supernet - this {d:+.2f} +- {t975(df) * sd * math.sqrt(1 / len(ref) + 1 / len(v)):.2f}"
        print(line + f"  {enc}")
# The picks as a second ranking set: inherited test accuracy against the stand-alone mean over
# seeds (less noisy than the ranking stage's single run), raw and given log latency.
alone, lat = {}, {}
for (b, m), v in acc.items():
    enc, ms, _ = info[(b, m)]
    alone[enc] = statistics.mean(v); lat[enc] = math.log(float(ms))
subs = [e for e in alone if e in inh]
if len(subs) >= 3:
    from supernet_stats import partial_tau_b, tau_b
    x = [inh[e] for e in subs]; y = [alone[e] for e in subs]; l = [lat[e] for e in subs]
    print(f"  the {len(subs)} distinct picks: inherited vs stand-alone mean tau-b = {tau_b(x, y):.3f}, "
          f"estimated latency vs stand-alone {tau_b(l, y):.3f}, partial given log latency "
          f"{partial_tau_b(x, y, l):.3f}")
EOF
fi
