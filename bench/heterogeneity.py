#!/usr/bin/env python3
"""What NPU+CIM heterogeneity buys on the hetero preset: for each network, latency and
energy of one cold inference under npu_only, the best fixed schema (npu_only, cim_static,
hetero_parallel) and auto (the searched schedule), and what auto chose (the winning
candidate, kernels on each unit, whether units overlapped). Networks: six bundled exports
and three subnets of h4h_edge from a `nas search` on the same preset (the smallest, middle
and largest member of its exported Pareto set). Prints a Markdown table.

Usage: H4H_BUILD_DIR=build bench/heterogeneity.py [arch=arch_configs/hetero.yaml]
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
H4H = os.path.join(os.environ.get("H4H_BUILD_DIR", os.path.join(ROOT, "build")), "cli", "h4hsim")
ARCH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "arch_configs", "hetero.yaml")
NETWORKS = ["mobilenet_v2", "efficientnet_b0", "maxvit_t", "convnext_tiny", "swin_t", "vit_b_16"]


def run(model, schema):
    out = subprocess.run([H4H, "run", "-m", model, "-a", ARCH, "--schema", schema, "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def searched_subnets(work):
    lut = os.path.join(work, "edge.lut")
    subprocess.run([H4H, "nas", "lut", "--space", "h4h_edge", "--arch", ARCH, "--out", lut],
                   capture_output=True, check=True)
    out = os.path.join(work, "search")
    subprocess.run([H4H, "nas", "search", "--space", "h4h_edge", "--arch", ARCH, "--lut", lut,
                    "--max-latency-ms", "20", "--population", "100", "--generations", "200",
                    "--out", out], capture_output=True, check=True)
    with open(os.path.join(out, "pareto.csv")) as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    head, rows = rows[0], rows[1:]
    onnx = head.index("onnx")
    picks = [rows[0], rows[len(rows) // 2], rows[-1]]
    return [(f"h4h_edge subnet #{r[0]}", os.path.join(out, r[onnx])) for r in picks]


def main():
    with tempfile.TemporaryDirectory() as work:
        models = [(n, os.path.join(ROOT, "tests", "data", "onnx", f"{n}_op17.onnx")) for n in NETWORKS]
        models += searched_subnets(work)
        print("| network | npu_only ms / mJ | best fixed schema | auto ms / mJ | latency, energy vs npu_only | auto's choice |")
        print("|---|---|---|---|---|---|")
        for label, path in models:
            fixed = {s: run(path, s) for s in ["npu_only", "cim_static", "hetero_parallel"]}
            a = run(path, "auto")
            best = min(fixed, key=lambda s: fixed[s]["latency_ns"])
            base = fixed["npu_only"]
            ms = lambda j: j["latency_ns"] / 1e6
            mj = lambda j: j["energy_pj"] / 1e9
            sched = a.get("schedule", {})
            chosen = next((t for t in sched.get("trials", []) if t["name"] == sched.get("chosen")), None)
            choice = "-" if chosen is None else (
                f"{chosen['name']}: {chosen['npu_kernels']} GEMMs on the array, {chosen['cim_kernels']} on CIM"
                f"{', overlapping' if chosen['concurrent'] else ', in order'}")
            print(f"| {label} | {ms(base):.2f} / {mj(base):.3f} | {best} {ms(fixed[best]):.2f} / {mj(fixed[best]):.3f} "
                  f"| {ms(a):.2f} / {mj(a):.3f} | {100 * (ms(a) / ms(base) - 1):+.1f} %, {100 * (mj(a) / mj(base) - 1):+.1f} % "
                  f"| {choice} |", flush=True)


if __name__ == "__main__":
    main()
