#include "models/tech/tech_node.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

namespace h4h::tech {
namespace {

// clang-format off
// Stillmaker & Baas 2017: area relative to 45 nm (their area table, 45 nm row) and the HP
// energy fit E(V) = b2 V^2 + b1 V + b0 (65 nm has one row for both flavours), evaluated at
// 0.9 V. Only the nodes the paper covers; others are interpolated below.
struct PaperNode { int64_t nm; double area_vs_45; double b2, b1, b0; };
constexpr PaperNode kPaper[] = {
    {65, 1.5,   3.755,  -4.398,   1.975},
    {45, 1.0,   1.018,  -0.3107,  0.1539},
    {32, 0.46,  0.8367, -0.4341,  0.1701},
    {20, 0.21,  0.373,  -0.1582,  0.04104},
    {16, 0.19,  0.2958, -0.1241,  0.03024},
    {14, 0.17,  0.2363, -0.09675, 0.02239},
    {10, 0.10,  0.2068, -0.09311, 0.02375},
    { 7, 0.059, 0.1776, -0.09097, 0.02447},
};
// High-density 6T SRAM bitcells, um2: 22-5 nm as WikiChip tabulates the ISSCC/IEDM papers
// (Intel 22 nm, TSMC 16FF, Samsung 14LPP, TSMC N10, N7, N5); 65-28 nm the foundries'
// published HD cells (Intel 65/45/32 nm, TSMC 28HP).
struct Bitcell { int64_t nm; double um2; };
constexpr Bitcell kBitcell[] = {
    {65, 0.570}, {45, 0.346}, {32, 0.171}, {28, 0.127}, {22, 0.092},
    {16, 0.074}, {14, 0.064}, {10, 0.042}, {7, 0.027}, {5, 0.021},
};
// clang-format on

constexpr double kVdd = 0.9;
constexpr double kN5VsN7Density = 1.8;  // TSMC's N5 logic density over N7

// Aladdin's units at the 45 nm reference (40 nm library), um2 and uW.
constexpr double kAdder32Um2 = 278.0, kAdder32LeakUw = 2.40;
constexpr double kMult32Um2 = 6350.0, kMult32LeakUw = 80.0;
constexpr double kRegisterBitUm2 = 5.98;

// Chih et al. ISSCC'21: 64 Kb in 0.202 mm2 at 22 nm.
constexpr double kCimMacroMm2 = 0.202, kCimMacroBits = 65536.0;
constexpr int64_t kCimMacroNodeNm = 22;

double paper_energy(const PaperNode& p) { return p.b2 * kVdd * kVdd + p.b1 * kVdd + p.b0; }

void check_node(int64_t nm) {
  const auto& n = supported_nodes();
  if (std::find(n.begin(), n.end(), nm) == n.end())
    throw std::invalid_argument("tech: no scaling data for a " + std::to_string(nm) + " nm node");
}

// A paper quantity at `nm`: exact at the paper's nodes, log-linear in the node size between
// its neighbours (28 and 22 nm lie between 32 and 20), 5 nm from 7 nm by `at5`.
template <class Get>
double at_node(int64_t nm, Get get, double at5) {
  check_node(nm);
  if (nm == 5) return get(kPaper[std::size(kPaper) - 1]) * at5;
  for (size_t i = 0; i < std::size(kPaper); ++i) {
    if (kPaper[i].nm == nm) return get(kPaper[i]);
    if (i + 1 < std::size(kPaper) && kPaper[i].nm > nm && kPaper[i + 1].nm < nm) {
      const double t =
          (std::log(static_cast<double>(kPaper[i].nm)) - std::log(static_cast<double>(nm))) /
          (std::log(static_cast<double>(kPaper[i].nm)) -
           std::log(static_cast<double>(kPaper[i + 1].nm)));
      return std::exp(std::log(get(kPaper[i])) +
                      t * (std::log(get(kPaper[i + 1])) - std::log(get(kPaper[i]))));
    }
  }
  throw std::logic_error("tech: node table incomplete");
}

}  // namespace

const std::vector<int64_t>& supported_nodes() {
  static const std::vector<int64_t> nodes = {65, 45, 32, 28, 22, 16, 14, 10, 7, 5};
  return nodes;
}

double area_factor(int64_t node_nm) {
  return at_node(
      node_nm, [](const PaperNode& p) { return p.area_vs_45; }, 1.0 / kN5VsN7Density);
}

double energy_factor(int64_t node_nm) {
  // N5 vs N7: TSMC quotes 30 % less power at the same speed.
  const double at = at_node(node_nm, paper_energy, 0.7);
  return at / paper_energy(kPaper[1]);
}

double logic_leakage_mw_per_mm2(int64_t node_nm) {
  // uW / um2 = W / m2 ... 1 uW/um2 = 1e6 mW/mm2 / 1e6 = 1000 mW/mm2.
  const double ref = 0.5 * (kAdder32LeakUw / kAdder32Um2 + kMult32LeakUw / kMult32Um2) * 1000.0;
  return ref * energy_factor(node_nm) / area_factor(node_nm);
}

double multiplier_um2(int64_t bits, int64_t node_nm) {
  const double w = static_cast<double>(bits) / 32.0;
  return kMult32Um2 * w * w * area_factor(node_nm);
}

double adder_um2(int64_t bits, int64_t node_nm) {
  return kAdder32Um2 * static_cast<double>(bits) / 32.0 * area_factor(node_nm);
}

double register_um2(int64_t bits, int64_t node_nm) {
  return kRegisterBitUm2 * static_cast<double>(bits) * area_factor(node_nm);
}

double pe_um2(int64_t bits, int64_t node_nm) {
  const int64_t acc = 2 * bits + 16;
  return multiplier_um2(bits, node_nm) + adder_um2(acc, node_nm) +
         register_um2(bits + bits + acc, node_nm);
}

double vector_lane_um2(int64_t node_nm) {
  return multiplier_um2(32, node_nm) + adder_um2(32, node_nm) + register_um2(3 * 32, node_nm);
}

double cim_macro_mm2(int64_t rows, int64_t cols, int64_t node_nm) {
  const double per_bit_mm2 = kCimMacroMm2 / kCimMacroBits;
  return per_bit_mm2 * static_cast<double>(rows) * static_cast<double>(cols) *
         area_factor(node_nm) / area_factor(kCimMacroNodeNm);
}

double sram_bitcell_um2(int64_t node_nm) {
  check_node(node_nm);
  for (const Bitcell& b : kBitcell)
    if (b.nm == node_nm) return b.um2;
  throw std::logic_error("tech: bitcell table incomplete");
}

}  // namespace h4h::tech

