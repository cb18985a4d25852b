// Drives h4hsim's two DRAM controllers (DramController, `segment`; DramCycleController,
// `cycle`) and DRAMsim3 with the same request streams and prints bandwidth and mean read
// latency side by side. Built and run by bench/dramsim3_compare.sh,
// which builds DRAMsim3 from a local copy of its public source (never part of this repo).
//
// Traffic: closed loop with N requests outstanding (a new one issues when one completes), the
// way a DMA engine or a core's MSHRs load a memory controller. DRAMsim3 posts writes (a write
// completes when its write buffer takes it); a request of R bytes is R / 32 DRAMsim3
// transactions of one x16 BL16 burst each and completes when all of them have.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "dramsim3.h"
#include "models/dram/dram_controller.h"
#include "models/dram/dram_cycle_controller.h"

namespace {

struct Request {
  uint64_t addr;
  bool write;
};

// Deterministic patterns over a 256 MiB span (many rows of every bank).
std::vector<Request> make_pattern(const std::string& name, int n, int bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const uint64_t span = uint64_t{256} << 20;
  std::vector<Request> out;
  for (int i = 0; i < n; ++i) {
    const uint64_t random_addr = rng() % (span / bytes) * bytes;
    const bool coin = (rng() & 1) != 0;
    if (name == "seq")
      out.push_back({uint64_t(i) * bytes, false});
    else if (name == "seq_write")
      out.push_back({uint64_t(i) * bytes, true});
    else if (name == "random")
      out.push_back({random_addr, false});
    else if (name == "random_rw")
      out.push_back({random_addr, coin});
    else if (name == "two_stream")  // two sequential readers whose rows share the banks
      out.push_back({(i % 2 ? span / 2 : 0) + uint64_t(i / 2) * bytes, false});
    else if (name == "copy")  // a DMA copy: read a stream, write another
      out.push_back({(i % 2 ? span / 2 : 0) + uint64_t(i / 2) * bytes, i % 2 == 1});
    else {
      std::fprintf(stderr, "unknown pattern %s\n", name.c_str());
      std::exit(2);
    }
  }
  return out;
}

struct Result {
  double gb_per_s = 0, read_latency_ns = 0;
};

const h4h::DramStats& stats_of(const h4h::DramController& c) { return c.core().stats(); }
const h4h::DramStats& stats_of(const h4h::DramCycleController& c) { return c.stats(); }

// Either of h4hsim's controllers: DramController (`segment`) or DramCycleController (`cycle`).
template <class Controller>
Result run_h4h(const h4h::DramTimingParams& p, const h4h::DramControllerParams& cp,
               const std::vector<Request>& reqs, int outstanding, int bytes) {
  // Event loop over the controller: completions and scheduling decisions in time order, a
  // completion first on a tie so that the request it frees is visible to that decision.
  Controller ctrl(p, cp);
  using Event = std::pair<int64_t, int64_t>;  // (done cycle, request id)
  std::priority_queue<Event, std::vector<Event>, std::greater<>> done;
  std::map<int64_t, std::pair<int64_t, bool>> issued;  // id -> (issue cycle, write)
  size_t next = 0;
  int64_t last = 0, clock = 0;
  double read_latency = 0, write_latency = 0, port_wait = 0;
  int reads = 0, writes = 0;
  // One in-order port, as the DRAMsim3 driver below: a request goes when a slot is free and
  // the controller has room for it (its read queue, or its write buffer for a write).
  std::deque<int64_t> free_slots(outstanding, 0);  // when each free slot freed
  // The DRAMsim3 driver below adds a request in the loop iteration after the tick that
  // freed its slot (or room): one tCK after, which this driver reproduces.
  constexpr int64_t kDriverCycles = 1;
  auto issue_ready = [&](int64_t t) {
    while (next < reqs.size() && !free_slots.empty() &&
           ctrl.will_accept(reqs[next].addr, reqs[next].write)) {
      const Request& r = reqs[next++];
      clock = std::max(clock, t);
      port_wait += static_cast<double>(clock - free_slots.front());
      issued[ctrl.submit(r.addr, bytes, r.write, clock)] = {free_slots.front(), r.write};
      free_slots.pop_front();
    }
  };
  issue_ready(0);
  size_t completed = 0;
  while (completed < reqs.size()) {
    for (const auto& f : ctrl.take_finished()) done.push({f.access.done_cycle, f.id});
    const int64_t t_done = done.empty() ? INT64_MAX : done.top().first;
    const int64_t t_decide = ctrl.next_decision_cycle();
    if (t_done == INT64_MAX && t_decide == INT64_MAX) {
      std::fprintf(stderr, "controller stalled with %zu of %zu done\n", completed, reqs.size());
      std::exit(1);
    }
    if (t_done <= t_decide) {
      const auto [t, id] = done.top();
      done.pop();
      const auto [at, write] = issued.at(id);
      issued.erase(id);
      last = std::max(last, t);
      if (!write) {
        read_latency += static_cast<double>(t - at);
        ++reads;
      } else {
        write_latency += static_cast<double>(t - at);
        ++writes;
      }
      ++completed;
      free_slots.push_back(t);
      issue_ready(t + kDriverCycles);
    } else {
      ctrl.advance_to(t_decide);
      issue_ready(t_decide + kDriverCycles);  // room may have freed
    }
  }
  if (std::getenv("H4H_DRAM_DEBUG")) {
    const auto& st = stats_of(ctrl);
    std::fprintf(stderr,
                 "h4hsim: acts %lld hits %lld misses %lld empty %lld refreshes %lld; mean write "
                 "latency %.1f tCK, port wait %.1f\n",
                 (long long)st.activates, (long long)st.row_hits, (long long)st.row_misses,
                 (long long)st.row_empty, (long long)st.refreshes,
                 writes ? write_latency / writes : 0.0, port_wait / reqs.size());
  }
  const double tck_ns = p.tck_ps / 1000.0;
  return {static_cast<double>(reqs.size()) * bytes / (last * tck_ns),
          reads ? read_latency / reads * tck_ns : 0};
}

Result run_dramsim3(const std::string& ini, const std::string& out_dir,
                    const std::vector<Request>& reqs, int outstanding, int bytes) {
  struct Pending {
    int parts_left;
    uint64_t issued;
    bool write;
  };
  std::vector<Pending> pending(reqs.size());
  std::map<uint64_t, std::deque<size_t>> by_addr[2];  // transaction address -> requests
  uint64_t clk = 0, last = 0;
  int in_flight = 0;
  std::deque<uint64_t> free_slots;  // when each free request slot became free
  double read_latency = 0, write_latency = 0;
  int reads = 0, writes = 0;
  auto done = [&](uint64_t addr, bool write) {
    auto& q = by_addr[write][addr];
    const size_t id = q.front();
    q.pop_front();
    if (--pending[id].parts_left == 0) {
      --in_flight;
      free_slots.push_back(clk);
      last = clk;
      if (!write) {
        read_latency += static_cast<double>(clk - pending[id].issued);
        ++reads;
      } else {
        write_latency += static_cast<double>(clk - pending[id].issued);
        ++writes;
      }
    }
  };
  // Through the factory: the public header does not declare the class's members, so an
  // object of it must not live on our stack.
  std::unique_ptr<dramsim3::MemorySystem> owner(dramsim3::GetMemorySystem(
      ini, out_dir, [&](uint64_t a) { done(a, false); }, [&](uint64_t a) { done(a, true); }));
  dramsim3::MemorySystem& mem = *owner;
  const int burst_bytes = mem.GetBusBits() / 8 * mem.GetBurstLength();
  const int parts = bytes / burst_bytes;
  size_t next = 0;
  int part = 0;  // transactions of request `next` already added
  // A request's latency counts from when the requester could issue it (its slot freed), so
  // time spent waiting for room in DRAMsim3's queues counts, as it does in ours.
  free_slots.assign(outstanding, 0);
  uint64_t blocked[2] = {0, 0};
  double port_wait = 0;
  while (next < reqs.size() || in_flight > 0) {
    while (next < reqs.size() && (part > 0 || !free_slots.empty())) {
      const Request& r = reqs[next];
      const uint64_t a = r.addr + uint64_t(part) * burst_bytes;
      if (!mem.WillAcceptTransaction(a, r.write)) {
        ++blocked[r.write];
        break;
      }
      if (part == 0) {
        pending[next] = {parts, free_slots.front(), r.write};
        port_wait += static_cast<double>(clk - free_slots.front());
        free_slots.pop_front();
        ++in_flight;
      }
      by_addr[r.write][a].push_back(next);
      mem.AddTransaction(a, r.write);
      if (++part == parts) {
        part = 0;
        ++next;
      }
    }
    mem.ClockTick();
    ++clk;
  }
  if (std::getenv("H4H_DRAM_DEBUG")) {
    mem.PrintStats();
    std::fprintf(stderr,
                 "DRAMsim3: mean write latency %.1f tCK; port blocked by a read %llu, by a write "
                 "%llu of %llu cycles, port wait %.1f\n",
                 writes ? write_latency / writes : 0.0, (unsigned long long)blocked[0],
                 (unsigned long long)blocked[1], (unsigned long long)clk, port_wait / reqs.size());
  }
  const double tck_ns = mem.GetTCK();
  return {static_cast<double>(reqs.size()) * bytes / (last * tck_ns),
          reads ? read_latency / reads * tck_ns : 0};
}

// The controller's defaults, or H4H_DRAM_CONTROLLER="key=value,..." (the dram.controller.*
// keys without their prefix) to try other settings against DRAMsim3.
h4h::DramControllerParams controller_params() {
  h4h::DramControllerParams cp;
  const char* spec = std::getenv("H4H_DRAM_CONTROLLER");
  if (!spec) return cp;
  const std::map<std::string, int64_t*> keys = {
      {"bank_queue_bursts", &cp.bank_queue_bursts}, {"read_queue_bursts", &cp.read_queue_bursts},
      {"write_buffer_bursts", &cp.write_buffer_bursts}, {"idle_drain_bursts", &cp.idle_drain_bursts},
      {"row_hit_cap", &cp.row_hit_cap}, {"frontend_cycles", &cp.frontend_cycles}};
  std::string rest = spec;
  while (!rest.empty()) {
    const std::string item = rest.substr(0, rest.find(','));
    rest = item.size() < rest.size() ? rest.substr(item.size() + 1) : "";
    const size_t eq = item.find('=');
    const auto it = keys.find(item.substr(0, eq));
    if (eq == std::string::npos || it == keys.end()) {
      std::fprintf(stderr, "H4H_DRAM_CONTROLLER: unknown setting '%s'\n", item.c_str());
      std::exit(2);
    }
    *it->second = std::atoll(item.c_str() + eq + 1);
  }
  return cp;
}

}  // namespace

