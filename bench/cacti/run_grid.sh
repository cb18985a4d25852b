#!/usr/bin/env bash
# Regenerate the CACTI SRAM reference grid.
# usage: run_grid.sh /path/to/cacti [out.csv] [template.cfg]
#   CACTI must be run from its source dir (it opens tech_params/*.dat relatively),
#   so we cd to the binary's directory.
# Columns (first 9 are the contract):
#   node_nm,capacity_bytes,banks,block_bytes,area_mm2,read_nj,write_nj,leakage_mw,access_ns,
#   cycle_ns,height_mm,width_mm,area_eff_pct,leak_bank_mw,gate_leak_bank_mw,route_leak_mw,
#   route_gate_leak_mw,subthr_leak_total_mw,gate_leak_total_mw,ndwl,ndbl,nspd,route_read_nj
# leakage_mw = total standby leakage of the whole macro (all banks), subthreshold + gate:
#   CACTI's "Total leakage power of a bank" = one bank + the inter-bank routing H-tree, so
#   total = banks*(bank_reported - route) + route.  The route term is printed only by the
#   a locally patched io.cc ("[tmp-patch]" lines); with an unpatched binary route=0 is assumed
#   (over-counts the routing leakage (banks-1) times; it is ~1-2 % of the total).
set -u
CACTI=$(readlink -f "${1:?usage: $0 /path/to/cacti [out.csv] [template.cfg]}")
OUT=$(readlink -f "${2:-/tmp/cacti_grid.csv}")
TPL=$(readlink -f "${3:-/tmp/cacti_template.cfg}")
BLOCK=${BLOCK:-8}
NODES=${NODES:-"0.022 0.032 0.045 0.065"}
SIZES=${SIZES:-"4096 16384 65536 262144 1048576 4194304"}
MULTIBANK_SIZES=${MULTIBANK_SIZES:-"65536 262144 1048576 4194304"}
MULTIBANKS=${MULTIBANKS:-"4 16"}
WORK=${WORK:-$(mktemp -d /tmp/cacti_runs.XXXXXX)}; mkdir -p "$WORK"
cd "$(dirname "$CACTI")" || exit 1

echo "node_nm,capacity_bytes,banks,block_bytes,area_mm2,read_nj,write_nj,leakage_mw,access_ns,cycle_ns,height_mm,width_mm,area_eff_pct,leak_bank_mw,gate_leak_bank_mw,route_leak_mw,route_gate_leak_mw,subthr_leak_total_mw,gate_leak_total_mw,ndwl,ndbl,nspd,route_read_nj" > "$OUT"

for tech in $NODES; do
  for size in $SIZES; do
    banks_list=1
    for m in $MULTIBANK_SIZES; do [ "$m" = "$size" ] && banks_list="1 $MULTIBANKS"; done
    for banks in $banks_list; do
      tag="t${tech}_s${size}_b${banks}"
      sed -e "s/@SIZE@/$size/;s/@BLOCK@/$BLOCK/;s/@TECH@/$tech/;s/@BANKS@/$banks/;s/@BUSBITS@/$((BLOCK*8))/" \
          "$TPL" > "$WORK/$tag.cfg"
      "$CACTI" -infile "$WORK/$tag.cfg" > "$WORK/$tag.out" 2>&1
      awk -v tech="$tech" -v size="$size" -v banks="$banks" -v block="$BLOCK" '
        function val(s) { sub(/.*: */, "", s); return s+0 }
        /^    Access time \(ns\)/                         { acc = val($0) }
        /^    Cycle time \(ns\)/                          { cyc = val($0) }
        /^    Total dynamic read energy per access/       { rd  = val($0) }
        /^    Total dynamic write energy per access/      { wr  = val($0) }
        /^    Total leakage power of a bank/              { lk  = val($0) }
        /^    Total gate leakage power of a bank/         { glk = val($0) }
        /^    Cache height x width/ { s=$0; sub(/.*: */,"",s); split(s,a," x "); h=a[1]+0; w=a[2]+0 }
        /^  Data array: Area \(mm2\)/                     { area = val($0) }
        /Area efficiency/ { s=$0; sub(/.*- */,"",s); eff = s+0 }
        /\[tmp-patch\] Leakage of inter-bank/            { rl  = val($0) }
        /\[tmp-patch\] Gate leakage of inter-bank/       { rgl = val($0) }
        /\[tmp-patch\] Read energy of inter-bank/       { rre = val($0) }
        /^    Best Ndwl/ { ndwl = val($0) } /^    Best Ndbl/ { ndbl = val($0) } /^    Best Nspd/ { nspd = val($0) }
        END {
          node = tech * 1000
          if (rd == "" || area == "") { printf "%g,%d,%d,%d,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA\n", node, size, banks, block; exit }
          st = banks * (lk - rl) + rl; gt = banks * (glk - rgl) + rgl
          printf "%g,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.4g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%d,%d,%.6g\n", \
            node, size, banks, block, area, rd, wr, st + gt, acc, cyc, h, w, eff, lk, glk, rl+0, rgl+0, st, gt, ndwl, ndbl, nspd, rre+0
        }' "$WORK/$tag.out" >> "$OUT"
    done
  done
done
echo "wrote $OUT (raw CACTI outputs in $WORK)" >&2
