#pragma once
// DramController: the memory controller in front of DramTimingCore. Per channel a read queue
// scheduled first-ready first-come-first-served (FR-FCFS: of the requests that have arrived,
// the one whose data can move first — a row hit before a row miss, a ready bank before a busy
// one — on ties the bank next in round-robin order after the last one served, as DRAMsim3
// scans its bank queues, then the oldest; after `row_hit_cap` hits an older miss to their
// bank goes), and a posted-write buffer: a write completes for its requester when the
// buffer takes it, and the buffer drains in batches — when it is full, or when it holds more
// than `idle_drain_bursts` and no read is waiting (DRAMsim3's policy). Plain C++.
//
// Time is decided lazily and causally: a scheduling decision at cycle T is taken only once
// every request arriving by T is known, so requests must be submitted in arrival order.
// A decision commits a whole row segment (a run of bursts in one row of one bank); its
// commands are timed in closed form by the core, ACT/PRE of a bank as early as the bank's
// rules and the request's arrival allow, so banks prepare in parallel with other banks' data.
//
// Two ways to drive it: `submit` + `advance_to` + `finished` (a traffic generator or a
// clocked shell keeps many requests in flight), or `access` (submit one request and decide
// until it completes, assuming nothing else arrives before: the blocking TLM shell).
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "models/dram/dram_timing.h"

namespace h4h {

// Which controller serves DRAM traffic (dram.controller.model): `segment` decides a row
// segment at a time in closed form (DramController, fast, the default); `cycle` steps every
// tCK with per-bank command queues (DramCycleController, DRAMsim3's structure).
enum class DramControllerModel { kSegment, kCycle };

// Filled from the arch config (dram.controller.*); these defaults are DRAMsim3's.
struct DramControllerParams {
  DramControllerModel model = DramControllerModel::kSegment;
  int64_t bank_queue_bursts = 8;     // per bank: the oldest reads the scheduler chooses among
  int64_t read_queue_bursts = 32;    // reads waiting for room in their bank's queue
  int64_t write_buffer_bursts = 32;  // posted writes held per channel, in bursts
  int64_t idle_drain_bursts = 8;     // drain with no read waiting once above this many
  int64_t row_hit_cap = 4;           // row-hit bursts that may pass an older miss to their bank
  int64_t frontend_cycles = 1;       // request to scheduler (DRAMsim3: added in one tick, its
                                     // first command at the next)
};

class DramController {
 public:
  DramController(const DramTimingParams& timing, const DramControllerParams& p);

  // A request for [addr, addr + bytes) arriving at `arrival` (tCK, not before the last
  // submission's). Returns its id.
  int64_t submit(uint64_t addr, int64_t bytes, bool is_write, int64_t arrival);
  // Whether a request to `addr` would find room now: in its channel's read queue, or for a
  // posted write in the write buffer. A requester with one in-order port waits while not.
  bool will_accept(uint64_t addr, bool is_write) const;
  // Takes every scheduling decision due by cycle `t` (all requests arriving by `t` submitted).
  void advance_to(int64_t t);
  // The earliest cycle a pending decision is due (INT64_MAX: nothing waits for a decision).
  int64_t next_decision_cycle() const;
  // Requests whose completion is now known, with it: a read when its last burst is decided, a
  // write when the buffer has taken all of it. Each is reported once, then forgotten.
  struct Finished {
    int64_t id;
    DramAccess access;
  };
  std::vector<Finished> take_finished();
  // Removes request `id`'s entry from `finished` and returns its access (a blocking access's
  // own completion; the entry must be there).
  static DramAccess take_one(std::vector<Finished>& finished, int64_t id);

  // Blocking use: submit at `now` and decide until this request completes.
  DramAccess access(uint64_t addr, int64_t bytes, bool is_write, int64_t now);

  void reset();
  const DramTimingCore& core() const { return core_; }
  DramTimingCore& core() { return core_; }
  const DramControllerParams& params() const { return p_; }

 private:
  struct Segment {
    int64_t request, bank, row, bursts;
    int64_t arrival;  // for a buffered write: when the buffer took it
    int64_t seq;      // arrival order within the channel
    bool write;       // in the read queue too when writes are not posted
  };
  struct Request {
    int64_t segments_left = 0;
    int64_t waiting_bursts = 0;  // a write's bursts not yet in the buffer
    bool is_write = false;
    DramAccess access{INT64_MAX, 0};
  };
  struct Channel {
    std::deque<Segment> reads, writes, writes_waiting;
    int64_t buffered_bursts = 0;
    int64_t drain_left = 0;  // bursts of the current drain still to issue (0: serving reads)
    int64_t next_decision = INT64_MAX;
    int64_t last_decision = 0;
    int64_t rr_bank = 0;                      // round robin: the bank served first on a tie
    int64_t read_commands_until = 0;          // the last committed read's last column command
    std::vector<int64_t> queued_bank_bursts;  // per bank: bursts of reads not yet issued
    std::vector<int64_t> hit_run;             // per bank: bursts since its row opened
  };

  static Channel idle_channel(int64_t banks);
  // Decides channel `c` up to cycle `limit`, or until request `until` has finished.
  void decide(int64_t c, int64_t limit, int64_t until = -1);
  void accept_waiting_writes(Channel& ch, int64_t t);
  void segment_done(const Segment& s, const DramAccess& a);
  void write_accepted(int64_t request, int64_t bursts, int64_t t);
  bool finished(int64_t id) const;

  DramTimingCore core_;
  DramControllerParams p_;
  std::vector<Channel> channels_;
  std::unordered_map<int64_t, Request> requests_;
  std::vector<Finished> finished_;
  int64_t next_id_ = 0, next_seq_ = 0;
  std::vector<int64_t> per_bank_;  // scratch of decide()
};

}  // namespace h4h
