#include "sim/config/dram_presets.h"

#include <cmath>

#include <fmt/format.h>

namespace h4h {
namespace {

// One speed grade as its datasheet states it: latencies in clocks of the model's tCK (two
// data beats per tCK, so for LPDDR5/5X, whose CK runs at a quarter of the data rate, one
// CK is 4 tCK), everything else in ns, converted here with JEDEC's rounding (up).
struct Grade {
  const char* kind;
  const char* title;
  const char* source;
  int tck_ps;  // rounded up: a preset never runs faster than its rating
  int banks, row_bytes, burst_length, bus_width_bits;
  int rl_tck, wl_tck;
  double trcd_ns, trp_ns, tras_ns, twr_ns, twtr_ns, trtp_ns, trrd_ns, tfaw_ns;
  double trefi_ns, trfc_ns;
  double read_pj_per_byte, write_pj_per_byte, activate_pj, background_mw;
};

// LPDDR4 energies: Micron's LPDDR4 power calculator, ~5 pJ/bit per access incl. I/O, ~800 pJ
// per ACT+PRE of a 2 KB row. LPDDR4X keeps LPDDR4's core and drops VDDQ from 1.1 to 0.6 V;
// with I/O ~40 % of an access and unterminated I/O energy ∝ VDDQ (C·VDDQ·VDD2 swing), 5 x
// (0.6 + 0.4 x 0.6/1.1) = 4.1 pJ/bit. LPDDR5: Samsung's LPDDR5 announcement (2018), up to
// 30 % less than LPDDR4X at the same work: 2.9 pJ/bit; LPDDR5X: Samsung (2021), ~20 % less
// than LPDDR5: 2.3 pJ/bit. DDR4: core energy from the Micron 8 Gb x16 datasheet currents
// (IDD4R 302, IDD4W 278, IDD3N 56, IDD0 95 mA at 1.2 V) by DRAMsim3's formulas
// (VDD x (IDD4R - IDD3N) x BL/2 x tCK per burst; ACT from IDD0 x tRC less standby), four x16
// devices per 64-bit channel; terminated I/O not included (a lower bound).
// clang-format off: one grade per row reads as the table it is
const Grade kGrades[] = {
    {"lpddr4_4266", "LPDDR4-4266 x16 (JESD209-4B)",
     "JESD209-4B speed bin 4266, DBI off, WL set A; 8 Gb per channel (tRFCab 280 ns)", 469, 8,
     2048, 16, 16, 36, 18, 18, 18, 42, 18, 10, 7.5, 10, 40, 3904, 280, 40, 40, 800, 5},
    {"lpddr4_3200", "LPDDR4-3200 x16 (JESD209-4B)",
     "JESD209-4B speed bin 3200, DBI off, WL set A; 8 Gb per channel", 625, 8, 2048, 16, 16, 28,
     14, 18, 18, 42, 18, 10, 7.5, 10, 40, 3904, 280, 40, 40, 800, 5},
    {"lpddr4x_4266", "LPDDR4X-4266 x16 (JESD209-4-1)",
     "JESD209-4-1: LPDDR4 timings at VDDQ 0.6 V; 8 Gb per channel", 469, 8, 2048, 16, 16, 36,
     18, 18, 18, 42, 18, 10, 7.5, 10, 40, 3904, 280, 33, 33, 800, 5},
    {"lpddr5_6400", "LPDDR5-6400 x16, 16 banks (JESD209-5)",
     "JESD209-5 6400 Mbps (CK 800 MHz): RL 20 / WL 11 nCK as in Ramulator2's LPDDR5_6400 "
     "preset; tRCD/tRPpb 18 ns, tRAS 42 ns, tWR 34 ns, tWTR 6.25 ns, tRTP 7.5 ns, tRRD 5 ns, "
     "tFAW 20 ns; 16 Gb (tRFCab 280 ns)",
     313, 16, 2048, 16, 16, 80, 44, 18, 18, 42, 34, 6.25, 7.5, 5, 20, 3906, 280, 23, 23, 760,
     5},
    {"lpddr5x_8533", "LPDDR5X-8533 x16, 16 banks (JESD209-5B)",
     "JESD209-5B 8533 Mbps (CK 1067 MHz): RL 24 / WL 12 nCK (approximate: set 0, DBI off); core "
     "timings in ns as LPDDR5; 16 Gb (tRFCab 280 ns)",
     235, 16, 2048, 16, 16, 96, 48, 18, 18, 42, 34, 6.25, 7.5, 5, 20, 3906, 280, 18, 18, 760,
     5},
    {"ddr4_3200", "DDR4-3200 x64 channel of x16 devices (JESD79-4)",
     "JESD79-4 / Micron MT40A512M16 -062E (as DRAMsim3's DDR4_8Gb_x16_3200): CL 22, CWL 16, "
     "tRCD/tRP 13.75 ns, tRAS 32.5 ns, tWR 15 ns, tWTR_L 7.5 ns, tRTP 7.5 ns, tRRD_L 6.875 ns, "
     "tFAW 30 ns; 2 bank groups x 4 banks, 2 KB page per device; tREFI 7.8 us, tRFC 350 ns",
     625, 8, 8192, 8, 64, 22, 16, 13.75, 13.75, 32.5, 15, 7.5, 7.5, 6.875, 30, 7800, 350, 46, 42,
     9900, 269},
};
// clang-format on

std::string cycles(double ns, int tck_ps) {
  // JEDEC rounding: the smallest whole number of clocks not shorter than the time (a hair of
  // slack so that 18 ns at 0.625 ns is 29, not 30, after floating-point division).
  return fmt::format("{}", static_cast<long long>(std::ceil(ns * 1000.0 / tck_ps - 1e-6)));
}

std::vector<DramPreset> make_presets() {
  std::vector<DramPreset> out;
  for (const Grade& g : kGrades) {
    DramPreset p;
    p.kind = g.kind;
    p.title = g.title;
    p.source = g.source;
    const int t = g.tck_ps;
    p.values = {
        {"dram.banks", fmt::format("{}", g.banks)},
        {"dram.row_bytes", fmt::format("{}", g.row_bytes)},
        {"dram.tck_ps", fmt::format("{}", t)},
        {"dram.trcd_cycles", cycles(g.trcd_ns, t)},
        {"dram.tcl_cycles", fmt::format("{}", g.rl_tck)},
        {"dram.tcwl_cycles", fmt::format("{}", g.wl_tck)},
        {"dram.trp_cycles", cycles(g.trp_ns, t)},
        {"dram.tras_cycles", cycles(g.tras_ns, t)},
        {"dram.twr_cycles", cycles(g.twr_ns, t)},
        {"dram.twtr_cycles", cycles(g.twtr_ns, t)},
        {"dram.trtp_cycles", cycles(g.trtp_ns, t)},
        {"dram.trrd_cycles", cycles(g.trrd_ns, t)},
        {"dram.tfaw_cycles", cycles(g.tfaw_ns, t)},
        {"dram.burst_length", fmt::format("{}", g.burst_length)},
        {"dram.bus_width_bits", fmt::format("{}", g.bus_width_bits)},
        {"dram.refresh.trefi_ns", fmt::format("{}", g.trefi_ns)},
        {"dram.refresh.trfc_ns", fmt::format("{}", g.trfc_ns)},
        {"energy.dram_read_pj_per_byte", fmt::format("{}", g.read_pj_per_byte)},
        {"energy.dram_write_pj_per_byte", fmt::format("{}", g.write_pj_per_byte)},
        {"energy.dram_activate_pj", fmt::format("{}", g.activate_pj)},
        {"energy.leakage.dram_mw", fmt::format("{}", g.background_mw)},
    };
    out.push_back(std::move(p));
  }
  return out;
}

struct Alias {
  const char* alias;
  const char* kind;
};
// The names `dram.kind` took before the presets had speed grades.
const Alias kAliases[] = {{"lpddr4", "lpddr4_4266"}, {"lpddr5", "lpddr5_6400"}};

}  // namespace

const std::vector<DramPreset>& dram_presets() {
  static const std::vector<DramPreset> presets = make_presets();
  return presets;
}

const DramPreset* find_dram_preset(const std::string& kind) {
  std::string name = kind;
  for (const Alias& a : kAliases)
    if (kind == a.alias) name = a.kind;
  for (const auto& p : dram_presets())
    if (p.kind == name) return &p;
  return nullptr;
}

std::vector<std::string> dram_kind_choices() {
  std::vector<std::string> out;
  for (const auto& p : dram_presets()) out.push_back(p.kind);
  for (const Alias& a : kAliases) out.push_back(a.alias);
  return out;
}

}  // namespace h4h
