#include "models/dram/dram_timing.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace h4h {

DramAddress map_address(const DramTimingParams& p, uint64_t addr) {
  DramAddress a;
  const uint64_t row_bytes = static_cast<uint64_t>(p.row_bytes);
  a.column_byte = static_cast<int64_t>(addr % row_bytes);
  uint64_t rest = addr / row_bytes;
  a.channel = static_cast<int64_t>(rest % static_cast<uint64_t>(p.channels));
  rest /= static_cast<uint64_t>(p.channels);
  a.bank = static_cast<int64_t>(rest % static_cast<uint64_t>(p.banks));
  a.row = static_cast<int64_t>(rest / static_cast<uint64_t>(p.banks));
  return a;
}

int64_t DramTimingParams::trefi_cycles() const {
  return static_cast<int64_t>(std::floor(trefi_ns * 1000.0 / static_cast<double>(tck_ps)));
}
int64_t DramTimingParams::trfc_cycles() const {
  return static_cast<int64_t>(std::ceil(trfc_ns * 1000.0 / static_cast<double>(tck_ps)));
}
double DramTimingParams::peak_bytes_per_ns() const {
  // Double data rate: two beats of bus_width_bits per tCK, on every channel.
  return channels * (bus_width_bits / 8.0) * 2.0 / (tck_ps / 1000.0);
}

DramTimingCore::DramTimingCore(const DramTimingParams& p)
    : p_(p), trefi_cycles_(p.trefi_cycles()), trfc_cycles_(p.trfc_cycles()) {
  assert(p.channels > 0 && p.banks > 0 && p.row_bytes % p.burst_bytes() == 0);
  channels_.resize(p.channels);
  for (auto& ch : channels_) {
    ch.banks.resize(p.banks);
    ch.next_refresh = trefi_cycles_;
  }
}

void DramTimingCore::reset() {
  for (auto& ch : channels_) {
    for (auto& b : ch.banks) b = Bank{};
    ch.bus_free = ch.read_ok = ch.write_ok = 0;
    ch.acts = {};
    ch.acts_seen = 0;
    ch.next_refresh = trefi_cycles_;
  }
  stats_ = DramStats{};
  segments_.clear();
}

int64_t DramTimingCore::refresh_until(Channel& ch, int64_t t) {
  if (!p_.refresh) return t;
  // Every refresh due before `t` precharges all banks (each no earlier than its own PRE
  // rules allow, then tRP) and holds the channel for tRFC.
  while (ch.next_refresh <= t) {
    int64_t start = std::max(ch.next_refresh, ch.bus_free);
    for (const auto& b : ch.banks)
      if (b.open_row >= 0) start = std::max(start, b.pre_ready + p_.trp_cycles);
    const int64_t end = start + trfc_cycles_;
    for (auto& b : ch.banks) {
      b.open_row = -1;
      b.col_ready = std::max(b.col_ready, end);
    }
    ch.bus_free = std::max(ch.bus_free, end);
    t = std::max(t, end);
    ch.next_refresh += trefi_cycles_;
    ++stats_.refreshes;
  }
  return t;
}

int64_t DramTimingCore::activate_time(const Channel& ch, int64_t t) const {
  // In-order issue: ACTs on a channel are in time order, so the last four are the window.
  if (ch.acts_seen > 0) t = std::max(t, ch.acts.back() + p_.trrd_cycles);
  if (ch.acts_seen >= 4) t = std::max(t, ch.acts.front() + p_.tfaw_cycles);
  return t;
}

DramTimingCore::Plan DramTimingCore::plan(const Channel& ch, int64_t bank_id, int64_t row,
                                          int64_t bursts, bool is_write, int64_t t) const {
  const Bank& b = ch.banks[bank_id];
  t = std::max(t, b.col_ready);
  Plan pl;
  pl.hit = b.open_row == row;
  int64_t col = t;
  if (!pl.hit) {
    pl.miss = b.open_row >= 0;
    pl.act = activate_time(ch, pl.miss ? std::max(t, b.pre_ready) + p_.trp_cycles : t);
    col = pl.act + p_.trcd_cycles;
  }
  col = std::max(col, is_write ? ch.write_ok : ch.read_ok);
  // The data bus takes one burst per BL/2 tCK; a command whose data would find it busy
  // issues later, so the bank's next command and its PRE count from the real issue time.
  const int64_t latency = is_write ? p_.tcwl_cycles : p_.tcl_cycles;
  pl.first_data = std::max(col + latency, ch.bus_free);
  pl.col = pl.first_data - latency;
  pl.done = pl.first_data + bursts * p_.burst_cycles();
  return pl;
}

