#!/usr/bin/python3
"""Exports the ONNX frontend's test fixtures and their independent reference figures.

Run by developers only (CI uses the committed outputs); needs Debian's python3-torch,
python3-torchvision and python3-onnx (scripts/setup.sh --fixtures), hence /usr/bin/python3:
    /usr/bin/python3 scripts/export_fixtures.py [--out tests/data/onnx] [--bad tests/data/bad]
                                                [--models resnet18 ...]

Writes, under --out:
  <model>_op<opset>.onnx  torchvision models (and two tiny hand-written ones) exported
                          graph-only (export_params=False: parameters become graph inputs after
                          the data input "input") with a dynamic batch axis, at opsets 13 and 17;
  reference.json          per model: input_shape, macs, macs_batch2, params, weight_params,
                          exported_opsets, notes;
  op_types.txt            every ONNX op_type in the exported files, with how many models use it;
and under --bad the malformed / unsupported inputs described in tests/data/bad/README.md.

The reference figures never come from ONNX: MACs are counted on PyTorch's own aten calls
during a forward pass, under the convention
    Conv          = N·Cout·Hout·Wout·(Cin/groups)·kh·kw
    GEMM / MatMul = output elements × K   (linear layers, bmm, attention QK^T and ·V, einsum)
    anything else = 0,
so a frontend bug and a reference bug are unlikely to cancel out. `weight_params` counts the
parameter elements that are operands (weight or bias) of those MAC ops; `params` counts all.

Things the exporter does on its own that fixture users should know (torch 1.13, eval mode):
  * BatchNorm after a Conv is folded into it, so the BN's parameters vanish from the graph
    and the Conv gets a fresh weight/bias input named onnx::Conv_NNN;
  * value-identical parameters are deduplicated (weights=None initialises many biases to 0
    and norm scales to 1), the duplicates becoming Identity nodes of one shared input.
Hence the parameter elements an ONNX file carries differ from `params`; the summary printed at
the end shows both.
"""
import argparse
import collections
import json
import os
import random
import sys
import warnings

import onnx
import torch
import torchvision
from onnx import TensorProto, helper
from torch.utils._python_dispatch import TorchDispatchMode

warnings.filterwarnings("ignore")  # the exporter's TracerWarnings drown the summary
aten = torch.ops.aten

MODELS = [
    "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "vit_b_16", "swin_t",
    "shufflenet_v2_x1_0", "efficientnet_b0", "convnext_tiny", "regnet_y_400mf", "densenet121",
    "googlenet", "squeezenet1_0", "alexnet", "vgg11", "mnasnet0_5", "resnext50_32x4d",
    "inception_v3",
    # Beyond the core list: MBConv + block/grid attention, a third attention layout.
    "maxvit_t",
]
TINY = ["tiny_attention", "tiny_cnn"]
OPSETS = [13, 17]
# Models whose batch-2 count is recorded, to test that --batch fixes the dynamic axis.
BATCH2 = {"resnet18", "vit_b_16", "swin_t", "tiny_attention", "tiny_cnn"}
# Published figures at 1×3×224×224 (torchvision docs); the counter must reproduce them
# exactly or every other reference number is suspect.
PUBLISHED_MACS = {"resnet50": 4_089_184_256, "mobilenet_v2": 300_774_272,
                  "vit_b_16": 17_563_828_224}
NOTES = {
    "inception_v3": "aux_logits=False, init_weights=False; 299x299 input",
    "googlenet": "aux_logits=False, init_weights=False (transform_input stays False)",
    "vit_b_16": "attention QK^T and .V counted as bmm (12 heads x 12 layers)",
    "swin_t": "shifted-window attention; QK^T and .V counted as bmm",
    "maxvit_t": "block and grid attention; QK^T and .V counted via einsum -> bmm",
    "tiny_attention": "LayerNorm -> 2-head hand-written attention -> GELU MLP; input 1x16x32",
    "tiny_cnn": "Conv-BN-ReLU, depthwise s2 Conv-BN-ReLU6, pointwise, residual Add, "
                "global avg pool, Linear; input 1x3x32x32",
}
LARGE_FILE = 1 << 20          # flag files above 1 MB in the summary
SIZE_BUDGET = 15 * (1 << 20)  # the fixtures live in git


