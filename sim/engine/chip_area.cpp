#include "sim/engine/chip_area.h"

#include "models/tech/tech_node.h"

namespace h4h {
namespace {

constexpr double kUm2PerMm2 = 1e6;
// The bus's initiators (the array, vector, CIM and copy DMAs): one pipeline register and one
// 2:1 mux level per bit per initiator. Wires are not modelled (they route over the units).
constexpr int64_t kBusInitiators = 4;
// DRAM PHY per 16-bit channel: one 16-bit LPDDR5X memory controller + PHY of the Snapdragon
// X Elite (TSMC N4) is 0.72 mm2 in its die-shot analysis. Analog I/O barely scales with the
// node, so it is not scaled; wider channels scale with their bits.
constexpr double kPhyChannelBits = 16.0;

double given_or(double given, double modelled) { return given > 0 ? given : modelled; }

}  // namespace

double ChipParts::total() const {
  double t = 0;
  for (const auto& [name, v] : items()) t += v;
  return t;
}

std::array<std::pair<const char*, double>, 8> ChipParts::items() const {
  return {{{"npu_array", npu_array},
           {"npu_vector", npu_vector},
           {"npu_sram", npu_sram},
           {"global_buffer", global_buffer},
           {"cim_macros", cim_macros},
           {"cim_buffers", cim_buffers},
           {"bus", bus},
           {"dram_phy", dram_phy}}};
}

ChipParts chip_area_mm2(const ArchConfig& c) {
  const int64_t node = c.tech.node_nm;
  const AreaParams& a = c.area;
  ChipParts p;
  // The vector unit is always there (norms, softmax, activations of a CIM-only chip).
  const double vector =
      static_cast<double>(c.npu.vector.lanes) * tech::vector_lane_um2(node) / kUm2PerMm2;
  p.npu_vector = vector;
  if (c.npu.enabled) {
    const double pes = static_cast<double>(c.npu.array.rows * c.npu.array.cols);
    const double array = pes * tech::pe_um2(c.npu.precision_bits, node) / kUm2PerMm2;
    p.npu_array = array;
    if (a.npu_mm2 > 0) {  // a measured NPU: split as the model would
      p.npu_array = a.npu_mm2 * array / (array + vector);
      p.npu_vector = a.npu_mm2 * vector / (array + vector);
    }
    const NpuSramParams& s = c.npu.sram;
    p.npu_sram =
        given_or(a.sram_mm2, tech::sram_mm2(s.ifmap_kib * 1024, s.ifmap_banks, node) +
                                 tech::sram_mm2(s.filter_kib * 1024, s.filter_banks, node) +
                                 tech::sram_mm2(s.ofmap_kib * 1024, s.ofmap_banks, node));
  }
  const GlobalBufferParams& g = c.memory.global_buffer;
  if (g.capacity_kib > 0)
    p.global_buffer =
        given_or(a.global_buffer_mm2, tech::sram_mm2(g.capacity_kib * 1024, g.banks, node));
  if (c.cim.enabled) {
    p.cim_macros = static_cast<double>(c.cim.macro_count) *
                   given_or(a.cim_macro_mm2, tech::cim_macro_mm2(c.cim.rows, c.cim.cols, node));
    double buffers = 0;
    if (c.cim.input_buffer_kib > 0)
      buffers += tech::sram_mm2(c.cim.input_buffer_kib * 1024, c.cim.input_buffer_banks, node);
    if (c.cim.output_buffer_kib > 0)
      buffers += tech::sram_mm2(c.cim.output_buffer_kib * 1024, c.cim.output_buffer_banks, node);
    if (c.cim.weight_buffer_kib > 0)
      buffers += tech::sram_mm2(c.cim.weight_buffer_kib * 1024, 1, node);
    p.cim_buffers = given_or(a.cim_buffers_mm2, buffers);
  }
  const double bus_bits = 8.0 * static_cast<double>(c.bus.width_bytes);
  p.bus = given_or(a.bus_mm2, bus_bits * kBusInitiators *
                                  (tech::register_um2(1, node) + tech::adder_um2(1, node)) /
                                  kUm2PerMm2);
  p.dram_phy = static_cast<double>(c.dram.channels) * a.dram_phy_mm2_per_channel *
               static_cast<double>(c.dram.bus_width_bits) / kPhyChannelBits;
  return p;
}

SramEnergyScales sram_energy_scales(const ArchConfig& c) {
  auto scale = [](int64_t kib, int64_t ref_kib) {
    return kib > 0 ? tech::sram_energy_scale(static_cast<double>(kib), static_cast<double>(ref_kib))
                   : 1.0;
  };
  SramEnergyScales s;
  s.npu_sram = scale(c.npu.sram.ifmap_kib + c.npu.sram.filter_kib + c.npu.sram.ofmap_kib,
                     kNpuSramReferenceKib);
  s.global_buffer = scale(c.memory.global_buffer.capacity_kib, kGlobalBufferReferenceKib);
  s.cim_buffer = scale(c.cim.input_buffer_kib + c.cim.output_buffer_kib, kCimBufferReferenceKib);
  return s;
}

ChipParts chip_leakage_mw(const ArchConfig& c, const ChipParts& area) {
  const int64_t node = c.tech.node_nm;
  const double logic = c.tech.logic_leakage_scale * tech::logic_leakage_mw_per_mm2(node);
  const double sram = c.tech.sram_leakage_scale * tech::sram_leakage_mw_per_mm2(node);
  ChipParts p;
  p.npu_array = area.npu_array * logic;
  p.npu_vector = area.npu_vector * logic;
  p.npu_sram = area.npu_sram * sram;
  p.global_buffer = area.global_buffer * sram;
  // A digital CIM macro is SRAM bitcells and adder trees in about equal parts of its area
  // (Chih et al. ISSCC'21); its leakage density is taken halfway.
  p.cim_macros = area.cim_macros * 0.5 * (logic + sram);
  p.cim_buffers = area.cim_buffers * sram;
  p.bus = area.bus * logic;
  // The DRAM PHY's static power (DLLs, termination, thick-oxide I/O) is not core-logic
  // leakage and I found no published figure: it is left out (0), not guessed.
  p.dram_phy = 0;
  return p;
}

}  // namespace h4h
