#!/usr/bin/env bash
# Installs what h4hsim needs from Debian's packages, and only what is missing (idempotent).
# Usage: scripts/setup.sh [core|all] [--fixtures]
#   core  what `h4hsim` itself builds with (scripts/run.sh: the first run installs no more)
#   all   (default) also the supernet (libtorch, Fashion-MNIST), the Python package
#         (pybind11), MPI sweeps and plots: what scripts/test.sh builds and tests
#   --fixtures adds the Python stack that re-exports the ONNX test fixtures; the build and
#   the tests never need it.
set -euo pipefail

profile=all
fixtures=0
for arg in "$@"; do
  case "$arg" in
    core | all) profile="$arg" ;;
    --fixtures) fixtures=1 ;;
    *) echo "setup.sh: unknown argument '$arg' (core, all, --fixtures)" >&2; exit 2 ;;
  esac
done

packages=(
  cmake g++ make pkg-config time
  libsystemc-dev libonnx-dev libprotobuf-dev libyaml-cpp-dev libboost-graph-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev zlib1g-dev
  libsqlite3-dev libmuparser-dev  # sweeps: results DB, constraints
  libre2-dev  # user regular expressions (custom schema name rules) in linear time
)
if [[ "$profile" == "all" ]]; then
  packages+=(
    libtorch-dev dataset-fashion-mnist  # the supernet (nas/supernet/) and its training data
    libopenblas0-pthread  # libtorch's BLAS (attention, linear layers); the reference BLAS is slower
    libopenmpi-dev openmpi-bin  # sweep run --mpi
    gnuplot-nox  # sweep report, nas validate/search plots
    pybind11-dev python3-dev  # the Python package (python/)
    python3-numpy python3-pandas  # its columns() as arrays and to_pandas() (optional for users)
  )
fi
if ((fixtures)); then
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
