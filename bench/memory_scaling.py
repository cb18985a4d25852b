#!/usr/bin/env python3
"""What on-chip memory buys: DRAM bytes and latency of a cold inference when every buffer
(every `*_kib` capacity the preset spells out: global buffer, NPU SRAMs, CIM buffers) is scaled together, with the
on-chip hierarchy and with the every-tensor-through-DRAM ablation
(memory.activations_on_chip: false), for each preset under its default schema.

Usage: bench/memory_scaling.py [--models a,b] [--presets a,b] [--scales 0.25,1,...]
Prints one Markdown table per preset (DRAM MB / latency ms per scale). Needs a built
h4hsim ($H4H_BUILD_DIR, default build/).
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
H4HSIM = os.path.join(os.environ.get("H4H_BUILD_DIR", os.path.join(ROOT, "build")), "cli", "h4hsim")


def buffers(preset):
    """Every capacity (`*_kib` key) of the resolved preset, in KiB, from `config show`: the
    presets spell every one out, so a new buffer is scaled without editing this list."""
    out = subprocess.run([H4HSIM, "config", "show", os.path.join(ROOT, "arch_configs", preset + ".yaml")],
                         capture_output=True, text=True, check=True).stdout
    found, path = {}, []
    for line in out.splitlines():
        body = line.split("#")[0].rstrip()
        if not body.strip() or ":" not in body:
            continue
        depth = (len(body) - len(body.lstrip())) // 2
        key, _, value = body.strip().partition(":")
        path = path[:depth] + [key]
        if key.endswith("_kib") and value.strip():
            found[".".join(path)] = int(value)
    return found


def run(model, preset, scale, on_chip):
    args = [H4HSIM, "run", "--json", "-m", os.path.join(ROOT, "tests/data/onnx", model + ".onnx"),
            "-a", os.path.join(ROOT, "arch_configs", preset + ".yaml"),
            "--set", "memory.activations_on_chip=" + ("true" if on_chip else "false")]
    for key, kib in BUFFERS[preset].items():
        args += ["--set", f"{key}={max(1, int(kib * scale))}"]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        return None
    j = json.loads(r.stdout)
    return j["dram_bytes"] / 1e6, j["latency_ns"] / 1e6, j["schema"]


BUFFERS = {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="mobilenet_v2_op17,resnet50_op17,maxvit_t_op17,vit_b_16_op17")
    ap.add_argument("--presets", default="hetero,npu_only,cim_only")
    ap.add_argument("--scales", default="0.25,1,4,16,64")
    a = ap.parse_args()
    if not os.access(H4HSIM, os.X_OK):
        sys.exit(f"{H4HSIM}: not built (scripts/build.sh)")
    scales = [float(s) for s in a.scales.split(",")]
    for preset in a.presets.split(","):
        BUFFERS[preset] = buffers(preset)
        print(f"\n### {preset}: DRAM MB / latency ms (cold inference, default schema)\n")
        print("| model | memory | " + " | ".join(f"x{s:g}" for s in scales) + " |")
        print("|---|---|" + "---|" * len(scales))
        for model in a.models.split(","):
            for on_chip in (True, False):
                cells, schema = [], ""
                for s in scales:
                    r = run(model, preset, s, on_chip)
                    if r is None:
                        cells.append("does not map")
                    else:
                        cells.append(f"{r[0]:.1f} / {r[1]:.2f}")
                        schema = r[2]
                label = "on chip" if on_chip else "ablation"
                print(f"| {model} | {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
