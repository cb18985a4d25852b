#!/usr/bin/env bash
# Builds h4hsim with AddressSanitizer + UndefinedBehaviorSanitizer (+ LeakSanitizer) into
# build-asan/ and runs the whole ctest suite, then one `h4hsim run` under LeakSanitizer.
# Any ASan/UBSan/LSan report fails the run. See docs/hardening.md, "Sanitizers".
#
# Usage: scripts/sanitize.sh [extra ctest args, e.g. -R 'Sweep' or -E '...']
# Env:   H4H_ASAN_BUILD_DIR  build directory (default: build-asan/ in the repository)
#        H4H_JOBS            parallel build/test jobs (default: nproc)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"  # installs nothing that scripts/build.sh would not

build_dir="${H4H_ASAN_BUILD_DIR:-$root/build-asan}"
jobs="${H4H_JOBS:-$(nproc)}"
# UBSan's "undefined" group in gcc leaves out float-cast-overflow (a double out of range cast
# to an integer is UB too: cycle counts and sizes are computed in double and cast).
sanitizers="address,undefined,float-cast-overflow"

# Every report also lands in $reports: a sanitizer error in a forked sweep worker or in a CLI
# run whose failure a test expects would otherwise only change an exit code the test may
# accept. Any file there fails the run, and is printed at the end.
reports="$build_dir/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"

# The options hold for the build too: gtest_discover_tests runs every test binary at build
# time.
#  - halt_on_error/abort_on_error: the first report ends the process with a failure.
#  - check_initialization_order/strict_init_order, strict_string_checks,
#    detect_odr_violation=2: stricter checks that are off by default.
#  - detect_stack_use_after_return stays off: Debian's SystemC 2.3.4 tells ASan about its
#    thread stack switches but hands it no fake-stack slot (fixed upstream after 2.3.4), so
#    with fake stacks the first sc_spawn'd thread crashes (SEGV in sc_thread_cor_fn).
#  - detect_leaks: LeakSanitizer at exit of every process (tests, the CLI they spawn, MPI ranks).
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0:check_initialization_order=1:strict_init_order=1:strict_string_checks=1:detect_odr_violation=2:disable_coredump=1:print_summary=1:log_path=$reports/asan:log_exe_name=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:print_summary=1:log_path=$reports/ubsan:log_exe_name=1"
# Suppressions are only for one-time allocations inside third-party libraries (each one says
# why in the file); never for our code.
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
# MPI ranks (SweepCli's mpirun test): OpenMPI's plugins have no frame pointers, so ASan's fast
# unwinder records one frame per allocation and its leaks cannot be told from ours. mpirun
# hands this list to its ranks only, which then unwind fully (slower; nothing else pays).
export OMPI_MCA_mca_base_env_list="ASAN_OPTIONS=$ASAN_OPTIONS:fast_unwind_on_malloc=0"

start=$(date +%s)
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DH4H_SANITIZE="$sanitizers" \
  -DH4H_BUILD_PYTHON=OFF >/dev/null  # a sanitized module needs its runtime preloaded into python
cmake --build "$build_dir" -j "$jobs"
built=$(date +%s)
echo "sanitize: build took $((built - start)) s"

cd "$build_dir"
# Per-test TIMEOUTs are already scaled 4x in sanitizer builds (tests/CMakeLists.txt);
# --timeout covers tests that set none.
status=0
ctest --output-on-failure -j "$jobs" --timeout 2400 "$@" || status=$?
tested=$(date +%s)
echo "sanitize: ctest took $((tested - built)) s"

# A whole simulation of a real hybrid network (MaxViT-T, two inferences) under
# LeakSanitizer: a leak anywhere on that path makes it exit non-zero. (The CLI suites spawn
# `h4hsim run` on small models too; this is the full-size path.)
if ! "$build_dir/cli/h4hsim" run --model "$root/tests/data/onnx/maxvit_t_op17.onnx" \
    --arch "$root/arch_configs/hetero.yaml" --schema auto --inferences 2 --json \
    >"$build_dir/sanitize_run.json"; then
  echo "sanitize: h4hsim run (MaxViT-T) failed under ASan/UBSan/LSan" >&2
  status=1
fi

if compgen -G "$reports/*" >/dev/null; then
  echo "sanitize: sanitizer reports (also from processes whose failure a test accepted):" >&2
  for f in "$reports"/*; do
    echo "---- $f" >&2
    cat "$f" >&2
  done
  status=1
fi
echo "sanitize: total $(($(date +%s) - start)) s, exit $status"
exit "$status"
