#!/usr/bin/env bash
# Configures and builds h4hsim into build/ (after installing what is missing).
# Usage: scripts/build.sh [TARGET...]   (default: everything — the CLI, the libtorch CLI,
# the Python package and the tests; `scripts/build.sh h4hsim` builds the CLI alone and
# installs only what it needs)
# Warnings are errors in CI (CI=true) and whenever H4H_WERROR=ON is exported.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ "$*" == "h4hsim" ]]; then
  "$root/scripts/setup.sh" core
else
  "$root/scripts/setup.sh" all
fi

werror="${H4H_WERROR:-OFF}"
if [[ "${CI:-}" == "true" ]]; then
  werror=ON
fi
build_dir="${H4H_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH4H_WERROR="$werror" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