// compare <dramsim3.ini> <out_dir> <grade label> <tck_ps> <RL> <WL> <tRCD> <tRP> <tRAS> <tWR>
//         <tWTR> <tRTP> <tRRD> <tFAW> <tREFI_ns> <tRFC_ns>
int main(int argc, char** argv) {
  if (argc != 17) {
    std::fprintf(stderr, "usage: see bench/dramsim3_compare.sh\n");
    return 2;
  }
  h4h::DramTimingParams p;
  p.channels = 2;
  p.banks = 8;
  p.row_bytes = 2048;
  p.burst_length = 16;
  p.bus_width_bits = 16;
  p.tck_ps = std::atoll(argv[4]);
  p.tcl_cycles = std::atoll(argv[5]);
  p.tcwl_cycles = std::atoll(argv[6]);
  p.trcd_cycles = std::atoll(argv[7]);
  p.trp_cycles = std::atoll(argv[8]);
  p.tras_cycles = std::atoll(argv[9]);
  p.twr_cycles = std::atoll(argv[10]);
  p.twtr_cycles = std::atoll(argv[11]);
  p.trtp_cycles = std::atoll(argv[12]);
  p.trrd_cycles = std::atoll(argv[13]);
  p.tfaw_cycles = std::atoll(argv[14]);
  p.refresh = true;
  p.trefi_ns = std::atof(argv[15]);
  p.trfc_ns = std::atof(argv[16]);
  const std::string grade = argv[3];
  const int n =
      std::getenv("H4H_DRAM_REQUESTS") ? std::atoi(std::getenv("H4H_DRAM_REQUESTS")) : 20000;
  std::printf(
      "| grade | pattern | req B | outstanding | DRAMsim3 GB/s | segment GB/s | BW err | cycle "
      "GB/s | BW err | DRAMsim3 read ns | segment read ns | latency err | cycle read ns | "
      "latency err |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  struct Case {
    const char* pattern;
    int bytes;
  };
  const Case cases[] = {{"seq", 64},       {"random", 64},     {"random", 32},
                        {"random_rw", 64}, {"two_stream", 64}, {"copy", 64}};
  // H4H_DRAM_CASE=pattern and H4H_DRAM_OUTSTANDING=N narrow the table to one row (debugging).
  const char* only_case = std::getenv("H4H_DRAM_CASE");
  const char* only_depth = std::getenv("H4H_DRAM_OUTSTANDING");
  for (const Case& c : cases) {
    if (only_case && std::string(only_case) != c.pattern) continue;
    const auto reqs = make_pattern(c.pattern, n, c.bytes, 42);
    for (int outstanding : {1, 4, 16, 64}) {
      if (only_depth && std::atoi(only_depth) != outstanding) continue;
      const Result d = run_dramsim3(argv[1], argv[2], reqs, outstanding, c.bytes);
      const Result h =
          run_h4h<h4h::DramController>(p, controller_params(), reqs, outstanding, c.bytes);
      const Result y =
          run_h4h<h4h::DramCycleController>(p, controller_params(), reqs, outstanding, c.bytes);
      auto err = [](double ours, double ref) { return ref > 0 ? (ours - ref) / ref * 100 : 0.0; };
      std::printf(
          "| %s | %s | %d | %d | %.2f | %.2f | %+.1f %% | %.2f | %+.1f %% | %.1f | %.1f | %+.1f %% "
          "| %.1f | %+.1f %% |\n",
          grade.c_str(), c.pattern, c.bytes, outstanding, d.gb_per_s, h.gb_per_s,
          err(h.gb_per_s, d.gb_per_s), y.gb_per_s, err(y.gb_per_s, d.gb_per_s), d.read_latency_ns,
          h.read_latency_ns, err(h.read_latency_ns, d.read_latency_ns), y.read_latency_ns,
          err(y.read_latency_ns, d.read_latency_ns));
      std::fflush(stdout);
    }
  }
  return 0;
}
