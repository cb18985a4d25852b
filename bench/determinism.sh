#!/usr/bin/env bash
# Determinism: every arch preset (arch_configs/*.yaml) x every opset-17 ONNX fixture
# (tests/data/onnx/*_op17.onnx) and SCALE-Sim topology (tests/data/scalesim/*.csv), run
# twice as separate processes with `h4hsim run --json`: the two stdouts must be
# byte-identical (and a run that is refused must be refused twice with the same message).
# ctest runs a representative subset (RunCli.RepeatedRunsAreByteIdentical...); this is the
# full matrix. Exit 1 on any difference.
# Usage: bench/determinism.sh [extra h4hsim run flags, e.g. --inferences 2]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
[[ -x "$h4hsim" ]] || "$root/scripts/build.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s.%N)
runs=0 same=0 refused=0 differ=0
for preset in "$root"/arch_configs/*.yaml; do
  for model in "$root"/tests/data/onnx/*_op17.onnx "$root"/tests/data/scalesim/*.csv; do
    flag=--model
    [[ "$model" == *.csv ]] && flag=--topology
    for k in 1 2; do
      "$h4hsim" run "$flag" "$model" --arch "$preset" --json "$@" >"$tmp/out$k" 2>"$tmp/err$k"
      echo $? >"$tmp/rc$k"
    done
    runs=$((runs + 2))
    name="$(basename "$preset" .yaml) x $(basename "$model")"
    if cmp -s "$tmp/out1" "$tmp/out2" && cmp -s "$tmp/err1" "$tmp/err2" && cmp -s "$tmp/rc1" "$tmp/rc2"; then
      same=$((same + 1))
      if [[ "$(cat "$tmp/rc1")" != 0 ]]; then
        refused=$((refused + 1))
        printf "%-50s refused both times (exit %s): %s\n" "$name" "$(cat "$tmp/rc1")" "$(head -c 120 "$tmp/err1")"
      fi
    else
      differ=$((differ + 1))
      printf "%-50s DIFFERS between two runs\n" "$name"
      diff <(head -c 100000 "$tmp/out1") <(head -c 100000 "$tmp/out2") | head -5
    fi
  done
done
end=$(date +%s.%N)
printf "%d pairs (%d processes) in %.1f s: %d identical (%d of them refused twice alike), %d differ\n" \
  $((same + differ)) "$runs" "$(awk "BEGIN{print $end - $start}")" "$same" "$refused" "$differ"
[[ $differ -eq 0 ]]
