"""The NAS helpers (nas_lut, nas_estimate, nas_sample) and read_sweep, against the CLI."""
import os
import re
import sqlite3
import unittest

import h4hsim
from h4h_testing import HETERO, NPU_ONLY, cli, cli_json, onnx, scratch


class Nas(unittest.TestCase):
    def test_lut_built_from_python_estimates_as_the_cli_does(self):
        with scratch() as d:
            for arch in (HETERO, NPU_ONLY):  # the second config runs in a worker
                with self.subTest(arch=os.path.basename(arch)):
                    lut = os.path.join(d, "t.lut")
                    done = h4hsim.nas_lut("h4h_fmnist", arch, lut, calibration=2)
                    self.assertGreater(done["entries"], 100)
                    self.assertEqual(done["correction"]["samples"], 2)
                    again = h4hsim.nas_lut("h4h_fmnist", arch, lut)
                    self.assertEqual(again["new_entries"], 0)  # completed, not redone
                    for subnet in ("largest", "smallest"):
                        out = cli("nas", "estimate", "--space", "h4h_fmnist", "--arch", arch,
                                  "--lut", lut, "--subnet", subnet)[1]
                        ms, mj = map(float, re.search(r"latency ([\d.]+) ms, energy ([\d.]+) mJ",
                                                      out).groups())
                        e = h4hsim.nas_estimate("h4h_fmnist", arch, lut, subnet)
                        self.assertAlmostEqual(e["latency_ns"] * 1e-6, ms, places=4)
                        self.assertAlmostEqual(e["energy_pj"] * 1e-9, mj, places=4)
                        self.assertEqual(e["subnet"], out.split(":")[0])

    def test_estimate_of_a_list_and_sampling_match_the_cli(self):
        encodings = h4hsim.nas_sample("h4h_fmnist", 3, seed=7)
        self.assertEqual(encodings, cli("nas", "sample", "--space", "h4h_fmnist", "-n", "3",
                                        "--seed", "7")[1].split())
        with scratch() as d:
            lut = os.path.join(d, "t.lut")
            h4hsim.nas_lut("h4h_fmnist", HETERO, lut, calibration=0)
            many = h4hsim.nas_estimate("h4h_fmnist", HETERO, lut, encodings)
            self.assertEqual([e["subnet"] for e in many], encodings)
            with self.assertRaises(h4hsim.UserError):  # no table for steady in this file
                h4hsim.nas_estimate("h4h_fmnist", HETERO, lut, "largest", inference="steady")
            with self.assertRaises(h4hsim.UserError):
                h4hsim.nas_estimate("h4h_fmnist", HETERO, lut, "r28_bogus")


class ReadSweep(unittest.TestCase):
    def test_rows_hold_what_the_runs_give(self):
        with scratch() as d:
            spec = os.path.join(d, "s.yaml")
            with open(spec, "w") as f:
                f.write(f"name: tiny\nbase: {HETERO}\naxes:\n  cim.macro_count: [8, 16]\n"
                        f"models: [{onnx('mobilenet_v2_op17.onnx')}]\n")
            db = os.path.join(d, "s.sqlite")
            cli("sweep", "run", spec, "--db", db, "-j", "1", "-q")
            rows = h4hsim.read_sweep(db)
            self.assertEqual(len(rows), 2)
            for row in rows:
                self.assertEqual(row["status"], "ok")
                expected = cli_json("run", "--model", onnx("mobilenet_v2_op17.onnx"), "--arch",
                                    HETERO, "--set", f"cim.macro_count={row['cim.macro_count']}")
                self.assertEqual(row["latency_ns"], expected["latency_ns"])
                self.assertEqual(row["energy_pj"], expected["energy_pj"])
            with sqlite3.connect(db) as con:
                self.assertEqual(len(rows), con.execute("SELECT count(*) FROM results").fetchone()[0])

    def test_a_file_that_is_not_a_results_db_raises_user_error(self):
        with scratch() as d:
            bogus = os.path.join(d, "x.sqlite")
            with open(bogus, "w") as f:
                f.write("not sqlite\n")
            with self.assertRaises(h4hsim.UserError) as ctx:
                h4hsim.read_sweep(bogus)
            self.assertIn(bogus, str(ctx.exception))
            with self.assertRaises(h4hsim.UserError):
                h4hsim.read_sweep(os.path.join(d, "missing.sqlite"))


if __name__ == "__main__":
    unittest.main()
