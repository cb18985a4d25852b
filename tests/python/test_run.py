"""h4hsim.run: the numbers, keys and messages of `h4hsim run --json`, for several models
and configs in one interpreter (the first config in process, the others in workers)."""
import os
import signal
import unittest

import h4hsim
from h4h_testing import CIM_ONLY, HETERO, NPU_ONLY, cli_error, cli_json, onnx, src


class RunMatchesTheCli(unittest.TestCase):
    def test_every_key_and_number_equals_run_json_on_several_models_and_configs(self):
        cases = [
            (onnx("mobilenet_v2_op17.onnx"), HETERO, {}, []),
            (onnx("resnet18_op17.onnx"), HETERO, {"inferences": 2}, ["--inferences", "2"]),
            (onnx("mobilenet_v2_op17.onnx"), NPU_ONLY, {}, []),
            (src("tests", "data", "scalesim", "alexnet.csv"), NPU_ONLY, {}, []),
            (onnx("efficientnet_b0_op17.onnx"), CIM_ONLY, {"batch": 1}, ["--batch", "1"]),
            (onnx("mobilenet_v2_op17.onnx"), HETERO,
             {"schema": "hetero_parallel", "overrides": {"cim.macro_count": 32}},
             ["--schema", "hetero_parallel", "--set", "cim.macro_count=32"]),
            (onnx("googlenet_op17.onnx"), HETERO, {"objective": "energy", "search_runs": 4},
             ["--objective", "energy", "--search-runs", "4"]),
        ]
        for model, arch, kwargs, flags in cases:
            with self.subTest(model=os.path.basename(model), arch=os.path.basename(arch), kw=kwargs):
                flag = "--topology" if model.endswith(".csv") else "--model"
                expected = cli_json("run", flag, model, "--arch", arch, *flags)
                got = h4hsim.run(model, arch, **kwargs)
                self.assertEqual(got.to_dict(), expected)

    def test_explain_adds_the_clis_explain_section(self):
        model = onnx("mobilenet_v2_op17.onnx")
        expected = cli_json("run", "--model", model, "--arch", HETERO, "--explain")
        self.assertEqual(h4hsim.run(model, HETERO, explain=True).to_dict(), expected)

    def test_a_config_used_again_gives_the_same_result(self):
        model = onnx("mobilenet_v2_op17.onnx")
        for arch in (HETERO, NPU_ONLY, HETERO, NPU_ONLY):
            with self.subTest(arch=os.path.basename(arch)):
                self.assertEqual(h4hsim.run(model, arch).to_dict(),
                                 cli_json("run", "--model", model, "--arch", arch))


class Overrides(unittest.TestCase):
    def test_an_override_changes_the_result_as_set_does(self):
        model = onnx("mobilenet_v2_op17.onnx")
        base = h4hsim.run(model, HETERO)
        more = h4hsim.run(model, HETERO, overrides={"cim.macro_count": 32})
        self.assertNotEqual(base["latency_ns"], more["latency_ns"])
        as_list = h4hsim.run(model, HETERO, overrides=["cim.macro_count=32"])
        self.assertEqual(more.to_dict(), as_list.to_dict())

    def test_a_bad_override_raises_the_clis_message(self):
        model = onnx("mobilenet_v2_op17.onnx")
        for key, value in (("cim.macro_cont", 32), ("cim.macro_count", -1),
                           ("npu.array.rows", "many"), ("dram.kind", "ddr9")):
            with self.subTest(key=key, value=value):
                expected = cli_error("run", "--model", model, "--arch", HETERO, "--set",
                                     f"{key}={value}")
                with self.assertRaises(h4hsim.UserError) as ctx:
                    h4hsim.run(model, HETERO, overrides={key: value})
                self.assertEqual(str(ctx.exception), expected)

    def test_booleans_are_written_as_yaml_booleans(self):
        model = onnx("mobilenet_v2_op17.onnx")
        off = h4hsim.run(model, HETERO, overrides={"memory.activations_on_chip": False})
        self.assertEqual(off.to_dict(), cli_json("run", "--model", model, "--arch", HETERO, "--set",
                                                 "memory.activations_on_chip=false"))


