#!/usr/bin/env bash
# Configures and builds h4hsim into build/ (after installing what is missing).
# Warnings are errors in CI (CI=true) and whenever H4H_WERROR=ON is exported.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"

werror="${H4H_WERROR:-OFF}"
if [[ "${CI:-}" == "true" ]]; then
  werror=ON
fi
build_dir="${H4H_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DH4H_WERROR="$werror" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
