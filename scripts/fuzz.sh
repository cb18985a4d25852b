#!/usr/bin/env bash
# Fuzzes the input loaders with libFuzzer + ASan + UBSan (tests/fuzz/, docs/hardening.md,
# "Fuzzing"): builds the fuzz_* targets with clang into build-fuzz/, runs each one for a
# bounded time on a working copy of its seed corpus, and prints one row per target.
# Exits non-zero when any target left a finding (crash-, leak-, timeout- or oom- file).
#
# Usage: scripts/fuzz.sh [seconds_per_target=N] [runs_per_target=N] [target...]
#   seconds_per_target  wall-clock budget of each target (default 60)
#   runs_per_target     also stop a target after N executions (default: no limit)
#   target              onnx arch_config custom_schema scalesim_cfg scalesim_topology
#                       sweep_spec results_db search_space subnet cli (default: all)
# Env:   H4H_FUZZ_BUILD_DIR  build directory (default: build-fuzz/ in the repository)
#        H4H_JOBS            parallel build jobs (default: 2)
#
# Layout under the build directory (the committed corpus is never written to):
#   corpus/<target>/    working corpus: the seeds, then what libFuzzer adds (kept across runs)
#   findings/<target>/  crash-/leak-/timeout-/oom- inputs; a fixed one belongs in
#                       tests/fuzz/regressions/<target>/, which ctest replays
#   logs/<target>.log   libFuzzer's output
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
all_targets=(onnx arch_config custom_schema scalesim_cfg scalesim_topology sweep_spec results_db search_space
             subnet cli)

seconds=60
runs=-1
targets=()
for arg in "$@"; do
  case "$arg" in
    seconds_per_target=*) seconds="${arg#*=}" ;;
    runs_per_target=*) runs="${arg#*=}" ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)
      if [[ " ${all_targets[*]} " != *" $arg "* ]]; then
        echo "fuzz: unknown target '$arg' (targets: ${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$arg") ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")

# The project's own dependencies, then clang and its libFuzzer runtime, only if missing
# (the apt pattern of scripts/setup.sh).
"$root/scripts/setup.sh"
have_fuzzer_runtime() {
  compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null
}
missing=()
command -v clang++ >/dev/null || missing+=(clang)
have_fuzzer_runtime || missing+=(libclang-rt-dev)  # Debian 12: the default clang's runtimes
if ((${#missing[@]})); then
  echo "fuzz: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

build_dir="${H4H_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${H4H_JOBS:-2}"
# -O1 with asserts on (Debug): our own invariants are checked too, at a speed libFuzzer likes.
CC=clang CXX=clang++ cmake -S "$root" -B "$build_dir" -DH4H_FUZZ=ON -DH4H_BUILD_TESTS=OFF \
  -DH4H_WITH_TORCH=OFF -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" >/dev/null
cmake --build "$build_dir" -j "$jobs" --target "${targets[@]/#/fuzz_}"

# Every sanitizer report ends the input that caused it, and libFuzzer saves that input.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:allocator_may_return_null=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"

mkdir -p "$build_dir/logs"
rows=()
total_findings=0
for t in "${targets[@]}"; do
  work="$build_dir/corpus/$t"
  findings="$build_dir/findings/$t"
  log="$build_dir/logs/$t.log"
  mkdir -p "$work" "$findings"
  cp -n "$root/tests/fuzz/corpus/$t/"* "$work/"
  marker="$build_dir/findings/.start_$t"
  touch "$marker"
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1
        -artifact_prefix="$findings/")
  ((runs >= 0)) && args+=(-runs="$runs")
  [[ -f "$root/tests/fuzz/$t.dict" ]] && args+=(-dict="$root/tests/fuzz/$t.dict")
  # Regression inputs are read as seeds (libFuzzer only writes to the first directory).
  inputs=("$work")
  [[ -d "$root/tests/fuzz/regressions/$t" ]] && inputs+=("$root/tests/fuzz/regressions/$t")
  echo "fuzz: $t for ${seconds} s (log: $log)"
  start=$(date +%s)
  # A finding makes libFuzzer exit non-zero; it is counted below, from the artifacts.
  # stdin is /dev/null: an input naming /dev/stdin as a file must not wait on a terminal.
  # CPU seconds too: on a shared machine they, not wall time, say how fast a harness is.
  (cd "$build_dir" && /usr/bin/time -o "$log.time" -f '%U %S' \
     "$build_dir/tests/fuzz/fuzz_$t" "${args[@]}" "${inputs[@]}") </dev/null >"$log" 2>&1 || true
  elapsed=$(($(date +%s) - start))
  cpu=$(awk 'END { printf "%.0f", $1 + $2 }' "$log.time" 2>/dev/null || echo '?')
  execs=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  [[ -n "$execs" ]] || execs=$(grep -ao '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
  corpus_files=$(find "$work" -type f | wc -l)
  n=$(find "$findings" -maxdepth 1 -newer "$marker" -type f \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  total_findings=$((total_findings + n))
  rows+=("$(printf '| %-17s | %12s | %7s | %7s | %11s | %8s |' "$t" "${execs:-?}" "$elapsed" "$cpu" "$corpus_files" "$n")")
  ((n == 0)) || grep -a -m3 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|Test unit written' "$log" || true
done

echo
echo "| target            |   executions | seconds |   cpu s | corpus size | findings |"
echo "|-------------------|--------------|---------|---------|-------------|----------|"
printf '%s\n' "${rows[@]}"
if ((total_findings)); then
  echo "fuzz: $total_findings finding(s) in $build_dir/findings/ (logs in $build_dir/logs/)" >&2
  exit 1
fi
