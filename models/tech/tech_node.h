#pragma once
// Technology-node scaling and the unit-area primitives the chip's area and leakage are
// built from. Plain tables with their sources (docs/area.md has the derivations):
//  - logic area and switching energy between nodes: Stillmaker & Baas, "Scaling equations
//    for the accurate prediction of CMOS device performance from 180 nm to 7 nm",
//    Integration 58 (2017) — area table and HP energy fits at 0.9 V; 28 and 22 nm, which
//    the paper does not have, are interpolated log-linearly between its 32 and 20 nm; 5 nm
//    is 7 nm with TSMC's N5-vs-N7 logic density (1.8x);
//  - integer arithmetic and register area and leakage at the 45 nm reference: Aladdin
//    (Shao et al., ISCA'14; commercial 40 nm library), as tabulated in Accelergy's
//    hwcomponents library (32-bit adder 278 um2 / 2.40 uW, 32x32 multiplier 6350 um2 /
//    80 uW, register 5.98 um2 per bit); multiplier area grows with the square of the width;
//  - SRAM: high-density 6T bitcells per node (WikiChip/ISSCC figures) with a periphery fitted
//    to CACTI (sram_mm2);
//  - digital SRAM-CIM area per bitcell: Chih et al., ISSCC'21 (22 nm, 64 Kb, 0.202 mm2).
#include <cstdint>
#include <vector>

namespace h4h::tech {

// Nodes the tables cover, in nm: 65, 45, 32, 28, 22, 16, 14, 10, 7, 5.
const std::vector<int64_t>& supported_nodes();

// Logic area at `node_nm` relative to 45 nm (Stillmaker & Baas, Table of area factors).
double area_factor(int64_t node_nm);
// Switching energy at `node_nm` relative to 45 nm, both at 0.9 V (Stillmaker & Baas HP
// energy fits). Leakage per device is scaled the same way (Accelergy's convention).
double energy_factor(int64_t node_nm);

// Static power density of logic at `node_nm`: Aladdin's arithmetic units at the 45 nm
// reference (10.6 mW/mm2: adder 8.6, multiplier 12.6), times energy_factor / area_factor
// (per-device leakage tracks switching energy, devices per mm2 track 1 / area).
double logic_leakage_mw_per_mm2(int64_t node_nm);
// Static power density of SRAM macros at `node_nm` (CACTI, see sram_mm2).
double sram_leakage_mw_per_mm2(int64_t node_nm);

// Area at `node_nm`, in um2, of a bits x bits integer multiplier, a bits-wide adder and
// `bits` flip-flops.
double multiplier_um2(int64_t bits, int64_t node_nm);
double adder_um2(int64_t bits, int64_t node_nm);
double register_um2(int64_t bits, int64_t node_nm);
// One output-stationary systolic PE at `bits` operand precision: a bits x bits multiplier,
// an accumulator adder of 2*bits + 16 bits (int8: 32-bit accumulation, headroom for 64 Ki
// products), and registers for the two forwarded operands and the accumulator.
double pe_um2(int64_t bits, int64_t node_nm);
// One vector-unit lane: a 32-bit multiplier and adder (int32 / fixed-point epilogues, the
// exp/div/sqrt iterations reuse them) and three 32-bit registers.
double vector_lane_um2(int64_t node_nm);

// High-density 6T SRAM bitcell at `node_nm`, um2.
double sram_bitcell_um2(int64_t node_nm);
// An SRAM of `bytes` in `banks` equal banks: bitcells at the node's density over CACTI's
// array efficiency, plus a periphery (decoders, sense amplifiers, drivers, the H-tree
// between banks) that grows with the square root of the bits and with the banks, fitted to
// CACTI 7 (docs/area.md). `sram_mm2_for_cell` takes the bitcell area (CACTI's own 146 F^2
// reproduces CACTI within 12 %).
double sram_mm2(int64_t bytes, int64_t banks, int64_t node_nm);
double sram_mm2_for_cell(int64_t bytes, int64_t banks, double bitcell_um2, int64_t node_nm);
// Read/write energy of an SRAM of `bytes` relative to one of `reference_bytes`: CACTI's
// square-root growth of access energy with capacity (longer bitlines and wordlines, a
// longer H-tree).
double sram_energy_scale(double bytes, double reference_bytes);

// One digital SRAM-CIM macro of rows x cols bitcells (bitcell, compute logic and periphery),
// per Chih et al. ISSCC'21 (0.202 mm2 for 64 Kb at 22 nm), scaled as logic.
double cim_macro_mm2(int64_t rows, int64_t cols, int64_t node_nm);

}  // namespace h4h::tech
