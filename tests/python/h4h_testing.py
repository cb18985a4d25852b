"""Shared by the Python package's tests: where the sources and the CLI are (ctest sets
H4H_SOURCE_DIR and H4H_CLI), and the CLI run as a subprocess for side-by-side checks."""
import json
import os
import subprocess
import tempfile

SOURCE_DIR = os.environ.get("H4H_SOURCE_DIR",
                            os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CLI = os.environ.get("H4H_CLI", os.path.join(SOURCE_DIR, "build", "cli", "h4hsim"))


def src(*parts):
    return os.path.join(SOURCE_DIR, *parts)


def onnx(name):
    return src("tests", "data", "onnx", name)


HETERO = src("arch_configs", "hetero.yaml")
NPU_ONLY = src("arch_configs", "npu_only.yaml")
CIM_ONLY = src("arch_configs", "cim_only.yaml")


def cli(*args, check=True):
    """Runs `h4hsim ARGS`; returns (exit code, stdout, stderr)."""
    p = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"h4hsim {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    return json.loads(cli(*args, "--json")[1])


def cli_error(*args):
    """The one-line message of a refused command, as the Python API should raise it."""
    code, _, err = cli(*args, check=False)
    assert code == 2, (code, err)
    prefix = "h4hsim: error: "
    assert err.startswith(prefix) and err.count("\n") == 1, err
    return err[len(prefix):].rstrip("\n")


def scratch():
    return tempfile.TemporaryDirectory(prefix="h4h_py_")
