#!/usr/bin/env python3
"""From Python: a small co-design loop with h4hsim's Python package (README, "From Python").

    cmake --build build                    # builds build/python/h4hsim (scripts/build.sh does)
    PYTHONPATH=build/python python3 docs/python_example.py

Sweeps the CIM macro count on the hetero preset for MobileNetV2, compares with the NPU-only
preset, and lists the longest kernels of the fastest point. The first config runs in this
process; each other one (an override makes another config) in a worker process of its own,
started on first use and reused. CI runs this file (ctest: python.example)."""
import os
import sys

import h4hsim

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
model = os.path.join(root, "tests", "data", "onnx", "mobilenet_v2_op17.onnx")
hetero = os.path.join(root, "arch_configs", "hetero.yaml")
npu_only = os.path.join(root, "arch_configs", "npu_only.yaml")

print(f"{'config':<24} {'latency ms':>10} {'energy mJ':>10} {'area mm2':>9}")
results = {}
for macros in (4, 8, 16, 32):
    r = h4hsim.run(model, hetero, overrides={"cim.macro_count": macros})
    results[f"hetero, {macros} macros"] = r
r = h4hsim.run(model, npu_only)
results["npu_only"] = r
for name, r in results.items():
    print(f"{name:<24} {r.latency_ms:>10.4f} {r.energy_mj:>10.4f} {r['area_mm2']:>9.3f}")

best_name, best = min(results.items(), key=lambda item: item[1]["latency_ns"])
cols = best.columns(numpy=False)
costliest = sorted(range(len(cols["name"])),
                   key=lambda i: cols["end_cycle"][i] - cols["start_cycle"][i], reverse=True)[:3]
print(f"\nfastest: {best_name}; its three longest kernels:")
for i in costliest:
    print(f"  {cols['name'][i][-40:]:<40} {cols['unit'][i]:<6} "
          f"{cols['end_cycle'][i] - cols['start_cycle'][i]:>8} cycles")

# A mistake is an exception carrying the CLI's one-line message; the interpreter goes on.
try:
    h4hsim.run(model, hetero, overrides={"cim.macro_cont": 8})
except h4hsim.UserError as e:
    print(f"\nrefused: {e}")

# The hetero preset's own config, resolved (config show --json) ...
cfg = h4hsim.load_arch(hetero)
print(f"hetero: {cfg['values']['npu']['array']['rows']}x{cfg['values']['npu']['array']['cols']} "
      f"PEs, {cfg['values']['cim']['macro_count']} CIM macros, DRAM {cfg['values']['dram']['kind']}")
# ... and pandas, when installed (Debian: python3-pandas).
try:
    df = best.to_pandas()
    print(df.groupby("unit")["energy_pj"].sum().map("{:.0f} pJ".format).to_string())
except ImportError:
    print("(pandas not installed: to_pandas() skipped)")
h4hsim.close()
sys.exit(0)
