#!/usr/bin/env bash
# The SRAM area model (models/tech/tech_node.cpp, sram_mm2_for_cell) against CACTI 7.
# Builds CACTI from a source checkout you provide (fetch HewlettPackard/cacti yourself; its
# code is never committed here), runs the scratch-RAM grid of bench/cacti/template.cfg
# (22/32/45/65 nm, 4 KiB-4 MiB, 1/4/16 banks, 8-byte port, itrs-hp, 350 K) and prints each
# point's CACTI area beside the model's with CACTI's own 146 F^2 cell, and the max error.
# Usage: bench/cacti_fit.sh CACTI_SRC_DIR [out.csv]
# Measured 2026-12-04 (CACTI 1ffd8df): 56 points, max |error| 12.4 %, rms 5.6 %.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$(readlink -f "${1:?usage: $0 CACTI_SRC_DIR [out.csv]}")"
out="$(readlink -f "${2:-$(mktemp --suffix=.csv)}")"
[[ -x "$src/cacti" ]] || make -C "$src" -j"$(nproc)" opt >/dev/null
bash "$root/bench/cacti/run_grid.sh" "$src/cacti" "$out" "$root/bench/cacti/template.cfg"
# The model's constants, read from the source so this script cannot drift from it.
const() { sed -n "s/.*constexpr double $1 = \([0-9.e+-]*\);.*/\1/p" "$root/models/tech/tech_node.cpp"; }
eff=$(const kSramArrayEfficiency); per=$(const kSramPeripheryPerF2SqrtBit); bexp=$(const kSramBankExponent)
awk -F, -v eff="$eff" -v per="$per" -v bexp="$bexp" '
  NR == 1 { printf "%6s %9s %5s %12s %12s %8s\n", "nm", "bytes", "banks", "cacti_mm2", "model_mm2", "err_%"; next }
  $5 != "NA" {
    f = $1 / 1000; bits = 8 * $2
    model = (bits * 146 * f * f / eff + per * f * f * sqrt(bits) * $3 ^ bexp) / 1e6
    e = 100 * (model / $5 - 1); if (e < 0 && -e > worst) worst = -e; if (e > worst) worst = e
    ss += e * e; n++
    printf "%6d %9d %5d %12.5g %12.5g %8.2f\n", $1, $2, $3, $5, model, e
  }
  END { printf "%d points: max |error| %.1f %%, rms %.1f %%\n", n, worst, sqrt(ss / n) }' "$out"
