#pragma once
// LPDDR-style DRAM timing core: per channel and bank, open-row policy, JEDEC timing rules.
// A request covers a byte range (a chunk, e.g. a few KiB); its bursts are timed in closed
// form per row segment from the same rules a per-burst model would apply, so a network's
// ~10^6 bursts cost ~10^4 segment evaluations, not 10^6 SystemC events. Plain C++: the
// SystemC Dram shell turns the returned times into waits.
//
// Rules (times in tCK):
// - row hit:   column command when the bank is ready; data after tCL, for BL/2 tCK (DDR).
// - row empty: ACT, column command tRCD later.
// - row miss:  PRE no earlier than tRAS after the row's ACT, ACT tRP after PRE, then as empty.
// - consecutive column commands to an open row pipeline back to back (tCCD = BL/2), and the
//   channel's data bus carries one burst at a time; banks overlap their ACT/PRE with other
//   banks' data transfers, which is how streaming approaches peak bandwidth.
// - refresh (optional): every tREFI all banks close and the channel is busy for tRFC.
// Not modelled (documented simplifications): tRRD/tFAW activation windows, write latency
// and write-to-read turnaround (writes are timed like reads), command-bus conflicts.
#include <cstdint>
#include <vector>

namespace h4h {

// Filled from the arch config (dram.*), whose declaration table holds the defaults.
struct DramTimingParams {
  int64_t channels = 0, banks = 0, row_bytes = 0;
  int64_t tck_ps = 0;
  int64_t trcd_cycles = 0, tcl_cycles = 0, trp_cycles = 0, tras_cycles = 0;
  int64_t burst_length = 0;
  int64_t bus_width_bits = 0;    // per channel
  bool refresh = false;
  double trefi_ns = 0, trfc_ns = 0;

  // Refresh timing in tCK: the interval rounded down and the duration up, so the model never
  // refreshes later or more briefly than the config says.
  int64_t trefi_cycles() const;
  int64_t trfc_cycles() const;
  // Peak bandwidth implied by the timing (double data rate): what the model must approach on
  // long sequential streams, never exceed.
  double peak_bytes_per_ns() const;
  int64_t burst_bits() const { return burst_length * bus_width_bits; }
  int64_t burst_bytes() const { return burst_bits() / 8; }
  int64_t burst_cycles() const { return burst_length / 2; }  // double data rate
  // All channels streaming: bytes per tCK at 100% data-bus occupancy.
  double peak_bytes_per_cycle() const {
    return static_cast<double>(channels * burst_bytes()) / static_cast<double>(burst_cycles());
  }
};

// Where a byte lives. Mapping, from the low bits up: column within a row, channel, bank,
// row (RoBaChCo): a sequential stream fills one row of one channel, moves to the next
// channel, then to the next bank, so long transfers use every channel and bank in turn.
struct DramAddress {
  int64_t channel = 0, bank = 0, row = 0, column_byte = 0;
};
DramAddress map_address(const DramTimingParams& p, uint64_t addr);

struct DramStats {
  int64_t bursts = 0;
  int64_t activates = 0;
  int64_t row_hits = 0;      // segments that found their row open
  int64_t row_misses = 0;    // segments that had to close another row first
  int64_t row_empty = 0;     // segments to a bank with no open row
  int64_t refreshes = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
};

struct DramAccess {
  int64_t first_data_cycle = 0;  // first beat on the data bus
  int64_t done_cycle = 0;        // last beat done: the request is complete
};

class DramTimingCore {
 public:
  explicit DramTimingCore(const DramTimingParams& p);

  // Serves [addr, addr + bytes) requested at `now_cycle` (tCK). Bytes are rounded up to
  // whole bursts. Requests are served in call order (FR-FCFS reordering is not modelled).
  DramAccess access(uint64_t addr, int64_t bytes, bool is_write, int64_t now_cycle);

  const DramStats& stats() const { return stats_; }
  // When set, every row segment's data-bus occupancy is kept per channel (for the trace).
  bool record_segments = false;
  struct Segment {
    int64_t channel, first_data_cycle, done_cycle, bursts;
    bool row_hit;
  };
  const std::vector<Segment>& segments() const { return segments_; }
  // Closes every row, clears the statistics and rebases time to 0 (a new run on the same
  // elaboration starts from a quiet memory).
  void reset();
  const DramTimingParams& params() const { return p_; }

 private:
  struct Bank {
    int64_t open_row = -1;      // -1: precharged
    int64_t act_cycle = 0;      // when the open row was activated
    int64_t col_ready = 0;      // next column command may issue
  };
  struct Channel {
    std::vector<Bank> banks;
    int64_t bus_free = 0;       // data bus free from this cycle
    int64_t next_refresh = 0;
  };
  // One run of bursts within one row of one bank; returns (first data, done).
  DramAccess segment(Channel& ch, int64_t bank, int64_t row, int64_t bursts, int64_t now);
  int64_t refresh_until(Channel& ch, int64_t t);

  DramTimingParams p_;
  int64_t trefi_cycles_ = 0, trfc_cycles_ = 0;  // from p_, once
  std::vector<Channel> channels_;
  DramStats stats_;
  std::vector<Segment> segments_;
};

}  // namespace h4h
