#!/usr/bin/env python3
"""More resources never cost time: steps each resource key of an arch config up from less to
more (`h4hsim run --set KEY=V --json`) on several networks and schemas, and prints every step
whose latency rises by more than TOL (default 0.05 %), then a count.

The candidates of `auto` (`--search-runs 0`) and the fixed schemas are expected to pass; the
local search of `auto` can end in another local optimum when a resource grows (a few steps of
~1 % on branchy networks, docs/simulation.md), and SCALE-Sim's fold rule makes a larger array
slower on depthwise layers (`npu.array.*`, left out of the default keys for that reason).

Usage: H4H_BUILD_DIR=build bench/monotonicity.py [--arch A] [--models m1,m2] [--quick]
  [--schemas "npu_only,hetero_parallel,auto0,auto"] [--jobs N]
"""
import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
H4H = os.path.join(os.environ.get("H4H_BUILD_DIR", os.path.join(ROOT, "build")), "cli", "h4hsim")
TOL = float(os.environ.get("TOL", "0.0005"))

# (key, values from least to most resource)
KEYS = [
    ("memory.global_buffer_kib", [0, 256, 512, 1024, 2048, 4096]),
    ("memory.global_buffer_banks", [4, 16, 64]),
    ("memory.global_buffer_bank_width_bytes", [1, 4, 16]),
    ("npu.sram.ifmap_kib", [64, 256, 1024]), ("npu.sram.filter_kib", [32, 256, 1024]),
    ("npu.sram.ofmap_kib", [16, 128, 512]), ("npu.sram.ifmap_banks", [2, 8, 32]),
    ("npu.sram.filter_banks", [2, 8, 32]), ("npu.sram.ofmap_banks", [1, 4, 16]),
    ("npu.sram.bank_width_bytes", [2, 8, 32]), ("npu.vector.lanes", [16, 64, 256]),
    ("npu.vector.cycles.exp", [16, 4, 1]),
    ("cim.macro_count", [2, 8, 64]), ("cim.input_buffer_kib", [4, 64, 512]),
    ("cim.output_buffer_kib", [0, 64, 512]), ("cim.weight_buffer_kib", [0, 64, 512]),
    ("cim.input_buffer_banks", [2, 16, 64]), ("cim.output_buffer_banks", [1, 8, 32]),
    ("cim.buffer_bank_width_bytes", [2, 8, 32]), ("cim.weight_write_rows_per_cycle", [1, 4, 16]),
    ("cim.cols_per_adc", [32, 8, 1]), ("cim.adc_latency_cycles", [8, 2, 0]),
    ("cim.cycles_per_input_bit", [4, 1]),
    ("bus.width_bytes", [16, 32, 64]), ("bus.latency_cycles", [32, 4, 0]),
    ("dram.channels", [1, 2, 4]), ("dram.controller.write_buffer_bursts", [0, 32, 128]),
    ("dram.refresh.enabled", ["true", "false"]), ("dram.trcd_cycles", [80, 39, 10]),
    ("dram.tcl_cycles", [80, 36, 10]),
]
SCHEMAS = {"npu_only": ["-s", "npu_only"], "hetero_parallel": ["-s", "hetero_parallel"],
           "auto0": ["--search-runs", "0"], "auto": []}


def latency_ns(arch, model, flags, key, value):
    r = subprocess.run([H4H, "run", "-m", os.path.join(ROOT, "tests", "data", "onnx", model + ".onnx"),
                        "-a", arch, "--set", f"{key}={value}", "--json"] + flags,
                       capture_output=True, text=True)
    return json.loads(r.stdout)["latency_ns"] if r.returncode == 0 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default=os.path.join(ROOT, "arch_configs", "hetero.yaml"))
    ap.add_argument("--models", default="mobilenet_v2_op17,resnet18_op17,efficientnet_b0_op17,maxvit_t_op17")
    ap.add_argument("--schemas", default="npu_only,hetero_parallel,auto0")
    ap.add_argument("--quick", action="store_true", help="the first 5 keys only")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    keys = KEYS[:5] if a.quick else KEYS
    jobs = [(m, s, k, vs) for m in a.models.split(",") for s in a.schemas.split(",") for k, vs in keys]

    def one(job):
        m, s, k, vs = job
        return job, [latency_ns(a.arch, m, SCHEMAS[s], k, v) for v in vs]

    steps = rises = 0
    with ThreadPoolExecutor(a.jobs) as ex:
        for (m, s, k, vs), ls in ex.map(one, jobs):
            for i in range(len(vs) - 1):
                if ls[i] is None or ls[i + 1] is None:
                    continue
                steps += 1
                if ls[i + 1] > ls[i] * (1 + TOL):
                    rises += 1
                    print(f"{m} {s} {k}: {vs[i]} -> {vs[i + 1]}: {ls[i] / 1e6:.4f} -> {ls[i + 1] / 1e6:.4f} ms "
                          f"(+{(ls[i + 1] / ls[i] - 1) * 100:.2f} %)", flush=True)
    print(f"{rises} of {steps} steps up cost time (tolerance {TOL * 100:g} %)")
    return 1 if rises else 0


if __name__ == "__main__":
    sys.exit(main())
