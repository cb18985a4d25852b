#pragma once
// LPDDR-style DRAM timing core: per channel and bank, open-row policy, JEDEC timing rules.
// A request covers a byte range (a chunk, e.g. a few KiB); its bursts are timed in closed
// form per row segment from the same rules a per-burst model would apply, so a network's
// ~10^6 bursts cost ~10^4 segment evaluations, not 10^6 SystemC events. Plain C++: the
// SystemC Dram shell turns the returned times into waits.
//
// Rules (times in tCK; JEDEC names, DRAMsim3's formulas where JEDEC leaves a choice):
// - row hit:   column command when the bank is ready; read data after RL (tCL), write data
//   after WL (tCWL), each for BL/2 tCK (DDR).
// - row empty: ACT, column command tRCD later.
// - row miss:  PRE no earlier than tRAS after the row's ACT, tRTP after the last read
//   command and WL + BL/2 + tWR after the last write command; ACT tRP after PRE.
// - ACTs on a channel: at least tRRD apart, at most four in any tFAW window.
// - direction turnaround on a channel: a read command no earlier than WL + BL/2 + tWTR after
//   the last write command; a write command no earlier than RL + BL/2 + 1 - WL after the last
//   read command (one tCK bubble for the bus to turn around, DRAMsim3's tRTRS).
// - consecutive column commands to an open row pipeline back to back (tCCD = BL/2), and the
//   channel's data bus carries one burst at a time; a column command whose data would find
//   the bus busy issues later, so the bank is busy (and its row unclosable) until its own
//   data has moved; banks overlap their ACT/PRE with other banks' transfers, which is how
//   streaming approaches peak bandwidth.
// - refresh (on by default): every tREFI all banks close (each bank's PRE rules above apply)
//   and the channel is busy for tRFC.
// Requests are served in call order (in-order command issue; ACTs monotonic per channel).
// Not modelled (documented simplifications): command-bus conflicts, bank groups (tCCD_L),
// power-down, per-bank refresh.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace h4h {

// Filled from the arch config (dram.*), whose declaration table holds the defaults.
struct DramTimingParams {
  int64_t channels = 0, banks = 0, row_bytes = 0;
  int64_t tck_ps = 0;
  int64_t trcd_cycles = 0, tcl_cycles = 0, trp_cycles = 0, tras_cycles = 0;
  int64_t tcwl_cycles = 0;  // write latency WL
  int64_t twr_cycles = 0;   // write recovery: last write data to PRE
  int64_t twtr_cycles = 0;  // last write data to a read command
  int64_t trtp_cycles = 0;  // read command to PRE
  int64_t trrd_cycles = 0;  // ACT to ACT, any two banks of a channel
  int64_t tfaw_cycles = 0;  // window holding at most four ACTs
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
  // Command-to-command gaps on one channel when the data direction changes.
  int64_t write_to_read_cycles() const { return tcwl_cycles + burst_cycles() + twtr_cycles; }
  int64_t read_to_write_cycles() const {
    return std::max<int64_t>(0, tcl_cycles + burst_cycles() + kTurnaroundCycles - tcwl_cycles);
  }
  // Last column command to the PRE that closes its row.
  int64_t read_to_precharge_cycles() const { return trtp_cycles; }
  int64_t write_to_precharge_cycles() const { return tcwl_cycles + burst_cycles() + twr_cycles; }
  // The bubble a read-to-write switch leaves on the data bus (DRAMsim3's tRTRS = 1).
  static constexpr int64_t kTurnaroundCycles = 1;
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

  // The pieces a request queue schedules with (DramController): one run of `bursts` bursts
  // within one row of one bank. `probe` says when its data would move if issued at `now`
  // (no refresh after the last one applied, nothing changed); `issue` commits it.
  DramAccess probe(int64_t channel, int64_t bank, int64_t row, int64_t bursts, bool is_write,
                   int64_t now) const;
  DramAccess issue(int64_t channel, int64_t bank, int64_t row, int64_t bursts, bool is_write,
                   int64_t now);
  void refresh_to(int64_t channel, int64_t t);  // applies every refresh due by `t`
  bool row_open(int64_t channel, int64_t bank, int64_t row) const;
  int64_t precharge_ready_cycle(int64_t channel, int64_t bank) const;  // tRAS, tRTP, tWR
  int64_t next_refresh_cycle(int64_t channel) const;                   // INT64_MAX with refresh off
  void count_bytes(bool is_write, int64_t bytes);

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
    int64_t col_ready = 0;      // next column command may issue
    int64_t pre_ready = 0;      // the open row may close (tRAS, tRTP, tWR)
  };
  struct Channel {
    std::vector<Bank> banks;
    int64_t bus_free = 0;       // data bus free from this cycle
    int64_t next_refresh = 0;
    // The last four ACTs, oldest first (tRRD: the newest; tFAW: the oldest).
    std::array<int64_t, 4> acts{};
    int64_t acts_seen = 0;
    int64_t read_ok = 0;   // a read command may issue (tWTR after the last write)
    int64_t write_ok = 0;  // a write command may issue (turnaround after the last read)
  };
  // When each command of a segment would go, from the channel and bank state.
  struct Plan {
    bool hit = false, miss = false;  // row open / another row open (else: bank precharged)
    int64_t act = 0, col = 0, first_data = 0, done = 0;
  };
  Plan plan(const Channel& ch, int64_t bank, int64_t row, int64_t bursts, bool is_write,
            int64_t t) const;
  DramAccess apply(Channel& ch, int64_t bank, int64_t row, int64_t bursts, bool is_write,
                   const Plan& pl);
  // The earliest ACT at or after `t` that tRRD and tFAW allow on `ch`.
  int64_t activate_time(const Channel& ch, int64_t t) const;
  int64_t refresh_until(Channel& ch, int64_t t);

  DramTimingParams p_;
  int64_t trefi_cycles_ = 0, trfc_cycles_ = 0;  // from p_, once
  std::vector<Channel> channels_;
  DramStats stats_;
  std::vector<Segment> segments_;
};

}  // namespace h4h
