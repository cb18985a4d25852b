#!/usr/bin/python3
"""Exports the ONNX test fixtures and their independent reference figures.

Run by developers only (CI uses the committed outputs):
    scripts/setup.sh --fixtures && /usr/bin/python3 scripts/export_fixtures.py

Models are exported graph-only (export_params=False: parameters become graph inputs after
the data input, a few KB per model) with a dynamic batch axis, at opsets 13 and 17.

Reference MACs do not come from ONNX: they are counted on PyTorch's own aten calls during a
forward pass (convolution, mm/addmm/bmm/baddbmm, matmul), under the convention
Conv = N·Cout·Hout·Wout·(Cin/groups)·kh·kw and GEMM = output elements × K.
"""
import argparse
import json
import os
import random
import warnings

import onnx
import torch
import torchvision
from onnx import TensorProto, helper
from torch.utils._python_dispatch import TorchDispatchMode

warnings.filterwarnings("ignore")
aten = torch.ops.aten

MODELS = [
    "resnet18", "resnet50", "mobilenet_v2", "mobilenet_v3_small", "vit_b_16", "swin_t",
    "shufflenet_v2_x1_0", "efficientnet_b0", "convnext_tiny", "regnet_y_400mf", "densenet121",
    "googlenet", "squeezenet1_0", "alexnet", "vgg11", "mnasnet0_5", "resnext50_32x4d",
    "inception_v3", "maxvit_t",
]
OPSETS = [13, 17]
BATCH2 = {"resnet18", "vit_b_16", "swin_t"}


def prod(xs):
    p = 1
    for x in xs:
        p *= int(x)
    return p


class MacCounter(TorchDispatchMode):
    """Counts MACs of the aten ops that do multiply-accumulates."""

    def __init__(self):
        super().__init__()
        self.macs = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        packet = func._overloadpacket
        if packet == aten.convolution:
            w = args[1]
            # output elements × (Cin/groups)·kh·kw; w is [Cout, Cin/groups, kh, kw]
            self.macs += out.numel() * prod(w.shape[1:])
        elif packet in (aten.mm, aten.bmm):
            self.macs += out.numel() * args[0].shape[-1]
        elif packet in (aten.addmm, aten.baddbmm):
            self.macs += out.numel() * args[1].shape[-1]
        elif packet == aten.matmul:  # only seen if not decomposed
            self.macs += out.numel() * args[0].shape[-1]
        elif packet == aten._native_multi_head_attention:
            raise RuntimeError("fused attention: its MACs would be missed")
        return out


def build(name):
    kwargs = {}
    if name in ("inception_v3", "googlenet"):
        kwargs = dict(aux_logits=False, init_weights=False)
    return getattr(torchvision.models, name)(weights=None, **kwargs).eval()


def input_shape(name, batch=1):
    side = 299 if name == "inception_v3" else 224
    return [batch, 3, side, side]


def count_macs(model, shape):
    # Grad stays enabled on purpose: under no_grad, nn.MultiheadAttention takes a fused
    # fast path (one aten._native_multi_head_attention call) whose MACs are hidden.
    counter = MacCounter()
    with torch.enable_grad(), counter:
        model(torch.randn(*shape))
    return counter.macs


def export(model, shape, path, opset, input_name="input"):
    torch.onnx.export(model, torch.randn(*shape), path, export_params=False,
                      opset_version=opset, input_names=[input_name], output_names=["output"],
                      dynamic_axes={input_name: {0: "batch"}, "output": {0: "batch"}})


class TinyAttention(torch.nn.Module):
    """LayerNorm → hand-written 2-head attention → GELU MLP, as hybrid ViT blocks are."""

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


