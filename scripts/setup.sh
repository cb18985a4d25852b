#!/usr/bin/env bash
# Installs what h4hsim needs from Debian's packages, and only what is missing (idempotent).
# Usage: scripts/setup.sh [--fixtures]   (--fixtures adds the Python stack that re-exports
# the ONNX test fixtures; the build and the tests never need it).
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libsystemc-dev libonnx-dev libprotobuf-dev libyaml-cpp-dev libboost-graph-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev zlib1g-dev time gnuplot-nox
  libtorch-dev dataset-fashion-mnist  # the supernet (nas/supernet/) and its training data
  libopenblas0-pthread  # libtorch's BLAS (attention, linear layers); the reference BLAS is slower
  libsqlite3-dev libmuparser-dev libopenmpi-dev openmpi-bin  # sweeps: results DB, constraints, MPI
  libre2-dev  # user regular expressions (custom schema name rules) in linear time
)
if [[ "${1:-}" == "--fixtures" ]]; then
  packages+=(python3-torch python3-torchvision python3-onnx)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
