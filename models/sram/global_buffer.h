#pragma once
// GlobalBuffer: the on-chip SRAM shared by the NPU array, the vector unit and the CIM cluster
// (activations that stay on chip live here; sim/memory/tensor_plan decides which). A TLM-2.0
// target the DMA engines reach directly, not through the DRAM bus: addresses at or above
// kGlobalBufferBase are buffer offsets.
//
// Timing (GlobalBufferTiming, plain C++): one port, `banks` x `bank_width_bytes` per cycle,
// requests served first come first served. A request of b bytes holds the port for
// ceil(b / bytes_per_cycle) cycles from when it arrives or the port frees, whichever is
// later. Consecutive bytes interleave over the banks, so a streaming DMA chunk uses all of
// them; bank conflicts between concurrent streams appear as the port's queueing.
#include <cstdint>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/sram/global_buffer_params.h"

namespace h4h {

// On-chip addresses start here (far above any DRAM address the layout hands out).
inline constexpr uint64_t kGlobalBufferBase = uint64_t{1} << 62;

struct GlobalBufferStats {
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t accesses = 0;
  int64_t busy_cycles = 0;
};

class GlobalBufferTiming {
 public:
  explicit GlobalBufferTiming(const GlobalBufferParams& p);
  // A request of `bytes` arriving at cycle `now`: returns the cycle its last byte moves.
  int64_t access(int64_t now_cycle, int64_t bytes, bool write);
  const GlobalBufferStats& stats() const { return stats_; }
  void reset() {
    stats_ = GlobalBufferStats{};
    free_at_ = 0;
  }

 private:
  int64_t bytes_per_cycle_;
  int64_t free_at_ = 0;
  GlobalBufferStats stats_;
};

class GlobalBuffer : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<GlobalBuffer> socket;  // one binding per DMA

  GlobalBuffer(sc_core::sc_module_name name, const GlobalBufferParams& p);
  const GlobalBufferStats& stats() const { return core_.stats(); }
  // A new run starts from an idle port; `origin` is its time zero.
  void reset(const sc_core::sc_time& origin);
  sc_core::sc_time period() const { return period_; }

 private:
  void b_transport(int initiator, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  GlobalBufferParams p_;
  GlobalBufferTiming core_;
  sc_core::sc_time period_;
  sc_core::sc_time origin_ = sc_core::SC_ZERO_TIME;
};

}  // namespace h4h