def write_bad_fixtures(bad_dir, resnet18_path):
    os.makedirs(bad_dir, exist_ok=True)
    with open(resnet18_path, "rb") as f:
        head = f.read(100)
    with open(os.path.join(bad_dir, "truncated.onnx"), "wb") as f:
        f.write(head)
    rng = random.Random(1234)
    with open(os.path.join(bad_dir, "random.onnx"), "wb") as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(512)))
    # A valid protobuf of another message type (a TensorProto).
    t = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], [1.0, 2.0, 3.0, 4.0])
    with open(os.path.join(bad_dir, "not_a_model.onnx"), "wb") as f:
        f.write(t.SerializeToString())

    def save(graph, name, opset=13):
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(bad_dir, name))

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])
    r = helper.make_node("Relu", ["x"], ["r"], name="relu_0")
    u = helper.make_node("Unique", ["r"], ["y"], name="unique_node")
    save(helper.make_graph([r, u], "unsupported", [x], [y]), "unsupported_op.onnx")

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, "height", "width"])
    w = helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 3, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4, "h", "w"])
    c = helper.make_node("Conv", ["x", "w"], ["y"], name="stem_conv")
    save(helper.make_graph([c], "unresolved", [x, w], [y]), "unresolved_dim.onnx")

    # Reshape whose target comes from Shape → Gather → Unsqueeze → Concat([−1]).
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 8, 8])
    w = helper.make_tensor_value_info("w", TensorProto.FLOAT, [192, 10])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])
    inits = [helper.make_tensor("idx0", TensorProto.INT64, [], [0]),
             helper.make_tensor("axes0", TensorProto.INT64, [1], [0]),
             helper.make_tensor("minus1", TensorProto.INT64, [1], [-1])]
    nodes = [helper.make_node("Shape", ["x"], ["shape"], name="shape"),
             helper.make_node("Gather", ["shape", "idx0"], ["n"], name="gather", axis=0),
             helper.make_node("Unsqueeze", ["n", "axes0"], ["n1"], name="unsqueeze"),
             helper.make_node("Concat", ["n1", "minus1"], ["target"], name="concat", axis=0),
             helper.make_node("Reshape", ["x", "target"], ["flat"], name="reshape"),
             helper.make_node("MatMul", ["flat", "w"], ["y"], name="fc")]
    save(helper.make_graph(nodes, "reshape_chain", [x, w], [y], initializer=inits),
         "reshape_chain.onnx")


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "onnx"))
    ap.add_argument("--bad", default=os.path.join(root, "tests", "data", "bad"))
    ap.add_argument("--models", nargs="*", default=MODELS)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)

    ref_path = os.path.join(args.out, "reference.json")
    reference = {}
    if os.path.exists(ref_path):
        with open(ref_path) as f:
            reference = json.load(f)

    todo = [(n, build(n), input_shape(n), input_shape(n, 2)) for n in args.models]
    todo.append(("tiny_attention", TinyAttention().eval(), [1, 16, 32], [2, 16, 32]))
    todo.append(("tiny_cnn", TinyCnn().eval(), [1, 3, 32, 32], [2, 3, 32, 32]))
    for name, model, shape, shape2 in todo:
        entry = {"input_shape": shape, "macs": count_macs(model, shape),
                 "macs_batch2": count_macs(model, shape2) if name in BATCH2 or
                 name.startswith("tiny") else None,
                 "params": sum(p.numel() for p in model.parameters()),
                 "exported_opsets": [], "notes": ""}
        for opset in OPSETS:
            path = os.path.join(args.out, f"{name}_op{opset}.onnx")
            try:
                export(model, shape, path, opset)
                onnx.checker.check_model(onnx.load(path))
                entry["exported_opsets"].append(opset)
            except Exception as e:  # recorded, never faked
                entry["notes"] += f"opset {opset} export failed: {str(e).splitlines()[0]}; "
        reference[name] = entry
        print(f"{name:22s} macs {entry['macs']:>15,d} params {entry['params']:>12,d} "
              f"opsets {entry['exported_opsets']}")

    with open(ref_path, "w") as f:
        json.dump(reference, f, indent=1, sort_keys=True)
    resnet18 = os.path.join(args.out, "resnet18_op13.onnx")
    if os.path.exists(resnet18):
        write_bad_fixtures(args.bad, resnet18)


if __name__ == "__main__":
    main()
