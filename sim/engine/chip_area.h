#pragma once
// The chip's area and static power from its configuration: each unit's area from its
// parameters at the technology node (models/tech/tech_node), unless the config gives a
// measured one (area.*_mm2), and its leakage = area x the node's static power density for
// the unit's kind (logic or SRAM). DRAM background power is the DRAM's own (its preset).
#include <array>
#include <string>
#include <utility>

#include "sim/config/arch_config.h"

namespace h4h {

// One value per on-chip part (mm2 or mW); `names()` gives them in report order.
struct ChipParts {
  double npu_array = 0, npu_vector = 0, npu_sram = 0, global_buffer = 0, cim_macros = 0,
         cim_buffers = 0, bus = 0, dram_phy = 0;
  double total() const;
  // (name, value) in report order.
  std::array<std::pair<const char*, double>, 8> items() const;
};

ChipParts chip_area_mm2(const ArchConfig& cfg);

// The energy.*_pj_per_byte keys of the SRAMs are per byte at a reference size (the default
// config's: NPU SRAMs 640 KiB in total, global buffer 1 MiB, CIM input + output buffers
// 128 KiB); an SRAM of another size costs sqrt(size / reference) times that (CACTI).
struct SramEnergyScales {
  double npu_sram = 1, global_buffer = 1, cim_buffer = 1;
};
SramEnergyScales sram_energy_scales(const ArchConfig& cfg);
inline constexpr int64_t kNpuSramReferenceKib = 640, kGlobalBufferReferenceKib = 1024,
                         kCimBufferReferenceKib = 128;
// Static power of every on-chip part (mm2 x mW/mm2); DRAM background power is apart.
ChipParts chip_leakage_mw(const ArchConfig& cfg, const ChipParts& area_mm2);

}  // namespace h4h
