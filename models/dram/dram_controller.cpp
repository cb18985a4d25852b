#include "models/dram/dram_controller.h"

#include <algorithm>
#include <cassert>

namespace h4h {

DramController::Channel DramController::idle_channel(int64_t banks) {
  Channel ch;
  ch.hit_run.assign(banks, 0);
  ch.queued_bank_bursts.assign(banks, 0);
  return ch;
}

DramController::DramController(const DramTimingParams& timing, const DramControllerParams& p)
    : core_(timing), p_(p), channels_(timing.channels, idle_channel(timing.banks)) {}

void DramController::reset() {
  core_.reset();
  channels_.assign(channels_.size(), idle_channel(core_.params().banks));
  requests_.clear();
  finished_.clear();
  next_id_ = next_seq_ = 0;
}

int64_t DramController::submit(uint64_t addr, int64_t bytes, bool is_write, int64_t arrival) {
  assert(bytes > 0);
  const DramTimingParams& tp = core_.params();
  const int64_t id = next_id_++;
  Request& r = requests_[id];
  r.is_write = is_write;
  // Without a write buffer a write is scheduled, and completes, like a read.
  const bool posted = is_write && p_.write_buffer_bursts > 0;
  const uint64_t bb = static_cast<uint64_t>(tp.burst_bytes());
  const uint64_t first = addr / bb * bb;
  const uint64_t end = (addr + static_cast<uint64_t>(bytes) + bb - 1) / bb * bb;
  core_.count_bytes(is_write, static_cast<int64_t>(end - first));
  std::vector<int64_t> touched;
  for (uint64_t a = first; a < end;) {
    const DramAddress da = map_address(tp, a);
    const uint64_t row_end = a - static_cast<uint64_t>(da.column_byte) + tp.row_bytes;
    const uint64_t seg_end = std::min(end, row_end);
    const int64_t bursts = static_cast<int64_t>((seg_end - a) / bb);
    Channel& ch = channels_[da.channel];
    // The request reaches the scheduler after the controller's front end.
    const Segment s{id,          da.bank, da.row, bursts, arrival + p_.frontend_cycles,
                    next_seq_++, is_write};
    if (posted) {
      ch.writes_waiting.push_back(s);
      r.waiting_bursts += bursts;
    } else {
      ch.reads.push_back(s);
      ch.queued_bank_bursts[da.bank] += bursts;
      ++r.segments_left;
    }
    ch.next_decision = std::min(ch.next_decision, std::max(s.arrival, ch.last_decision));
    if (std::find(touched.begin(), touched.end(), da.channel) == touched.end())
      touched.push_back(da.channel);
    a = seg_end;
  }
  if (posted)
    for (int64_t c : touched) accept_waiting_writes(channels_[c], arrival + p_.frontend_cycles);
  return id;
}

bool DramController::will_accept(uint64_t addr, bool is_write) const {
  const Channel& ch = channels_[map_address(core_.params(), addr).channel];
  if (is_write && p_.write_buffer_bursts > 0)
    return ch.writes_waiting.empty() && ch.buffered_bursts < p_.write_buffer_bursts;
  // What does not fit its bank's command queue waits in the transaction queue.
  int64_t waiting = 0;
  for (int64_t b : ch.queued_bank_bursts) waiting += std::max<int64_t>(0, b - p_.bank_queue_bursts);
  return waiting < p_.read_queue_bursts;
}

void DramController::accept_waiting_writes(Channel& ch, int64_t t) {
  // The buffer takes waiting writes in arrival order, a burst at a time as room frees.
  while (!ch.writes_waiting.empty()) {
    const int64_t room = p_.write_buffer_bursts - ch.buffered_bursts;
    if (room <= 0) break;
    Segment& s = ch.writes_waiting.front();
    Segment part = s;
    part.bursts = std::min(room, s.bursts);
    part.arrival = std::max(s.arrival, t);
    ch.writes.push_back(part);
    ch.buffered_bursts += part.bursts;
    write_accepted(s.request, part.bursts, part.arrival);
    s.bursts -= part.bursts;
    if (s.bursts == 0) ch.writes_waiting.pop_front();
  }
}

void DramController::write_accepted(int64_t request, int64_t bursts, int64_t t) {
  Request& r = requests_.at(request);
  r.access.first_data_cycle = std::min(r.access.first_data_cycle, t);
  r.access.done_cycle = std::max(r.access.done_cycle, t);
  r.waiting_bursts -= bursts;
  if (r.waiting_bursts == 0) {
    finished_.push_back({request, r.access});
    requests_.erase(request);
  }
}

void DramController::segment_done(const Segment& s, const DramAccess& a) {
  Request& r = requests_.at(s.request);
  r.access.first_data_cycle = std::min(r.access.first_data_cycle, a.first_data_cycle);
  r.access.done_cycle = std::max(r.access.done_cycle, a.done_cycle);
  if (--r.segments_left == 0) {
    finished_.push_back({s.request, r.access});
    requests_.erase(s.request);
  }
}

bool DramController::finished(int64_t id) const { return requests_.count(id) == 0; }

void DramController::decide(int64_t c, int64_t limit, int64_t until) {
  Channel& ch = channels_[c];
  auto has_part_of = [&](const std::deque<Segment>& q) {
    return std::any_of(q.begin(), q.end(), [&](const Segment& s) { return s.request == until; });
  };
  while (true) {
    if (until >= 0 &&
        (finished(until) || (!has_part_of(ch.reads) && !has_part_of(ch.writes_waiting))))
      return;
    if (ch.reads.empty() && ch.writes.empty()) {
      ch.next_decision = INT64_MAX;
      return;
    }
    const int64_t t = std::max(ch.next_decision, ch.last_decision);
    if (t > limit) return;
    core_.refresh_to(c, t);
    // A read still has column commands to issue while its segment's last burst has not gone:
    // the command queue is not empty until then (a segment is committed at its first).
    const bool read_waiting =
        (!ch.reads.empty() && ch.reads.front().arrival <= t) || ch.read_commands_until > t;
    if (ch.drain_left == 0 && !ch.writes.empty()) {
      // Only the writes the buffer holds by t count (one submitted ahead of its arrival must
      // not start a drain early).
      int64_t held = 0;
      for (const Segment& w : ch.writes) held += w.arrival <= t ? w.bursts : 0;
      const bool full = held >= p_.write_buffer_bursts;
      const bool idle = !read_waiting && held > p_.idle_drain_bursts;
      if (full || idle) {
        ch.drain_left = held;
        // A buffered write becomes schedulable when its drain starts, not when the buffer
        // took it: its commands cannot be placed in the idle time before this decision.
        for (Segment& w : ch.writes) w.arrival = std::max(w.arrival, t);
      }
    }
    const bool draining = ch.drain_left > 0;
    std::deque<Segment>& q = draining ? ch.writes : ch.reads;
    if (q.empty() || q.front().arrival > t) {
      // Nothing may go at t: wait for the next arrival. Buffered writes below the drain
      // threshold wait for company (a read, or enough writes to drain).
      ch.next_decision = ch.reads.empty() ? INT64_MAX : std::max(ch.reads.front().arrival, t + 1);
      if (draining && !ch.writes.empty())
        ch.next_decision = std::min(ch.next_decision, std::max(ch.writes.front().arrival, t + 1));
      // A write yet to arrive may bring the buffer to a drain.
      for (const Segment& w : ch.writes)
        if (w.arrival > t) {
          ch.next_decision = std::min(ch.next_decision, w.arrival);
          break;
        }
      if (ch.next_decision == INT64_MAX) return;
      continue;
    }
    // First ready: of the requests that have arrived, the one whose data can move first; on
    // ties (common when the data bus is the bottleneck) the bank next in round-robin order,
    // then the oldest, as DRAMsim3 scans its bank queues round robin. Its bank's ACT/PRE go
    // as early as the bank's rules and the request's own arrival allow (banks prepare in
    // parallel; for a buffered write, its drain's start); the choice is committed only when its
    // column command issues, so a request arriving meanwhile whose data could go sooner
    // still can. The scheduler chooses among each bank's command queue: the oldest
    // bank_queue_bursts to it (DRAMsim3's PER_BANK queues of 8; one request larger than that
    // enters alone). While the write buffer drains, only writes go. (Letting the reads
    // already queued go too, as DRAMsim3's shared command queues do, made the 50/50 mix
    // 7-14 % optimistic at 16-64 outstanding: our first-ready choice across banks serves
    // them faster than its per-bank round robin.)
    const int64_t banks = core_.params().banks;
    per_bank_.assign(2 * banks, 0);  // [bank]: bursts queued; [banks + bank]: an older miss
    std::deque<Segment>* best_q = nullptr;
    size_t best = 0;
    int64_t best_data = INT64_MAX, best_rank = INT64_MAX;
    auto consider = [&](std::deque<Segment>& q) {
      for (size_t k = 0; k < q.size() && q[k].arrival <= t; ++k) {
        const Segment& s = q[k];
        if (per_bank_[s.bank] >= p_.bank_queue_bursts) continue;
        per_bank_[s.bank] += s.bursts;
        const bool hit = core_.row_open(c, s.bank, s.row);
        if (!hit) per_bank_[banks + s.bank] = 1;
        // Row hits go first, but after row_hit_cap bursts of them an older miss to the bank
        // closes the row as soon as the bank allows a PRE (DRAMsim3 caps at 4; until tRAS and
        // tRTP allow the PRE, hits keep going), so one stream cannot starve another.
        if (hit && per_bank_[banks + s.bank] && ch.hit_run[s.bank] >= p_.row_hit_cap &&
            core_.precharge_ready_cycle(c, s.bank) <= t)
          continue;
        const int64_t data =
            core_.probe(c, s.bank, s.row, s.bursts, s.write, s.arrival).first_data_cycle;
        const int64_t rank = (s.bank - ch.rr_bank + banks) % banks;
        if (data < best_data || (data == best_data && rank < best_rank)) {
          best_data = data;
          best_rank = rank;
          best_q = &q;
          best = k;
        }
      }
    };
    consider(draining ? ch.writes : ch.reads);
    assert(best_q);  // the oldest arrived request of the queue is always a candidate
    const bool buffered = best_q == &ch.writes;
    const bool is_write = (*best_q)[best].write;
    const int64_t latency = is_write ? core_.params().tcwl_cycles : core_.params().tcl_cycles;
    // Wait for the column command's time unless a refresh falls due first: a refresh closes
    // the rows the plan counted on and would postpone the choice again and again (at a long
    // tCK every interval), so the choice is made now and the refresh waits for it (JEDEC
    // lets a refresh be postponed).
    if (best_data - latency > t && best_data - latency < core_.next_refresh_cycle(c)) {
      ch.next_decision = best_data - latency;
      continue;
    }
    const Segment s = (*best_q)[best];
    ch.hit_run[s.bank] =
        core_.row_open(c, s.bank, s.row) ? ch.hit_run[s.bank] + s.bursts : s.bursts;
    best_q->erase(best_q->begin() + static_cast<std::ptrdiff_t>(best));
    ch.rr_bank = (s.bank + 1) % banks;
    const DramAccess a = core_.issue(c, s.bank, s.row, s.bursts, is_write, s.arrival);
    ch.last_decision = t;
    ch.next_decision = t;
    if (buffered) {
      ch.buffered_bursts -= s.bursts;
      ch.drain_left = std::max<int64_t>(0, ch.drain_left - s.bursts);
      accept_waiting_writes(ch, t);
    } else {
      ch.queued_bank_bursts[s.bank] -= s.bursts;
      segment_done(s, a);
      if (!is_write)
        ch.read_commands_until =
            a.first_data_cycle - latency + (s.bursts - 1) * core_.params().burst_cycles();
    }
  }
}

void DramController::advance_to(int64_t t) {
  for (int64_t c = 0; c < static_cast<int64_t>(channels_.size()); ++c) decide(c, t);
}

int64_t DramController::next_decision_cycle() const {
  int64_t t = INT64_MAX;
  for (const auto& ch : channels_)
    if (!ch.reads.empty() || !ch.writes.empty())
      t = std::min(t, std::max(ch.next_decision, ch.last_decision));
  return t;
}

std::vector<DramController::Finished> DramController::take_finished() {
  std::vector<Finished> out;
  out.swap(finished_);
  return out;
}

DramAccess DramController::access(uint64_t addr, int64_t bytes, bool is_write, int64_t now) {
  // Decisions due before `now` are taken without this request, as they would have been.
  if (now > 0) advance_to(now - 1);
  const int64_t id = submit(addr, bytes, is_write, now);
  for (int64_t c = 0; c < static_cast<int64_t>(channels_.size()) && !finished(id); ++c)
    decide(c, INT64_MAX, id);
  assert(finished(id));
  return take_one(finished_, id);
}

DramAccess DramController::take_one(std::vector<Finished>& finished, int64_t id) {
  for (size_t k = finished.size(); k-- > 0;)
    if (finished[k].id == id) {
      const DramAccess a = finished[k].access;
      finished.erase(finished.begin() + static_cast<std::ptrdiff_t>(k));
      return a;
    }
  assert(false);
  return {};
}

}  // namespace h4h
