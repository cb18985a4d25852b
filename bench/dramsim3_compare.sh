#!/usr/bin/env bash
# h4hsim's two DRAM controller models (segment, cycle) against DRAMsim3, side by side on the
# same request streams:
# sequential, random (64 B and 32 B), 50/50 random read/write, two sequential streams whose
# rows share the banks, and a read+write copy, each at 1, 4, 16 and 64 outstanding requests,
# on two LPDDR4 speed grades with identical timings (2 channels x16, 8 banks, 2 KB rows,
# all-bank refresh on). Prints a Markdown table: bandwidth and mean read latency, and the
# error of each of ours against DRAMsim3.
#
# DRAMsim3 is not part of this repository: give a checkout of its public source
# (https://github.com/umd-memsys/DRAMsim3); it is built under $WORK (default /tmp).
# Usage: bench/dramsim3_compare.sh /path/to/DRAMsim3 [requests per case=20000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ds3_src="${1:-${DRAMSIM3_SRC:-}}"
[[ -n "$ds3_src" && -f "$ds3_src/src/dramsim3.h" ]] || {
  echo "usage: $0 /path/to/DRAMsim3-source [requests]" >&2; exit 2; }
export H4H_DRAM_REQUESTS="${2:-20000}"
build="${H4H_BUILD_DIR:-$root/build}"
work="${WORK:-/tmp}/h4h_dramsim3"
mkdir -p "$work/out"

[[ -f "$build/models/libh4h_models.a" ]] || "$root/scripts/build.sh"
# DRAMsim3's CMake writes its library into its source tree: build a copy, not the checkout.
if [[ ! -f "$work/src/libdramsim3.so" ]]; then
  rm -rf "$work/src" "$work/build"
  cp -r "$ds3_src" "$work/src"
  cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  make -C "$work/build" dramsim3 -j"$(nproc)" >/dev/null
fi
g++ -std=c++17 -O2 -I"$root" -I"$work/src/src" "$root/bench/dram_compare/compare.cpp" \
  "$build/models/libh4h_models.a" -L"$work/src" -Wl,-rpath,"$work/src" -ldramsim3 \
  -o "$work/compare"

# A DRAMsim3 config for one LPDDR4 channel pair with the given timings (in tCK). No bank
# groups (LPDDR4 has none; DRAMsim3 then uses the _S timings), one rank per channel, and
# the address mapping of ours: column, channel, bank, row from the low bits up.
ini() {  # name tCK_ns CL CWL tRCD tRP tRAS tWR tWTR tRTP tRRD tFAW tREFI tRFC
  cat >"$work/$1.ini" <<INI
[dram_structure]
protocol = LPDDR4
bankgroups = 1
banks_per_group = 8
rows = 65536
columns = 1024
device_width = 16
BL = 16
[timing]
tCK = $2
AL = 0
CL = $3
CWL = $4
tRCD = $5
tRP = $6
tRAS = $7
tRFC = ${14}
tRFC2 = ${14}
tRFC4 = ${14}
tREFI = ${13}
tRPRE = 1
tWPRE = 1
tRRD_S = ${11}
tRRD_L = ${11}
tWTR_S = $9
tWTR_L = $9
tFAW = ${12}
tWR = $8
tWR2 = $8
tRTP = ${10}
tCCD_S = 4
tCCD_L = 4
tCKE = 6
tCKESR = 7
tXS = 432
tXP = 6
tRTRS = 1
tPPD = 2
[power]
VDD = 1.1
IDD0 = 80
IPP0 = 4.0
IDD2P = 25
IDD2N = 34
IDD3P = 41
IDD3N = 47
IDD4W = 228
IDD4R = 243
IDD5AB = 280
IDD6x = 30
[system]
channel_size = 1024
channels = 2
bus_width = 16
address_mapping = robabgrachco
queue_structure = PER_BANK
refresh_policy = RANK_LEVEL_STAGGERED
row_buf_policy = OPEN_PAGE
cmd_queue_size = 8
trans_queue_size = 32
[other]
epoch_period = 100000000
output_level = 0
INI
}

# LPDDR4-2400: DRAMsim3's own LPDDR4_8Gb_x16_2400 timings (tCK 0.83 ns; tREFI 8660, tRFC 392).
ini lpddr4_2400 0.83 17 14 15 15 32 30 8 12 8 32 8660 392
# LPDDR4-4266: h4hsim's lpddr4_4266 preset (JESD209-4B; tREFI 3.904 us, tRFC 280 ns).
ini lpddr4_4266 0.469 36 18 39 39 90 39 22 16 22 86 8324 598

cd "$work/out"
#                                               tck_ps RL WL tRCD tRP tRAS tWR tWTR tRTP tRRD tFAW tREFI_ns tRFC_ns
"$work/compare" "$work/lpddr4_2400.ini" "$work/out" LPDDR4-2400 830 17 14 15 15 32 30 8 12 8 32 7187.8 325.36
"$work/compare" "$work/lpddr4_4266.ini" "$work/out" LPDDR4-4266 469 36 18 39 39 90 39 22 16 22 86 3904 280 |
  tail -n +3