DramAccess DramTimingCore::apply(Channel& ch, int64_t bank_id, int64_t row, int64_t bursts,
                                 bool is_write, const Plan& pl) {
  Bank& b = ch.banks[bank_id];
  if (pl.hit) {
    ++stats_.row_hits;
  } else {
    ++(pl.miss ? stats_.row_misses : stats_.row_empty);
    ++stats_.activates;
    std::rotate(ch.acts.begin(), ch.acts.begin() + 1, ch.acts.end());
    ch.acts.back() = pl.act;
    ++ch.acts_seen;
    b.open_row = row;
    b.pre_ready = pl.act + p_.tras_cycles;
  }
  const int64_t last_col = pl.col + (bursts - 1) * p_.burst_cycles();
  ch.bus_free = pl.done;
  b.col_ready = pl.col + bursts * p_.burst_cycles();
  if (is_write) {
    b.pre_ready = std::max(b.pre_ready, last_col + p_.write_to_precharge_cycles());
    ch.read_ok = std::max(ch.read_ok, last_col + p_.write_to_read_cycles());
  } else {
    b.pre_ready = std::max(b.pre_ready, last_col + p_.read_to_precharge_cycles());
    ch.write_ok = std::max(ch.write_ok, last_col + p_.read_to_write_cycles());
  }
  stats_.bursts += bursts;
  if (record_segments)
    segments_.push_back(
        {static_cast<int64_t>(&ch - channels_.data()), pl.first_data, pl.done, bursts, pl.hit});
  return {pl.first_data, pl.done};
}

DramAccess DramTimingCore::probe(int64_t channel, int64_t bank, int64_t row, int64_t bursts,
                                 bool is_write, int64_t now) const {
  const Plan pl = plan(channels_[channel], bank, row, bursts, is_write, now);
  return {pl.first_data, pl.done};
}

DramAccess DramTimingCore::issue(int64_t channel, int64_t bank, int64_t row, int64_t bursts,
                                 bool is_write, int64_t now) {
  Channel& ch = channels_[channel];
  const int64_t t = refresh_until(ch, std::max(now, ch.banks[bank].col_ready));
  return apply(ch, bank, row, bursts, is_write, plan(ch, bank, row, bursts, is_write, t));
}

void DramTimingCore::refresh_to(int64_t channel, int64_t t) {
  refresh_until(channels_[channel], t);
}

bool DramTimingCore::row_open(int64_t channel, int64_t bank, int64_t row) const {
  return channels_[channel].banks[bank].open_row == row;
}

int64_t DramTimingCore::precharge_ready_cycle(int64_t channel, int64_t bank) const {
  return channels_[channel].banks[bank].pre_ready;
}

int64_t DramTimingCore::next_refresh_cycle(int64_t channel) const {
  return p_.refresh ? channels_[channel].next_refresh : INT64_MAX;
}

void DramTimingCore::count_bytes(bool is_write, int64_t bytes) {
  (is_write ? stats_.bytes_written : stats_.bytes_read) += bytes;
}

DramAccess DramTimingCore::access(uint64_t addr, int64_t bytes, bool is_write, int64_t now) {
  assert(bytes > 0);
  const int64_t bb = p_.burst_bytes();
  // Burst-align the range: a partial burst still moves a whole burst.
  const uint64_t first = addr / static_cast<uint64_t>(bb) * static_cast<uint64_t>(bb);
  const uint64_t end = (addr + static_cast<uint64_t>(bytes) + bb - 1) / bb * bb;
  DramAccess result{INT64_MAX, now};
  for (uint64_t a = first; a < end;) {
    const DramAddress da = map_address(p_, a);
    const uint64_t row_end = a - static_cast<uint64_t>(da.column_byte) + p_.row_bytes;
    const uint64_t seg_end = std::min(end, row_end);
    const int64_t bursts = static_cast<int64_t>((seg_end - a) / static_cast<uint64_t>(bb));
    const DramAccess s = issue(da.channel, da.bank, da.row, bursts, is_write, now);
    result.first_data_cycle = std::min(result.first_data_cycle, s.first_data_cycle);
    result.done_cycle = std::max(result.done_cycle, s.done_cycle);
    a = seg_end;
  }
  count_bytes(is_write, static_cast<int64_t>(end - first));
  return result;
}

}  // namespace h4h
