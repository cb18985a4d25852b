#pragma once
// DramCycleController: a command-level memory controller stepped every tCK, structured as
// DRAMsim3's (Li et al., IEEE CAL 2020), for traffic with many requests in flight. Per
// channel:
// - transactions of one burst each: a read queue (`read_queue_bursts`) and a posted-write
//   buffer (`write_buffer_bursts`; a write completes for its requester when the buffer takes
//   it, a read to a buffered address is served from it, a second write to it merges);
// - per-bank command queues of `bank_queue_bursts`; each tCK at most one transaction moves
//   into them — from the write buffer while it drains (once full, or holding more than
//   `idle_drain_bursts` with every command queue empty, until the writes present when the
//   drain began have moved), else from the read queue;
// - each tCK at most one command (one command bus): the banks are scanned round robin from
//   the one after the bank last served, and a bank offers the first command of its queue
//   that its state and timing allow — an ACT for the oldest when the bank is closed, a column
//   command for any request to the open row (row hits pass older misses), a PRE only for the
//   oldest and only once no younger hit to the open row waits or `row_hit_cap` column
//   commands have been served since the ACT;
// - all-bank refresh every tREFI: the open banks are precharged, then REF, and nothing else
//   issues meanwhile; ACT waits tRFC after it.
// Timing rules per command are those DramTimingCore applies in closed form (tRCD, RL/WL,
// tRAS, tRC = tRAS + tRP, tRP, tRTP, WL + BL/2 + tWR, WL + BL/2 + tWTR, the read-to-write
// turnaround, tCCD = BL/2, tRRD, tFAW). Not modelled: bank groups, tPPD, power-down.
//
// DramController (the `segment` model) decides a row segment at a time in closed form and
// is what `run` uses by default; this one costs a loop iteration per busy tCK and is the
// `cycle` model (`dram.controller.model`): the reference for multi-outstanding traffic,
// measured against DRAMsim3 by bench/dramsim3_compare.sh. Plain C++, same interface as
// DramController; requests must be submitted in arrival order.
#include <array>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "models/dram/dram_controller.h"
#include "models/dram/dram_timing.h"

namespace h4h {

class DramCycleController {
 public:
  DramCycleController(const DramTimingParams& timing, const DramControllerParams& p);

  // A request for [addr, addr + bytes) arriving at `arrival` (tCK; one earlier than a cycle
  // already simulated arrives at that cycle). Returns its id.
  int64_t submit(uint64_t addr, int64_t bytes, bool is_write, int64_t arrival);
  // Whether the read queue (or, for a posted write, the write buffer) of addr's channel has
  // room now.
  bool will_accept(uint64_t addr, bool is_write) const;
  // Simulates every tCK up to and including `t`.
  void advance_to(int64_t t);
  // The next tCK to simulate while anything is queued (INT64_MAX when idle).
  int64_t next_decision_cycle() const;
  // Requests whose completion is now known: a read when its last burst's READ has issued, a
  // write when the buffer has taken all of it. Each is reported once.
  std::vector<DramController::Finished> take_finished();
  // Blocking use: submit at `now` and simulate until this request completes.
  DramAccess access(uint64_t addr, int64_t bytes, bool is_write, int64_t now);

  void reset();
  const DramStats& stats() const { return stats_; }
  const DramTimingParams& timing() const { return tp_; }
  // When set, the data-bus occupancy is kept (for the trace): back-to-back row hits of a
  // channel form one segment, as DramTimingCore's row segments do.
  bool record_segments = false;
  const std::vector<DramTimingCore::Segment>& segments() const { return segments_; }

 private:
  enum Cmd { kAct, kRead, kWrite, kPre, kRef, kCmds };
  struct Txn {
    int64_t request;
    uint64_t addr;  // burst-aligned
    int64_t bank, row;
    bool write;
    int64_t eligible;  // first tCK it may move into a command queue
  };
  struct Bank {
    int64_t open_row = -1;
    int64_t column_commands = 0;  // since the ACT (DRAMsim3's row-hit count)
    bool opened_for_miss = false;
    std::array<int64_t, kCmds> ready{};  // earliest tCK per command
    std::deque<Txn> queue;
  };
  struct Channel {
    std::vector<Bank> banks;
    std::deque<Txn> reads, writes;                                     // read queue, write buffer
    std::deque<Txn> reads_waiting, writes_waiting;                     // at the port, for room
    std::array<std::vector<int64_t>, 2> queue_bank_count;  // per bank: in reads, in writes
    std::unordered_map<uint64_t, std::vector<int64_t>> pending_reads;  // addr -> requests
    std::unordered_set<uint64_t> pending_writes;                       // posted, not yet written
    std::deque<int64_t> act_window;  // when the recent ACTs leave the tFAW window
    int64_t last_bank = 0;
    int64_t drain_left = 0;
    int64_t refreshes_due = 0;
    int64_t queued = 0;  // transactions in the bank queues
  };
  struct Request {
    int64_t bursts_left = 0;
    DramAccess access{INT64_MAX, 0};
  };

  // One tCK, then a jump over the quiet ones after it (not past t + 1; none once request
  // `watch` has finished).
  void step(int64_t t, int64_t watch = -1);
  bool tick(Channel& ch, int64_t c, int64_t channel);  // true: something happened
  int64_t next_event(const Channel& ch) const;         // the next tCK anything may happen
  bool idle() const;
  bool channel_idle(const Channel& ch) const;
  // Whether some transaction of the read queue (or write buffer) has room in its bank's queue.
  bool movable(const Channel& ch, bool writes) const;
  bool issue_from(Channel& ch, int64_t bank, int64_t c, int64_t channel);
  void issue_column(Channel& ch, Bank& b, const Txn& t, int64_t c, int64_t channel);
  void activate(Channel& ch, Bank& b, int64_t row, int64_t c);
  void precharge(Bank& b, int64_t c);
  void refresh(Channel& ch, int64_t c);
  void enqueue(Channel& ch, Txn t, int64_t c);
  void accept_write(Channel& ch, Txn t, int64_t c);
  void burst_done(int64_t request, int64_t first_data, int64_t done);
  static void later(Bank& b, Cmd k, int64_t t) { b.ready[k] = std::max(b.ready[k], t); }

  DramTimingParams tp_;
  DramControllerParams p_;
  int64_t trefi_ = 0, trfc_ = 0, frontend_ = 1;
  std::vector<Channel> channels_;
  std::unordered_map<int64_t, Request> requests_;
  std::vector<DramController::Finished> finished_;
  int64_t clk_ = 0;  // the next tCK to simulate
  int64_t next_id_ = 0;
  DramStats stats_;
  std::vector<DramTimingCore::Segment> segments_;
  std::vector<int64_t> last_segment_;  // per channel: its latest trace segment (-1: none)
};

}  // namespace h4h
