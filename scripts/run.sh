#!/usr/bin/env bash
# The main job on the bundled defaults: builds as needed, then checks the default arch
# config and inspects a real network (ResNet-50 exported from torchvision).
# Usage: scripts/run.sh [MODEL.onnx|TOPOLOGY.csv] [ARCH.yaml]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"

model="${1:-$root/tests/data/onnx/resnet50_op17.onnx}"
arch="${2:-$root/arch_configs/hetero.yaml}"
h4hsim="${H4H_BUILD_DIR:-$root/build}/cli/h4hsim"

"$h4hsim" config check "$arch"
"$h4hsim" inspect --model "$model"