def prod(xs):
    p = 1
    for x in xs:
        p *= int(x)
    return p


class MacCounter(TorchDispatchMode):
    """Counts MACs of the aten ops that multiply-accumulate, and the parameters they read.

    Composite ops (linear, matmul, einsum, conv2d, the attention helpers) decompose before
    reaching a dispatch mode, so only these primitives need a rule.
    """

    # Fused kernels whose inner GEMMs a dispatch mode cannot see: counting them as 0 would
    # silently undercount, so they are an error instead.
    FUSED = ("_native_multi_head_attention", "_transformer_encoder_layer_fwd",
             "_scaled_dot_product_attention", "_scaled_dot_product_flash_attention",
             "_scaled_dot_product_efficient_attention")

    def __init__(self, params=()):
        super().__init__()
        self.macs = 0
        # Parameters are recognised by storage, since ops see views of them (linear's
        # weight arrives transposed, MultiheadAttention's in_proj_weight arrives chunked).
        self.param_by_storage = {p.storage().data_ptr(): p for p in params}
        self.weight_params = {}

    def _note_operands(self, tensors):
        for t in tensors:
            if isinstance(t, torch.Tensor) and t.numel():
                p = self.param_by_storage.get(t.storage().data_ptr())
                if p is not None:
                    self.weight_params[id(p)] = p.numel()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        packet = func._overloadpacket
        name = packet.__name__
        macs = None
        if packet == aten.convolution:
            # w is [Cout, Cin/groups, kh, kw]: output elements × (Cin/groups)·kh·kw.
            macs = out.numel() * prod(args[1].shape[1:])
        elif packet in (aten.mm, aten.bmm, aten.matmul, aten.mv, aten.dot):
            macs = out.numel() * args[0].shape[-1]
        elif packet in (aten.addmm, aten.baddbmm, aten.addmv):
            macs = out.numel() * args[1].shape[-1]
        elif packet == aten.addbmm:  # sums over the batch too
            macs = out.numel() * args[1].shape[0] * args[1].shape[-1]
        elif name in self.FUSED:
            raise RuntimeError(f"fused aten.{name}: its MACs would be missed")
        if macs is not None:
            self.macs += macs
            self._note_operands(list(args) + list((kwargs or {}).values()))
        return out


def count(model, shape):
    """(MACs, weight-parameter elements) of one forward pass at `shape`."""
    # Grad stays enabled on purpose: under no_grad, nn.MultiheadAttention (vit_b_16) takes
    # a fused fast path (aten._native_multi_head_attention) whose GEMMs are invisible here.
    # Autograd bookkeeping changes no op that is counted.
    counter = MacCounter(model.parameters())
    with torch.enable_grad(), counter:
        model(torch.randn(*shape))
    return counter.macs, sum(counter.weight_params.values())


def count_macs(model, shape):
    """MACs of one forward pass (also used by scripts/check_zoo.py)."""
    return count(model, shape)[0]


def build(name):
    kwargs = {}
    if name in ("inception_v3", "googlenet"):
        # The aux heads only run in training mode, so an eval export would drop them while
        # the builder still warns about them; init_weights=False skips the slow truncated-
        # normal init (values matter neither to the graph nor to the MAC count).
        kwargs = dict(aux_logits=False, init_weights=False)
    return getattr(torchvision.models, name)(weights=None, **kwargs).eval()


def input_shape(name, batch=1):
    if name == "tiny_attention":
        return [batch, 16, 32]
    if name == "tiny_cnn":
        return [batch, 3, 32, 32]
    side = 299 if name == "inception_v3" else 224
    return [batch, 3, side, side]


def export(model, shape, path, opset, input_name="input"):
    """Graph-only export with torch's default settings apart from the dynamic batch.

    Constant folding stays on (torch's default): it is what users' exports look like, and
    it keeps the files small, since most remaining nodes are the batch-size arithmetic that
    the dynamic axis leaves behind rather than folded tensors.
    """
    torch.onnx.export(model, torch.randn(*shape), path, export_params=False,
                      opset_version=opset, input_names=[input_name], output_names=["output"],
                      dynamic_axes={input_name: {0: "batch"}, "output": {0: "batch"}})


