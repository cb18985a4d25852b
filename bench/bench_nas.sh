#!/usr/bin/env bash
# NAS loop speed and estimator fidelity on the hetero preset:
#  - LUT build time (every block of the space simulated + calibration) per shipped space;
#  - LUT estimates per second, one thread (target >= 1,000,000 subnets/s);
#  - search wall time for 20,000 evaluated candidates without the accuracy oracle
#    (population 100 x 200 generations; target <= 30 s), excluding the re-simulation;
#  - validation: MAPE / max error / Kendall tau of the estimate against full simulation.
# Usage: bench/bench_nas.sh [arch=arch_configs/hetero.yaml] [samples=100] [inference=cold|steady]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
arch="${1:-$root/arch_configs/hetero.yaml}"
samples="${2:-100}"
inference="${3:-cold}"
[[ -x "$h4hsim" ]] || "$root/scripts/build.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk "BEGIN{printf \"%.2f\", $e - $s}"; }

echo "arch $arch, $inference inference, $samples validation subnets"
printf "%-11s %8s %11s %14s %9s %9s %9s %9s %9s %9s\n" space blocks lut_build_s estimates_per_s search_s \
  lat_mape lat_max lat_tau en_mape en_tau
for space in h4h_fmnist h4h_edge; do
  lut="$work/$space.lut"
  build_s=$(seconds "$h4hsim" nas lut -q --space "$space" --arch "$arch" --inference "$inference" --out "$lut")
  blocks=$("$h4hsim" nas space "$space" | awk '/block instances/ {print $NF}')
  rate=$("$h4hsim" nas estimate --space "$space" --arch "$arch" --inference "$inference" --lut "$lut" --random 2000000 | awk '{print $6}')
  search_s=$("$h4hsim" nas search -q --space "$space" --arch "$arch" --inference "$inference" --lut "$lut" --population 100 \
               --generations 199 --no-resimulate --max-pareto 1 --out "$work/search_$space" \
             | awk '/evaluations/ {print $6}')
  v=$("$h4hsim" nas validate -q --json --space "$space" --arch "$arch" --inference "$inference" --lut "$lut" --samples "$samples" --seed 2)
  read -r lm lx lt em et < <(python3 -c 'import json,sys; j=json.load(sys.stdin); l=j["latency"]; e=j["energy"];
print("%.3f %.3f %.4f %.3f %.4f" % (l["mape_pct"], l["max_err_pct"], l["kendall_tau"], e["mape_pct"], e["kendall_tau"]))' <<<"$v")
  printf "%-11s %8s %11s %14s %9s %9s %9s %9s %9s %9s\n" "$space" "$blocks" "$build_s" "$rate" "$search_s" \
    "$lm" "$lx" "$lt" "$em" "$et"
done