class UserMistakes(unittest.TestCase):
    def test_each_mistake_raises_user_error_with_one_line_and_the_interpreter_goes_on(self):
        model = onnx("mobilenet_v2_op17.onnx")
        with self.assertRaises(ValueError):  # UserError is a ValueError
            h4hsim.run(model, src("arch_configs", "missing.yaml"))
        mistakes = [
            ({"model": src("missing.onnx")}, ["--model", src("missing.onnx")]),
            ({"schema": "bogus"}, ["--model", model, "--schema", "bogus"]),
            ({"batch": 0}, None),
            ({"inferences": 0}, None),
            ({"schema": "custom"}, None),
            ({"schema": "npu_only", "search_runs": 3}, None),
            ({"model": src("tests", "data", "bad", "truncated.onnx")},
             ["--model", src("tests", "data", "bad", "truncated.onnx")]),
            ({"model": 42}, None),
            ({"overrides": 42}, None),
        ]
        for kwargs, flags in mistakes:
            with self.subTest(kwargs=kwargs):
                args = {"model": model, "arch": HETERO, **kwargs}
                with self.assertRaises(h4hsim.UserError) as ctx:
                    h4hsim.run(**args)
                msg = str(ctx.exception)
                self.assertTrue(msg and "\n" not in msg, msg)
                if flags is not None:
                    self.assertEqual(msg, cli_error("run", "--arch", HETERO, *flags))
        # Still alive, and both the in-process and the worker paths still simulate.
        self.assertGreater(h4hsim.run(model, HETERO)["latency_ns"], 0)
        self.assertGreater(h4hsim.run(model, NPU_ONLY)["latency_ns"], 0)


class Workers(unittest.TestCase):
    def test_a_killed_worker_is_an_exception_and_the_next_call_starts_a_new_one(self):
        model = onnx("mobilenet_v2_op17.onnx")
        h4hsim.run(model, HETERO)  # this process holds hetero (or already did)
        expected = h4hsim.run(model, NPU_ONLY).to_dict()  # npu_only: a worker
        workers = list(h4hsim._pool._workers.values())
        self.assertTrue(workers)
        for w in workers:
            os.kill(w.proc.pid, signal.SIGKILL)
            w.proc.wait()
        with self.assertRaises(RuntimeError) as ctx:
            workers[0].call("run", ("{}", False))
        self.assertIn("ended (signal 9)", str(ctx.exception))
        self.assertEqual(h4hsim.run(model, NPU_ONLY).to_dict(), expected)

    def test_close_ends_the_workers_and_a_later_call_starts_them_again(self):
        model = onnx("mobilenet_v2_op17.onnx")
        expected = h4hsim.run(model, CIM_ONLY).to_dict()
        h4hsim.close()
        self.assertEqual(h4hsim._pool._workers, {})
        self.assertEqual(h4hsim.run(model, CIM_ONLY).to_dict(), expected)


class Columns(unittest.TestCase):
    def test_columns_hold_every_kernel_record_field_in_network_order(self):
        r = h4hsim.run(onnx("mobilenet_v2_op17.onnx"), HETERO)
        cols = r.columns(numpy=False)
        self.assertEqual(cols["name"], [k["name"] for k in r.kernels])
        self.assertEqual(cols["energy_pj"], [k["energy_pj"] for k in r.kernels])
        self.assertEqual(cols["energy_breakdown_pj.dram"],
                         [k["energy_breakdown_pj"]["dram"] for k in r.kernels])
        self.assertAlmostEqual(r.latency_ms, r["latency_ns"] * 1e-6)
        self.assertAlmostEqual(r.energy_mj, r["energy_pj"] * 1e-9)

    def test_columns_are_numpy_arrays_when_numpy_is_installed(self):
        try:
            import numpy as np
        except ImportError:
            self.skipTest("numpy is not installed (Debian: python3-numpy)")
        r = h4hsim.run(onnx("mobilenet_v2_op17.onnx"), HETERO)
        energy = r.columns()["energy_pj"]
        self.assertIsInstance(energy, np.ndarray)
        self.assertAlmostEqual(float(energy.sum()), sum(k["energy_pj"] for k in r.kernels), places=3)

    def test_to_pandas_has_one_row_per_kernel(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            self.skipTest("pandas is not installed (Debian: python3-pandas)")
        r = h4hsim.run(onnx("mobilenet_v2_op17.onnx"), HETERO)
        df = r.to_pandas()
        self.assertEqual(len(df), len(r.kernels))
        total = sum(k["energy_pj"] for k in r.kernels)  # summed in another order: relative
        self.assertAlmostEqual(df["energy_pj"].sum(), total, delta=1e-12 * abs(total))


if __name__ == "__main__":
    unittest.main()