class TinyAttention(torch.nn.Module):
    """LayerNorm → hand-written 2-head attention → GELU MLP, as in ViT blocks.

    Written without nn.MultiheadAttention so the export shows the raw MatMul/Transpose/
    Softmax pattern the frontend has to recognise as attention.
    """

    def __init__(self, dim=32, heads=2):
        super().__init__()
        self.heads, self.dim = heads, dim
        self.norm = torch.nn.LayerNorm(dim)
        self.q = torch.nn.Linear(dim, dim)
        self.k = torch.nn.Linear(dim, dim)
        self.v = torch.nn.Linear(dim, dim)
        self.proj = torch.nn.Linear(dim, dim)
        self.fc1 = torch.nn.Linear(dim, 2 * dim)
        self.fc2 = torch.nn.Linear(2 * dim, dim)

    def split(self, t):
        b, s, _ = t.shape
        return t.reshape(b, s, self.heads, self.dim // self.heads).transpose(1, 2)

    def forward(self, x):
        h = self.norm(x)
        q, k, v = self.split(self.q(h)), self.split(self.k(h)), self.split(self.v(h))
        a = (q @ k.transpose(-2, -1)) * (self.dim // self.heads) ** -0.5
        o = (a.softmax(dim=-1) @ v).transpose(1, 2).reshape(x.shape)
        x = x + self.proj(o)
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(x)))


class TinyCnn(torch.nn.Module):
    """Conv-BN-ReLU, depthwise stride-2 Conv-BN-ReLU6, pointwise, residual, pool, Linear."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8),
                                  nn.ReLU())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8, bias=False),
                                nn.BatchNorm2d(8), nn.ReLU6())
        self.pw = nn.Conv2d(8, 8, 1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        y = self.dw(self.stem(x))
        y = y + self.pw(y)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(y, 1), 1))


def make_model(name):
    if name == "tiny_attention":
        return TinyAttention().eval()
    if name == "tiny_cnn":
        return TinyCnn().eval()
    return build(name)


def write_bad_fixtures(bad_dir, resnet18_path):
    """Inputs the frontend must reject with one clear line (reshape_chain must load)."""
    os.makedirs(bad_dir, exist_ok=True)
    with open(resnet18_path, "rb") as f:
        head = f.read(100)
    with open(os.path.join(bad_dir, "truncated.onnx"), "wb") as f:
        f.write(head)
    rng = random.Random(1234)  # fixed seed: the committed bytes must be reproducible
    with open(os.path.join(bad_dir, "random.onnx"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(512)))
    # A valid protobuf of another message type: parsers that only check "is it protobuf"
    # accept it, so the frontend has to notice there is no graph.
    t = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], [1.0, 2.0, 3.0, 4.0])
    with open(os.path.join(bad_dir, "not_a_model.onnx"), "wb") as f:
        f.write(t.SerializeToString())

    def save(graph, name, opset=13):
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8  # what torch 1.13 writes; libonnx of older distros reads it
        onnx.checker.check_model(m)  # these are valid ONNX; only our frontend refuses them
        onnx.save(m, os.path.join(bad_dir, name))

    # Unique is standard ONNX but has a data-dependent output shape, so a static-shape
    # frontend cannot support it; the node name must appear in the error.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])
    r = helper.make_node("Relu", ["x"], ["r"], name="relu_0")
    u = helper.make_node("Unique", ["r"], ["y"], name="unique_node")
    save(helper.make_graph([r, u], "unsupported", [x], [y]), "unsupported_op.onnx")

    # --batch can only fix the first dim; height/width stay symbolic, so the Conv's output
    # (and its MACs) cannot be resolved.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, "height", "width"])
    w = helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 3, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4, "h", "w"])
    c = helper.make_node("Conv", ["x", "w"], ["y"], name="stem_conv")
    save(helper.make_graph([c], "unresolved", [x, w], [y]), "unresolved_dim.onnx")

    # The flatten idiom of dynamic-batch exports: the Reshape target is computed from the
    # input's own shape, so the frontend must fold Shape → Gather → Unsqueeze → Concat once
    # the batch is known. Output [batch, 10]; MACs = batch·192·10. The weight is an
    # initializer (as in an export with parameters), unlike the graph-only model fixtures.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])
    w_rng = random.Random(192)
    inits = [helper.make_tensor("w", TensorProto.FLOAT, [192, 10],
                                [w_rng.uniform(-0.1, 0.1) for _ in range(1920)]),
             helper.make_tensor("idx0", TensorProto.INT64, [], [0]),
             helper.make_tensor("axes0", TensorProto.INT64, [1], [0]),
             helper.make_tensor("minus1", TensorProto.INT64, [1], [-1])]
    nodes = [helper.make_node("Shape", ["x"], ["shape"], name="shape"),
             helper.make_node("Gather", ["shape", "idx0"], ["n"], name="gather", axis=0),
             helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="unsqueeze"),
             helper.make_node("Concat", ["n1", "minus1"], ["target"], name="concat", axis=0),
             helper.make_node("Reshape", ["x", "target"], ["flat"], name="reshape"),
             helper.make_node("MatMul", ["flat", "w"], ["y"], name="fc")]
    save(helper.make_graph(nodes, "reshape_chain", [x], [y], initializer=inits),
         "reshape_chain.onnx")


def verify_bad_fixtures(bad_dir):
    """Each bad file must fail (or pass) onnx's own checks the way README.md says."""
    def status(name):
        path = os.path.join(bad_dir, name)
        try:
            m = onnx.load(path)
        except Exception as e:
            return f"onnx.load fails ({type(e).__name__})"
        try:
            onnx.checker.check_model(m)
        except Exception as e:
            return f"loads, onnx.checker fails ({type(e).__name__})"
        return "loads, passes onnx.checker"

    expect = {"truncated.onnx": False, "random.onnx": False, "not_a_model.onnx": False,
              "unsupported_op.onnx": True, "unresolved_dim.onnx": True,
              "reshape_chain.onnx": True}
    ok = True
    for name, valid in expect.items():
        s = status(name)
        good = s.endswith("passes onnx.checker") == valid
        ok &= good
        print(f"  bad/{name:22s} {s}{'' if good else '  <-- UNEXPECTED'}")
    return ok