namespace h4h::tech {
namespace {

// SRAM model, fitted to CACTI 7 (commit 1ffd8df; 64-bit port, 1-16 banks, 4 KiB-4 MiB,
// 22-65 nm; bench/cacti_fit.sh re-runs it): area = bits x bitcell / efficiency + a
// periphery of kPeriphery x F^2 x sqrt(bits) x banks^0.53 (max error 12.4 % over 56 CACTI
// points with CACTI's own 146 F^2 cell; this model uses the foundries' bitcells instead).
constexpr double kSramArrayEfficiency = 0.79;
constexpr double kSramPeripheryPerF2SqrtBit = 6335.3;  // um2 per (um2 of F^2) per sqrt(bit)
constexpr double kSramBankExponent = 0.53;
// CACTI's read energy grows as the square root of the capacity (exponent 0.49-0.52 at
// every node; banking moves it by -15..+9 % at 1-4 MiB: H-tree routing eats what shorter
// bitlines save).
constexpr double kSramEnergyCapacityExponent = 0.5;
// clang-format off
// SRAM static power density, mW/mm2: CACTI 7, low-standby-power cells (itrs-lstp) with
// low-operating-power periphery (itrs-lop), 330 K, 1 MiB in one bank — a mobile SRAM.
struct SramLeak { int64_t nm; double mw_per_mm2; };
constexpr SramLeak kSramLeak[] = {{65, 0.33}, {45, 2.12}, {32, 4.84}, {22, 6.56}};
// clang-format on

// Feature size squared, um2: the node itself where CACTI was fitted (65-22 nm); below,
// 22 nm scaled by Stillmaker's area factors (a FinFET node's name is not its feature size).
double f2_um2(int64_t node_nm) {
  if (node_nm >= 22) return std::pow(static_cast<double>(node_nm) / 1000.0, 2);
  return std::pow(0.022, 2) * area_factor(node_nm) / area_factor(22);
}

}  // namespace

double sram_mm2_for_cell(int64_t bytes, int64_t banks, double bitcell_um2, int64_t node_nm) {
  if (bytes <= 0) return 0;
  const double bits = 8.0 * static_cast<double>(bytes);
  const double nbanks = static_cast<double>(std::max<int64_t>(1, banks));
  const double cells_um2 = bits * bitcell_um2 / kSramArrayEfficiency;
  const double periphery_um2 = kSramPeripheryPerF2SqrtBit * f2_um2(node_nm) * std::sqrt(bits) *
                               std::pow(nbanks, kSramBankExponent);
  return (cells_um2 + periphery_um2) / 1e6;
}

double sram_mm2(int64_t bytes, int64_t banks, int64_t node_nm) {
  return sram_mm2_for_cell(bytes, banks, sram_bitcell_um2(node_nm), node_nm);
}

double sram_energy_scale(double bytes, double reference_bytes) {
  if (bytes <= 0 || reference_bytes <= 0) return 1.0;
  return std::pow(bytes / reference_bytes, kSramEnergyCapacityExponent);
}

double sram_leakage_mw_per_mm2(int64_t node_nm) {
  check_node(node_nm);
  for (const SramLeak& l : kSramLeak)
    if (l.nm == node_nm) return l.mw_per_mm2;
  if (node_nm == 28)  // between CACTI's 32 and 22 nm, log-linear in the node
    return std::exp(std::log(4.84) + (std::log(32.0) - std::log(28.0)) /
                                         (std::log(32.0) - std::log(22.0)) *
                                         (std::log(6.56) - std::log(4.84)));
  // Below CACTI's 22 nm: as logic scales (per-device leakage x devices per mm2).
  return 6.56 * (energy_factor(node_nm) / energy_factor(22)) /
         (area_factor(node_nm) / area_factor(22));
}

}  // namespace h4h::tech
