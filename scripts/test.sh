#!/usr/bin/env bash
# Builds h4hsim (installing what is missing) and runs the whole GoogleTest suite with ctest.
# In CI (CI=true) the whole suite then runs a second time under AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer, plus a full `h4hsim run` of MaxViT-T
# (scripts/sanitize.sh, docs/hardening.md "Sanitizers"; about 20 more minutes on 2 cores).
#   H4H_SANITIZERS=1  run the sanitizer pass outside CI too
#   H4H_SANITIZERS=0  skip it in CI
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
(cd "${H4H_BUILD_DIR:-$root/build}" && ctest --output-on-failure -j "$(nproc)" --timeout 600)

sanitizers="${H4H_SANITIZERS:-}"
[[ -n "$sanitizers" ]] || { [[ "${CI:-}" == "true" ]] && sanitizers=1 || sanitizers=0; }
if [[ "$sanitizers" == "1" ]]; then
  "$root/scripts/sanitize.sh"
fi
