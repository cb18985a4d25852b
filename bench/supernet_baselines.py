#!/usr/bin/env python3
"""Hand-designed baselines of the h4h_fmnist space for bench_supernet.sh (issue 19, goal 4).

Three families, each scaled uniformly (one resolution, stem, width level, depth level and
head for the whole net, as a designer scales MobileNetV2 with its multipliers) rather than
searched per block:
  mbv2    MobileNetV2-style: 3x3 MBConv, expansion 1 in the first stage and 6 elsewhere;
  cnn     a plain CNN of the same space: 5x5 MBConv, expansion 3 in the first stage and 4
          elsewhere, no transformer;
  hybrid  a fixed hybrid: mbv2's blocks, but the last stage is one MBConv (it carries the
          stride and width change) followed by transformers (4 heads, MLP ratio 2).

`list` prints every member of a family (encodings, one per line); `pick` reads
"encoding<TAB>latency_ms" lines on stdin and prints the member with the highest estimated
latency within the budget (the designer's rule: the biggest net that fits), ties broken by
encoding. The lists below mirror nas/spaces/h4h_fmnist.yaml; `h4hsim nas estimate` rejects a
member that does not decode, so a drift between the two fails loudly.
"""
import itertools
import sys

RESOLUTIONS = (24, 28)
STEMS = (8, 16)
HEADS = (128, 256)
# Per stage: (widths, depths) of h4h_fmnist.
STAGES = (((16, 24), (1, 2)), ((24, 32), (1, 2, 3)), ((32, 48), (1, 2, 3)), ((48, 64), (1, 2, 3)))
FAMILIES = ("mbv2", "cnn", "hybrid")


def block(family, stage, index):
    if family == "cnn":
        return "k5e3" if stage == 0 else "k5e4"
    if family == "hybrid" and stage == len(STAGES) - 1 and index > 0:
        return "t4m2"
    return "k3e1" if stage == 0 else "k3e6"


def members(family):
    for res, stem, wl, dl, head in itertools.product(RESOLUTIONS, STEMS, (0, 1), (1, 2, 3), HEADS):
        parts = [f"r{res}", f"s{stem}"]
        for si, (widths, depths) in enumerate(STAGES):
            depth = min(dl, depths[-1])
            if family == "hybrid" and si == len(STAGES) - 1:
                depth = max(depth, 2)  # at least one transformer
            blocks = ".".join(block(family, si, b) for b in range(depth))
            parts.append(f"w{widths[wl]}-{blocks}")
        parts.append(f"h{head}")
        yield "_".join(parts)


def main(argv):
    if len(argv) == 3 and argv[1] == "list" and argv[2] in FAMILIES:
        for enc in members(argv[2]):
            print(enc)
        return 0
    if len(argv) == 3 and argv[1] == "pick":
        budget = float(argv[2])
        rows = []
        for line in sys.stdin:
            enc, ms = line.split()
            if float(ms) <= budget:
                rows.append((float(ms), enc))
        if not rows:
            print(f"no member within {budget} ms", file=sys.stderr)
            return 1
        print(max(rows)[1])
        return 0
    print(f"usage: {argv[0]} list {{{','.join(FAMILIES)}}} | pick BUDGET_MS < lines", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
