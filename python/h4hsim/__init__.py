"""h4hsim from Python: simulate networks on NPU+CIM arch configs, inspect models, read
configs, LUT estimates and sweep results, with the CLI's numbers and messages.

    import h4hsim
    r = h4hsim.run("tests/data/onnx/mobilenet_v2_op17.onnx", "arch_configs/hetero.yaml",
                   overrides={"cim.macro_count": 32})
    r["latency_ns"], r["energy_pj"]          # exactly `h4hsim run --json`'s keys
    r.columns()["energy_pj"]                 # per-kernel records as columns
    r.to_pandas()                            # one row per kernel (needs pandas)

A user mistake (missing file, unknown key, bad value) raises h4hsim.UserError, a
ValueError whose message is the CLI's one line. The simulator elaborates one arch config
per process: the first config runs in this interpreter, every other one in a worker
process of its own, started on first use and reused (h4hsim.close() ends them).
"""
import json as _json
import os as _os
import threading as _threading

from . import _core
from ._workers import WorkerPool as _WorkerPool

__all__ = ["run", "inspect", "load_arch", "read_sweep", "Result", "UserError", "close",
           "nas_sample", "nas_estimate", "nas_lut", "version"]

UserError = _core.UserError
version = _core.version

_lock = _threading.Lock()
_pool = _WorkerPool()


def close():
    """Ends the worker processes (they also end with the interpreter)."""
    _pool.close()


def _overrides(overrides):
    """{"cim.macro_count": 32} or ["cim.macro_count=32"] -> ["cim.macro_count=32"]."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        out = []
        for key, value in overrides.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            out.append(f"{key}={value}")
        return out
    if isinstance(overrides, (list, tuple)):
        return [str(o) for o in overrides]
    raise UserError("overrides must be a dict {key: value} or a list of 'key=value' strings")


def _path(p, what):
    if not isinstance(p, (str, _os.PathLike)):
        raise UserError(f"{what} must be a path, got {type(p).__name__}")
    return _os.fspath(p)


def _simulate(fn, arch, overrides, payload):
    """Runs a simulation call here when this process holds (or can take) the config's
    elaboration, else in the config's worker."""
    key = _core.config_key(arch, overrides)  # a bad config fails here, in this process
    with _lock:
        owner = _core.elaborated_key()
        if owner is None or owner == key:
            return getattr(_core, fn)(*payload)
    return _pool.call(key, fn, payload)


class Result:
    """One `run`: a read-only mapping with exactly `h4hsim run --json`'s keys."""

    def __init__(self, data):
        self._data = data

    def to_dict(self):
        """The JSON summary as a dict (the same object `run --json` prints)."""
        return self._data

    def __getitem__(self, key):
        return self._data[key]

    def __contains__(self, key):
        return key in self._data

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def keys(self):
        return self._data.keys()

    def get(self, key, default=None):
        return self._data.get(key, default)

    @property
    def latency_ms(self):
        return self._data["latency_ns"] * 1e-6

    @property
    def energy_mj(self):
        return self._data["energy_pj"] * 1e-9

    @property
    def kernels(self):
        """Per-kernel records (first inference, network order), as in the JSON."""
        return self._data["kernels"]

    def columns(self, numpy=None):
        """Per-kernel records as columns: {field: list}, numpy arrays when numpy is
        installed (numpy=False: always lists). Nested fields are flattened with '.'
        (energy_breakdown_pj.array, ...)."""
        cols = {}
        for i, k in enumerate(self.kernels):
            for name, value in _flatten(k):
                cols.setdefault(name, [None] * i).append(value)
            for col in cols.values():
                if len(col) < i + 1:
                    col.append(None)
        if numpy is not False:
            try:
                import numpy as np
            except ImportError:
                if numpy:
                    raise
                return cols
            return {name: np.asarray(col) for name, col in cols.items()}
        return cols

    def to_pandas(self):
        """One row per kernel (pandas.DataFrame; needs pandas: Debian's python3-pandas)."""
        import pandas as pd
        return pd.DataFrame(self.columns(numpy=False))

    def __repr__(self):
        d = self._data
        return (f"<h4hsim.Result {d['model']} on {d['arch']} ({d['schema']}): "
                f"{self.latency_ms:.4f} ms, {self.energy_mj:.4f} mJ, "
                f"{len(d['kernels'])} kernels>")


