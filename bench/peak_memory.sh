#!/usr/bin/env bash
# Peak memory: `h4hsim run` on the largest fixtures (Swin-T, MaxViT-T and ViT-B/16 at
# opset 17, and Swin-T at batch 8) on the hetero preset, peak RSS from GNU time (%M),
# each compared with a stated limit. Exit 1 when a run needs more than its limit, 2 when a
# run fails.
#
# Limits: measured peak RSS on the 2-core reference machine (docs/hardening.md, "Determinism
# and memory"), times ~2 for headroom, rounded up to 10 MB: a run that needs twice what it
# needed when the limit was set is a regression worth a look, not noise.
# Usage: bench/peak_memory.sh [arch=arch_configs/hetero.yaml]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
arch="${1:-$root/arch_configs/hetero.yaml}"
[[ -x "$h4hsim" ]] || "$root/scripts/build.sh"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (scripts/setup.sh installs it)"; exit 2; }

# model, extra flags, limit in MB
cases=(
  "swin_t_op17||70"
  "maxvit_t_op17||70"
  "vit_b_16_op17||50"
  "swin_t_op17|--batch 8 --inferences 2|70"
)
status=0
printf "%-16s %-26s %9s %9s %9s  %s\n" model flags wall_s rss_MB limit_MB verdict
for c in "${cases[@]}"; do
  IFS='|' read -r model flags limit <<<"$c"
  # shellcheck disable=SC2086
  out=$( { /usr/bin/time -f "TIME %e %M" "$h4hsim" run --model "$root/tests/data/onnx/$model.onnx" \
             --arch "$arch" --json $flags >/dev/null; } 2>&1 )
  rc=$?
  line=$(grep '^TIME' <<<"$out" | tail -1)
  wall=$(awk '{print $2}' <<<"$line")
  rss_mb=$(awk '{printf "%.1f", $3 / 1024}' <<<"$line")
  if [[ $rc -ne 0 ]]; then
    printf "%-16s %-26s %9s %9s %9s  FAILED (exit %s): %s\n" "$model" "${flags:--}" "$wall" "$rss_mb" "$limit" "$rc" \
      "$(grep -v '^TIME' <<<"$out" | head -1)"
    status=2
    continue
  fi
  verdict=ok
  if awk "BEGIN{exit !($rss_mb > $limit)}"; then verdict="OVER THE LIMIT"; [[ $status -eq 0 ]] && status=1; fi
  printf "%-16s %-26s %9s %9s %9s  %s\n" "$model" "${flags:--}" "$wall" "$rss_mb" "$limit" "$verdict"
done
exit $status
