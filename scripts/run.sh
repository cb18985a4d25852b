#!/usr/bin/env bash
# The main job on the bundled defaults: builds the CLI as needed (and nothing else), checks
# the arch config, then simulates a real hybrid CNN/ViT network (torchvision's MaxViT-T) on
# the H4H-like hetero preset (NPU + CIM macros, the auto schema's searched schedule) and
# prints the per-kernel table and the summary: latency, energy by component, area,
# utilization, bytes moved.
# Usage: scripts/run.sh [MODEL.onnx|TOPOLOGY.csv] [ARCH.yaml] [extra `h4hsim run` flags...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Only what the main job needs: the CLI (scripts/test.sh builds the rest).
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"
[[ -x "$h4hsim" ]] || echo "run.sh: first run: installing what is missing and building h4hsim (minutes)" >&2
"$root/scripts/build.sh" h4hsim >/dev/null

model="${1:-$root/tests/data/onnx/maxvit_t_op17.onnx}"
arch="${2:-$root/arch_configs/hetero.yaml}"
shift $(($# > 2 ? 2 : $#))

"$h4hsim" config check "$arch"
if [[ "$model" == *.csv ]]; then
  "$h4hsim" run --topology "$model" --arch "$arch" "$@"
else
  "$h4hsim" run --model "$model" --arch "$arch" "$@"
fi