def _flatten(record, prefix=""):
    for key, value in record.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def run(model, arch, schema=None, batch=None, inferences=1, overrides=None, objective=None,
        search_runs=None, custom=None, explain=False):
    """Simulates `model` (.onnx, or a SCALE-Sim topology .csv) on the arch config `arch`
    (YAML), as `h4hsim run --json` does; returns a Result.

    schema: npu_only, cim_static, hetero_parallel, auto, custom (default: auto with NPU
    and CIM, else the one unit's schema); custom: its rules YAML. batch: for a dynamic
    batch axis. inferences: back to back (the first cold, the last steady). overrides:
    {key: value} applied after the file, as `--set`. objective / search_runs: the auto
    schema's search. explain: add `--explain`'s per-kernel data under "explain"."""
    request = {"model": _path(model, "model"), "arch": _path(arch, "arch"),
               "overrides": _overrides(overrides), "inferences": inferences}
    for name, value in (("schema", schema), ("batch", batch), ("objective", objective),
                        ("search_runs", search_runs)):
        if value is not None:
            request[name] = value
    if custom is not None:
        request["custom"] = _path(custom, "custom")
    text = _simulate("run", request["arch"], request["overrides"],
                     (_json.dumps(request), bool(explain)))
    return Result(_json.loads(text))


def inspect(model, batch=1, precision_bits=8, inputs=None):
    """What the frontend makes of a model, as `h4hsim inspect --json` (a dict)."""
    return _json.loads(_core.inspect(_path(model, "model"), batch, precision_bits,
                                     list(inputs or [])))


def load_arch(path, overrides=None):
    """The fully resolved arch config, as `h4hsim config show --json`: {"values": nested
    keys as in the YAML, "units", "from_preset", "config_hash", "origin"}."""
    return _json.loads(_core.load_arch(_path(path, "arch"), _overrides(overrides)))


class SweepRows(list):
    """The rows of a sweep results DB (list of dicts: one per point x model x schema)."""

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame(list(self))


def read_sweep(db):
    """Every row of a `h4hsim sweep run` results DB (checked as `sweep report` checks it)."""
    return SweepRows(_json.loads(_core.read_sweep(_path(db, "db"))))


def nas_sample(space, count=1, seed=1):
    """Random subnet encodings of a search space (file or bundled name), as `nas sample`."""
    return _core.nas_sample(str(space), count, seed)


def _nas_args(space, arch, overrides, schema, inference):
    args = {"space": str(space), "arch": _path(arch, "arch"), "overrides": _overrides(overrides),
            "inference": inference}
    if schema is not None:
        args["schema"] = schema
    return args


def nas_estimate(space, arch, lut, subnets, schema=None, inference="cold", overrides=None):
    """LUT estimate(s), as `nas estimate`: one encoding (or 'largest'/'smallest') gives a
    dict {subnet, latency_ns, energy_pj, sum_latency_ns, sum_energy_pj, macs}; a list gives
    a list of them."""
    one = isinstance(subnets, str)
    args = _nas_args(space, arch, overrides, schema, inference)
    args["lut"] = _path(lut, "lut")
    args["subnets"] = [subnets] if one else list(subnets)
    out = _json.loads(_core.nas_estimate(_json.dumps(args)))
    return out[0] if one else out


def nas_lut(space, arch, out, schema=None, inference="cold", calibration=None, seed=None,
            overrides=None):
    """Builds (or completes) the per-block LUT in `out` by simulation and fits the
    correction, as `nas lut`; returns what it did (entries, new_entries, correction)."""
    args = _nas_args(space, arch, overrides, schema, inference)
    args["out"] = _path(out, "out")
    if calibration is not None:
        args["calibration"] = calibration
    if seed is not None:
        args["seed"] = seed
    text = _simulate("nas_lut", args["arch"], args["overrides"], (_json.dumps(args),))
    return _json.loads(text)