def op_types_of(path):
    m = onnx.load(path)
    return {(n.domain + "::" if n.domain not in ("", "ai.onnx") else "") + n.op_type
            for n in m.graph.node}


def write_op_types(out_dir, reference, path):
    """op_types.txt: which ONNX ops the frontend meets, and at which opset."""
    by_opset = {o: collections.defaultdict(set) for o in OPSETS}
    for model, entry in reference.items():
        for opset in entry["exported_opsets"]:
            for op in op_types_of(os.path.join(out_dir, f"{model}_op{opset}.onnx")):
                by_opset[opset][op].add(model)
    ops = sorted(set().union(*(set(d) for d in by_opset.values())))
    n_models = len(reference)
    lines = [
        "# Distinct ONNX op_types in tests/data/onnx/*.onnx (written by",
        "# scripts/export_fixtures.py). Columns: op_type, models using it at any opset,",
        f"# at opset 13, at opset 17 (out of {n_models} models, tiny_* included), and the",
        "# models themselves when five or fewer use it.",
    ]
    for op in ops:
        users = set().union(*(by_opset[o].get(op, set()) for o in OPSETS))
        counts = " ".join(f"op{o}={len(by_opset[o].get(op, ()))}" for o in OPSETS)
        who = " " + ",".join(sorted(users)) if len(users) <= 5 else ""
        lines.append(f"{op} {len(users)} {counts}{who}")
    # Which models change op set between opsets (LayerNormalization and HardSwish exist
    # only from opsets 17 and 14; below them torch decomposes those layers).
    lines.append("# Ops whose users differ between opsets:")
    for op in ops:
        users = [sorted(by_opset[o].get(op, ())) for o in OPSETS]
        if any(u != users[0] for u in users):
            lines.append("#   " + op + " " + " ".join(
                f"op{o}: {','.join(u) or '-'}" for o, u in zip(OPSETS, users)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return by_opset


def onnx_param_elems(path):
    """Parameter elements an exported file carries (graph inputs after the data input)."""
    g = onnx.load(path).graph
    return sum(prod(d.dim_value for d in i.type.tensor_type.shape.dim) for i in g.input[1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "onnx"))
    ap.add_argument("--bad", default=os.path.join(root, "tests", "data", "bad"))
    ap.add_argument("--models", nargs="*",
                    help="re-export only these (merged into the existing reference.json)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    ref_path = os.path.join(args.out, "reference.json")
    reference = {}
    names = MODELS + TINY
    if args.models:
        names = args.models
        # A partial run updates its models only; a full run starts afresh so entries of
        # models dropped from MODELS cannot linger.
        if os.path.exists(ref_path):
            with open(ref_path) as f:
                reference = json.load(f)

    failures = []
    for name in names:
        torch.manual_seed(0)  # per model, so a partial run reproduces a full one's bytes
        model = make_model(name)
        shape = input_shape(name)
        macs, weight_params = count(model, shape)
        if name in PUBLISHED_MACS and macs != PUBLISHED_MACS[name]:
            sys.exit(f"{name}: counted {macs:,d} MACs, published {PUBLISHED_MACS[name]:,d}; "
                     "the MAC counter is wrong, nothing written to reference.json")
        entry = {"input_shape": shape, "macs": macs,
                 "macs_batch2": count_macs(model, input_shape(name, 2))
                 if name in BATCH2 else None,
                 "params": sum(p.numel() for p in model.parameters()),
                 "weight_params": weight_params,
                 "exported_opsets": [], "notes": NOTES.get(name, "")}
        if entry["macs_batch2"] is not None and entry["macs_batch2"] != 2 * macs:
            sys.exit(f"{name}: batch-2 MACs {entry['macs_batch2']:,d} are not twice {macs:,d}")
        for opset in OPSETS:
            path = os.path.join(args.out, f"{name}_op{opset}.onnx")
            try:
                export(model, shape, path, opset)
                onnx.checker.check_model(onnx.load(path))
                entry["exported_opsets"].append(opset)
            except Exception as e:  # recorded, never faked
                why = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                print(f"{name}: opset {opset} export failed: {why}")
                failures.append(f"{name} op{opset}: {why}")
                entry["notes"] = (entry["notes"] + "; " if entry["notes"] else "") + \
                    f"opset {opset} export failed: {why}"
                if os.path.exists(path):  # a stale or half-written file must not pass as one
                    os.remove(path)
        reference[name] = entry
        print(f"{name:20s} macs {macs:>15,d} params {entry['params']:>12,d} "
              f"weight_params {weight_params:>12,d} opsets {entry['exported_opsets']}",
              flush=True)

    with open(ref_path, "w") as f:
        json.dump(reference, f, indent=1, sort_keys=True)
        f.write("\n")

    resnet18 = os.path.join(args.out, "resnet18_op13.onnx")
    if os.path.exists(resnet18):
        write_bad_fixtures(args.bad, resnet18)
    else:
        print("resnet18_op13.onnx missing: bad fixtures not rewritten")

    by_opset = write_op_types(args.out, reference, os.path.join(args.out, "op_types.txt"))
    used = {o: set(by_opset[o]) for o in OPSETS}
    only = {o: sorted(used[o] - set().union(*(used[p] for p in OPSETS if p != o)))
            for o in OPSETS}

    # Summary: every exported file re-loaded and checked, with its size.
    print("\nfile                               bytes   param elems in ONNX vs PyTorch")
    total = 0
    for model in sorted(reference):
        for opset in reference[model]["exported_opsets"]:
            path = os.path.join(args.out, f"{model}_op{opset}.onnx")
            onnx.checker.check_model(onnx.load(path))
            size = os.path.getsize(path)
            total += size
            flag = "  LARGE" if size > LARGE_FILE else ""
            print(f"  {os.path.basename(path):30s} {size:>9,d}   "
                  f"{onnx_param_elems(path):>12,d} vs {reference[model]['params']:>12,d}{flag}")
    for extra in ("reference.json", "op_types.txt"):
        total += os.path.getsize(os.path.join(args.out, extra))
    print(f"  total of {args.out}: {total:,d} bytes"
          f"{'  OVER BUDGET' if total > SIZE_BUDGET else ''}")
    for o, ops in only.items():
        print(f"  ops only at opset {o}: {', '.join(ops) or '-'}")
    bad_ok = verify_bad_fixtures(args.bad)
    for f in failures:
        print(f"  export failure: {f}")
    return 0 if bad_ok and total <= SIZE_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
