#!/usr/bin/python3
"""Checks `h4hsim inspect` against the whole torchvision classification zoo.

For every classification model torchvision ships, exports it graph-only at each requested
opset into a temporary directory, runs `h4hsim inspect --json`, and compares total MACs
with an independent count of PyTorch's own aten calls (scripts/export_fixtures.py's
counter). Developer tool (needs python3-torch/-torchvision: scripts/setup.sh --fixtures);
the committed fixtures cover a subset of these in CI.

    /usr/bin/python3 scripts/check_zoo.py [--opsets 13 17] [--models a b ...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_fixtures import count_macs, export  # noqa: E402

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP_HUGE = {"vit_h_14", "regnet_y_128gf"}  # minutes of CPU for the reference count


def classification_models():
    names = torchvision.models.list_models(module=torchvision.models) \
        if hasattr(torchvision.models, "list_models") else None
    if names is None:  # torchvision 0.14 has no registry listing: use its lowercase builders
        names = [n for n, f in vars(torchvision.models).items()
                 if callable(f) and n.islower() and not n.startswith("_") and
                 n not in ("get_weight", "list_models", "get_model", "get_model_weights")]
    return sorted(n for n in names if n not in SKIP_HUGE)


def build(name):
    kwargs = {}
    if name in ("inception_v3", "googlenet"):
        kwargs = dict(aux_logits=False, init_weights=False)
    return getattr(torchvision.models, name)(weights=None, **kwargs).eval()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opsets", nargs="*", type=int, default=[13, 17])
    ap.add_argument("--models", nargs="*")
    ap.add_argument("--h4hsim", default=os.path.join(ROOT, "build", "cli", "h4hsim"))
    args = ap.parse_args()
    names = args.models or classification_models()
    bad = 0
    print(f"{'model':24s} {'opset':>5s} {'reference MACs':>16s} {'h4hsim MACs':>16s} {'ms':>6s}  status")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            try:
                model = build(name)
            except Exception as e:  # not a classification builder
                print(f"{name:24s} skipped: {str(e).splitlines()[0][:60]}")
                continue
            side = 299 if name == "inception_v3" else 224
            if name.startswith("efficientnet_b") or name.startswith("efficientnet_v2"):
                side = 224  # any size works; the count and the export use the same one
            shape = [1, 3, side, side]
            ref = count_macs(model, shape)
            for opset in args.opsets:
                path = os.path.join(tmp, f"{name}_op{opset}.onnx")
                try:
                    export(model, shape, path, opset)
                except Exception as e:
                    print(f"{name:24s} {opset:5d} export failed: {str(e).splitlines()[0][:60]}")
                    continue
                t0 = time.time()
                r = subprocess.run([args.h4hsim, "inspect", "--model", path, "--json"],
                                   capture_output=True, text=True)
                ms = (time.time() - t0) * 1000
                if r.returncode != 0:
                    bad += 1
                    print(f"{name:24s} {opset:5d} {ref:16,d} {'-':>16s} {ms:6.0f}  "
                          f"ERROR {r.stderr.strip()[:80]}")
                    continue
                got = json.loads(r.stdout)["total_macs"]
                ok = got == ref
                bad += not ok
                print(f"{name:24s} {opset:5d} {ref:16,d} {got:16,d} {ms:6.0f}  "
                      f"{'ok' if ok else 'MISMATCH'}", flush=True)
                os.remove(path)
    print(f"{bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
