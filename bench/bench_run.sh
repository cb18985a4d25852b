#!/usr/bin/env bash
# Simulation speed: wall time, peak RSS and simulated cycles per wall second of
# `h4hsim run` (load + map + elaborate + simulate + report) for ResNet-50, ViT-B/16 and
# MobileNetV2 on every preset, best of N runs.
# Targets on the 2-core reference machine: resnet50 <= 1 s and vit_b_16 <= 2 s per run,
# peak RSS <= 300 MB.
# Usage: bench/bench_run.sh [runs=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
runs="${1:-3}"
[[ -x "$h4hsim" ]] || "$root/scripts/build.sh"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (scripts/setup.sh installs it)"; exit 2; }

printf "%-12s %-14s %-16s %9s %9s %14s %12s\n" preset model schema wall_s rss_MB sim_cycles cycles_per_s
for preset in npu_only hetero cim_only; do
  for model in resnet50_op17 vit_b_16_op17 mobilenet_v2_op17; do
    best=""; rss=0; cycles=""; schema=""
    for ((i = 0; i < runs; i++)); do
      out=$( { /usr/bin/time -f "TIME %e %M" "$h4hsim" run --model "$root/tests/data/onnx/$model.onnx" \
                 --arch "$root/arch_configs/$preset.yaml" --json; } 2>&1 ) || { best=""; break; }
      t=$(grep '^TIME' <<<"$out" | awk '{print $2}')
      m=$(grep '^TIME' <<<"$out" | awk '{print $3}')
      cycles=$(grep -v '^TIME' <<<"$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["latency_cycles"])')
      schema=$(grep -v '^TIME' <<<"$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["schema"])')
      if [[ -z "$best" ]] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
      ((m > rss)) && rss=$m
    done
    if [[ -z "$best" ]]; then
      printf "%-12s %-14s %-16s %s\n" "$preset" "$model" "-" "does not map (attention needs the systolic array)"
      continue
    fi
    rate=$(awk "BEGIN{printf \"%.3g\", $cycles / ($best > 0 ? $best : 0.001)}")
    printf "%-12s %-14s %-16s %9s %9.1f %14s %12s\n" "$preset" "$model" "$schema" "$best" \
      "$(awk "BEGIN{print $rss/1024}")" "$cycles" "$rate"
  done
done
