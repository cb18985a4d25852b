#include "models/dram/dram_cycle_controller.h"

#include <algorithm>
#include <cassert>

namespace h4h {

DramCycleController::DramCycleController(const DramTimingParams& timing,
                                         const DramControllerParams& p)
    : tp_(timing),
      p_(p),
      trefi_(timing.trefi_cycles()),
      trfc_(timing.trfc_cycles()),
      // A transaction added in one tCK moves to its bank queue in that tCK's scheduling step
      // at the earliest, so its first command goes at the next: one tCK is the least.
      frontend_(std::max<int64_t>(1, p.frontend_cycles)) {
  assert(tp_.channels > 0 && tp_.banks > 0 && tp_.row_bytes % tp_.burst_bytes() == 0);
  reset();
}

void DramCycleController::reset() {
  channels_.assign(tp_.channels, Channel{});
  for (Channel& ch : channels_) {
    ch.banks.resize(tp_.banks);
    for (auto& count : ch.queue_bank_count) count.assign(tp_.banks, 0);
  }
  requests_.clear();
  finished_.clear();
  clk_ = next_id_ = 0;
  stats_ = DramStats{};
  segments_.clear();
  last_segment_.assign(tp_.channels, -1);
}

int64_t DramCycleController::submit(uint64_t addr, int64_t bytes, bool is_write, int64_t arrival) {
  assert(bytes > 0);
  arrival = std::max(arrival, clk_);
  // Every tCK before the arrival is simulated without this request, as it would have been.
  advance_to(arrival - 1);
  const int64_t id = next_id_++;
  const uint64_t bb = static_cast<uint64_t>(tp_.burst_bytes());
  const uint64_t first = addr / bb * bb;
  const uint64_t end = (addr + static_cast<uint64_t>(bytes) + bb - 1) / bb * bb;
  (is_write ? stats_.bytes_written : stats_.bytes_read) += static_cast<int64_t>(end - first);
  requests_[id].bursts_left = static_cast<int64_t>((end - first) / bb);
  const bool posted = is_write && p_.write_buffer_bursts > 0;
  for (uint64_t a = first; a < end; a += bb) {
    const DramAddress da = map_address(tp_, a);
    Channel& ch = channels_[da.channel];
    const Txn t{id, a, da.bank, da.row, is_write, 0};
    if (posted) {
      if (ch.writes_waiting.empty() &&
          static_cast<int64_t>(ch.writes.size()) < p_.write_buffer_bursts)
        accept_write(ch, t, arrival);
      else
        ch.writes_waiting.push_back(t);
    } else if (ch.reads_waiting.empty() &&
               static_cast<int64_t>(ch.reads.size()) < p_.read_queue_bursts) {
      enqueue(ch, t, arrival);
    } else {
      ch.reads_waiting.push_back(t);
    }
  }
  return id;
}

bool DramCycleController::will_accept(uint64_t addr, bool is_write) const {
  const Channel& ch = channels_[map_address(tp_, addr).channel];
  if (is_write && p_.write_buffer_bursts > 0)
    return ch.writes_waiting.empty() &&
           static_cast<int64_t>(ch.writes.size()) < p_.write_buffer_bursts;
  return ch.reads_waiting.empty() && static_cast<int64_t>(ch.reads.size()) < p_.read_queue_bursts;
}

void DramCycleController::enqueue(Channel& ch, Txn t, int64_t c) {
  if (!t.write) {
    // A read of a posted write's address is served from the write buffer.
    if (ch.pending_writes.count(t.addr)) {
      burst_done(t.request, c + frontend_, c + frontend_);
      return;
    }
    // A second read of an address already queued waits for the same READ.
    auto [it, fresh] = ch.pending_reads.try_emplace(t.addr);
    it->second.push_back(t.request);
    if (!fresh) return;
  }
  t.eligible = c + frontend_ - 1;
  ch.reads.push_back(t);
  ++ch.queue_bank_count[0][static_cast<size_t>(t.bank)];
}

void DramCycleController::accept_write(Channel& ch, Txn t, int64_t c) {
  // Posted: done for the requester once buffered; a write to an address already buffered
  // merges into it.
  if (ch.pending_writes.insert(t.addr).second) {
    t.eligible = c + frontend_ - 1;
    ch.writes.push_back(t);
    ++ch.queue_bank_count[1][static_cast<size_t>(t.bank)];
  }
  burst_done(t.request, c + frontend_, c + frontend_);
}

void DramCycleController::burst_done(int64_t request, int64_t first_data, int64_t done) {
  auto it = requests_.find(request);
  assert(it != requests_.end());
  Request& r = it->second;
  r.access.first_data_cycle = std::min(r.access.first_data_cycle, first_data);
  r.access.done_cycle = std::max(r.access.done_cycle, done);
  if (--r.bursts_left == 0) {
    finished_.push_back({request, r.access});
    requests_.erase(it);
  }
}

bool DramCycleController::movable(const Channel& ch, bool writes) const {
  // Cheaper than scanning the queue when every bank it holds transactions for is full.
  const std::vector<int64_t>& count = ch.queue_bank_count[writes ? 1 : 0];
  for (size_t b = 0; b < ch.banks.size(); ++b)
    if (count[b] > 0 && static_cast<int64_t>(ch.banks[b].queue.size()) < p_.bank_queue_bursts)
      return true;
  return false;
}

bool DramCycleController::channel_idle(const Channel& ch) const {
  if (ch.queued > 0 || !ch.reads.empty() || !ch.reads_waiting.empty() ||
      !ch.writes_waiting.empty() || ch.refreshes_due > 0)
    return false;
  // Buffered writes below both drain thresholds wait for company; anything else moves.
  const int64_t held = static_cast<int64_t>(ch.writes.size());
  return held == 0 ||
         (ch.drain_left == 0 && held <= p_.idle_drain_bursts && held < p_.write_buffer_bursts);
}

bool DramCycleController::idle() const {
  return std::all_of(channels_.begin(), channels_.end(),
                     [&](const Channel& ch) { return channel_idle(ch); });
}

int64_t DramCycleController::next_decision_cycle() const { return idle() ? INT64_MAX : clk_; }

void DramCycleController::advance_to(int64_t t) {
  while (clk_ <= t) step(t);
}

void DramCycleController::step(int64_t t, int64_t watch) {
  // The next refresh falls due at a multiple of tREFI: that tCK is always simulated.
  const int64_t refresh_due = tp_.refresh && trefi_ > 0
                                  ? std::max(trefi_, (clk_ + trefi_ - 1) / trefi_ * trefi_)
                                  : INT64_MAX;
  if (idle()) {
    // Nothing moves until the next refresh falls due (or past t): skip the quiet tCKs.
    const int64_t next = std::min(t + 1, refresh_due);
    if (next > clk_) {
      clk_ = next;
      return;
    }
  }
  for (size_t c = 0; c < channels_.size(); ++c) tick(channels_[c], clk_, static_cast<int64_t>(c));
  ++clk_;
  // A blocking access ends at the tCK its request finishes: the next may arrive right after.
  if (watch >= 0 && !requests_.count(watch)) return;
  // Nothing changes until a timing rule, an arrival, a drain or a refresh lets something
  // happen: jump there (exact, only faster than stepping).
  int64_t next = std::min(t + 1, refresh_due);
  for (const Channel& ch : channels_) next = std::min(next, next_event(ch));
  if (next != INT64_MAX) clk_ = std::max(clk_, next);  // (unbounded and idle: stay)
}

int64_t DramCycleController::next_event(const Channel& ch) const {
  int64_t e = INT64_MAX;
  // The port, when its queue has room (the room freed in the last tCK was taken then).
  if ((!ch.reads_waiting.empty() && static_cast<int64_t>(ch.reads.size()) < p_.read_queue_bursts) ||
      (!ch.writes_waiting.empty() &&
       static_cast<int64_t>(ch.writes.size()) < p_.write_buffer_bursts))
    return clk_;
  // A drain about to start.
  const int64_t held = static_cast<int64_t>(ch.writes.size());
  if (ch.drain_left == 0 && p_.write_buffer_bursts > 0 &&
      (held >= p_.write_buffer_bursts || (held > p_.idle_drain_bursts && ch.queued == 0)))
    return clk_;
  // A transaction waiting to move into its bank's queue.
  const bool draining = ch.drain_left > 0;
  const std::deque<Txn>& q = draining ? ch.writes : ch.reads;
  if (movable(ch, draining))
    for (const Txn& t : q)
      if (static_cast<int64_t>(ch.banks[t.bank].queue.size()) < p_.bank_queue_bursts) {
        e = std::min(e, t.eligible);
        break;
      }
  if (ch.refreshes_due > 0) {
    // The refresh's PREs, then its REF.
    int64_t ref = 0;
    bool open = false;
    for (const Bank& b : ch.banks) {
      if (b.open_row >= 0) {
        open = true;
        e = std::min(e, b.ready[kPre]);
      }
      ref = std::max(ref, b.ready[kRef]);
    }
    return open ? e : std::min(e, ref);
  }
  const int64_t window =
      ch.act_window.size() >= 4 ? ch.act_window.front() : 0;  // tFAW's next opening
  for (const Bank& b : ch.banks) {
    if (b.queue.empty()) continue;
    if (b.open_row < 0) {
      e = std::min(e, std::max(b.ready[kAct], window));
      continue;
    }
    for (size_t k = 0; k < b.queue.size(); ++k) {
      const Txn& t = b.queue[k];
      if (t.row == b.open_row)
        e = std::min(e, b.ready[t.write ? kWrite : kRead]);
      else if (k == 0)
        e = std::min(e, b.ready[kPre]);
    }
  }
  return e;
}

bool DramCycleController::tick(Channel& ch, int64_t c, int64_t channel) {
  bool acted = false;
  // 1. Refresh falls due every tREFI.
  if (tp_.refresh && trefi_ > 0 && c > 0 && c % trefi_ == 0) {
    ++ch.refreshes_due;
    acted = true;
  }

  // 2. At most one command. A due refresh takes the channel: precharge the open banks (the
  //    first whose PRE is allowed), then REF once every bank may take it.
  if (ch.refreshes_due > 0) {
    bool all_ready = true, issued = false;
    for (Bank& b : ch.banks) {
      if (b.open_row >= 0) {
        if (c >= b.ready[kPre]) {
          precharge(b, c);
          b.opened_for_miss = false;
          issued = true;
          break;
        }
        all_ready = false;
      } else if (c < b.ready[kRef]) {
        all_ready = false;
      }
    }
    if (!issued && all_ready) {
      refresh(ch, c);
      --ch.refreshes_due;
      issued = true;
    }
    acted = acted || issued;
  } else {
    const int64_t banks = tp_.banks;
    for (int64_t i = 1; i <= banks; ++i) {
      const int64_t b = (ch.last_bank + i) % banks;
      if (issue_from(ch, b, c, channel)) {
        ch.last_bank = b;
        acted = true;
        break;
      }
    }
  }

  // 3. At most one transaction into the command queues: writes while the buffer drains.
  if (ch.drain_left == 0 && p_.write_buffer_bursts > 0) {
    const int64_t held = static_cast<int64_t>(ch.writes.size());
    if (held >= p_.write_buffer_bursts || (held > p_.idle_drain_bursts && ch.queued == 0)) {
      ch.drain_left = held;
      acted = true;
    }
  }
  const bool draining = ch.drain_left > 0;
  std::deque<Txn>& q = draining ? ch.writes : ch.reads;
  const bool any = movable(ch, draining);
  for (auto it = q.begin(); any && it != q.end() && it->eligible <= c; ++it) {
    Bank& b = ch.banks[it->bank];
    if (static_cast<int64_t>(b.queue.size()) >= p_.bank_queue_bursts) continue;
    if (draining) {
      // A buffered write waits for an older read of its address (read-after-write order):
      // the drain stops.
      if (ch.pending_reads.count(it->addr)) {
        ch.drain_left = 0;
        acted = true;
        break;
      }
      --ch.drain_left;
    }
    b.queue.push_back(*it);
    ++ch.queued;
    --ch.queue_bank_count[draining ? 1 : 0][static_cast<size_t>(it->bank)];
    q.erase(it);
    acted = true;
    break;
  }

  // 4. The port: room freed in this tCK takes waiting transactions, as arriving at the next
  //    (a requester sees the room after this tCK, as DRAMsim3's does after its tick).
  while (!ch.reads_waiting.empty() &&
         static_cast<int64_t>(ch.reads.size()) < p_.read_queue_bursts) {
    const Txn t = ch.reads_waiting.front();
    ch.reads_waiting.pop_front();
    enqueue(ch, t, c + 1);
    acted = true;
  }
  while (!ch.writes_waiting.empty() &&
         static_cast<int64_t>(ch.writes.size()) < p_.write_buffer_bursts) {
    const Txn t = ch.writes_waiting.front();
    ch.writes_waiting.pop_front();
    accept_write(ch, t, c + 1);
    acted = true;
  }
  return acted;
}

bool DramCycleController::issue_from(Channel& ch, int64_t bank, int64_t c, int64_t channel) {
  Bank& b = ch.banks[bank];
  for (size_t k = 0; k < b.queue.size(); ++k) {
    const Txn& t = b.queue[k];
    if (b.open_row < 0) {
      // Closed: the oldest's row opens (every entry needs the same ACT).
      const bool window_ok = ch.act_window.size() < 4 || c >= ch.act_window.front();
      if (c >= b.ready[kAct] && window_ok) {
        activate(ch, b, t.row, c);
        for (Bank& o : ch.banks)
          if (&o != &b) later(o, kAct, c + tp_.trrd_cycles);
        return true;
      }
      return false;
    }
    if (t.row == b.open_row) {
      if (c < b.ready[t.write ? kWrite : kRead]) continue;
      // A write never passes an older read of its own address.
      if (t.write && std::any_of(b.queue.begin(), b.queue.begin() + static_cast<std::ptrdiff_t>(k),
                                 [&](const Txn& o) { return !o.write && o.addr == t.addr; }))
        continue;
      const Txn issued = t;
      b.queue.erase(b.queue.begin() + static_cast<std::ptrdiff_t>(k));
      --ch.queued;
      issue_column(ch, b, issued, c, channel);
      return true;
    }
    // A miss: only the oldest may close the row, and only once no younger hit to the open
    // row waits or the row has served row_hit_cap column commands (no starvation).
    if (k > 0 || c < b.ready[kPre]) continue;
    const bool hit_waits = std::any_of(b.queue.begin() + 1, b.queue.end(),
                                       [&](const Txn& o) { return o.row == b.open_row; });
    if (hit_waits && b.column_commands < p_.row_hit_cap) continue;
    precharge(b, c);
    b.opened_for_miss = true;
    return true;
  }
  return false;
}

void DramCycleController::activate(Channel& ch, Bank& b, int64_t row, int64_t c) {
  // tFAW: the window holds when each of the last four ACTs stops counting.
  if (!ch.act_window.empty() && c >= ch.act_window.front()) ch.act_window.pop_front();
  ch.act_window.push_back(c + tp_.tfaw_cycles);
  b.open_row = row;
  b.column_commands = 0;
  later(b, kAct, c + tp_.tras_cycles + tp_.trp_cycles);  // tRC
  later(b, kRead, c + tp_.trcd_cycles);
  later(b, kWrite, c + tp_.trcd_cycles);
  later(b, kPre, c + tp_.tras_cycles);
  ++stats_.activates;
  ++(b.opened_for_miss ? stats_.row_misses : stats_.row_empty);
  b.opened_for_miss = false;
}

void DramCycleController::issue_column(Channel& ch, Bank& b, const Txn& t, int64_t c,
                                       int64_t channel) {
  const int64_t burst = tp_.burst_cycles();  // tCCD = BL/2
  for (Bank& o : ch.banks) {
    if (t.write) {
      later(o, kRead, c + tp_.write_to_read_cycles());
      later(o, kWrite, c + burst);
    } else {
      later(o, kRead, c + burst);
      later(o, kWrite, c + tp_.read_to_write_cycles());
    }
  }
  later(b, kPre, c + (t.write ? tp_.write_to_precharge_cycles() : tp_.read_to_precharge_cycles()));
  if (b.column_commands++ > 0) ++stats_.row_hits;
  ++stats_.bursts;
  const int64_t first = c + (t.write ? tp_.tcwl_cycles : tp_.tcl_cycles);
  const int64_t done = first + burst;
  if (record_segments) {
    // A row hit whose data follows its channel's previous burst without a gap extends that
    // trace segment (a stream is one slice, as in the segment model, not one per burst).
    const bool hit = b.column_commands > 1;
    int64_t& last = last_segment_[static_cast<size_t>(channel)];
    if (hit && last >= 0 && segments_[static_cast<size_t>(last)].done_cycle == first) {
      segments_[static_cast<size_t>(last)].done_cycle = done;
      ++segments_[static_cast<size_t>(last)].bursts;
    } else {
      last = static_cast<int64_t>(segments_.size());
      segments_.push_back({channel, first, done, 1, hit});
    }
  }
  if (!t.write) {
    auto it = ch.pending_reads.find(t.addr);
    assert(it != ch.pending_reads.end());
    const std::vector<int64_t> waiting = std::move(it->second);
    ch.pending_reads.erase(it);
    for (int64_t id : waiting) burst_done(id, first, done);
  } else if (p_.write_buffer_bursts > 0) {
    ch.pending_writes.erase(t.addr);
  } else {
    burst_done(t.request, first, done);  // not posted: done when written
  }
}

void DramCycleController::precharge(Bank& b, int64_t c) {
  b.open_row = -1;
  b.column_commands = 0;
  later(b, kAct, c + tp_.trp_cycles);
  later(b, kRef, c + tp_.trp_cycles);
}

void DramCycleController::refresh(Channel& ch, int64_t c) {
  for (Bank& b : ch.banks) {
    later(b, kAct, c + trfc_);
    later(b, kRef, c + trfc_);
  }
  ++stats_.refreshes;
}

std::vector<DramController::Finished> DramCycleController::take_finished() {
  std::vector<DramController::Finished> out;
  out.swap(finished_);
  return out;
}

DramAccess DramCycleController::access(uint64_t addr, int64_t bytes, bool is_write, int64_t now) {
  const int64_t id = submit(addr, bytes, is_write, now);
  while (requests_.count(id)) step(INT64_MAX - 1, id);
  return DramController::take_one(finished_, id);
}

}  // namespace h4h
