"""h4hsim.inspect and h4hsim.load_arch: `inspect --json` and `config show --json` as dicts."""
import unittest

import h4hsim
from h4h_testing import HETERO, NPU_ONLY, cli_error, cli_json, onnx, src


class Inspect(unittest.TestCase):
    def test_equals_inspect_json(self):
        for model, batch, bits in (("mobilenet_v2_op17.onnx", 1, 8), ("resnet18_op13.onnx", 2, 16),
                                   ("maxvit_t_op17.onnx", 1, 32)):
            with self.subTest(model=model, batch=batch, bits=bits):
                expected = cli_json("inspect", "--model", onnx(model), "--batch", str(batch),
                                    "--precision-bits", str(bits))
                self.assertEqual(h4hsim.inspect(onnx(model), batch=batch, precision_bits=bits),
                                 expected)

    def test_mistakes_raise_user_error(self):
        for kwargs in ({"model": src("missing.onnx")}, {"batch": 0}, {"precision_bits": 7},
                       {"model": src("tests", "data", "bad", "unsupported_op.onnx")}):
            with self.subTest(kwargs=kwargs):
                with self.assertRaises(h4hsim.UserError):
                    h4hsim.inspect(**{"model": onnx("mobilenet_v2_op17.onnx"), **kwargs})


class LoadArch(unittest.TestCase):
    def test_equals_config_show_json_with_overrides(self):
        for arch, overrides in ((HETERO, {}), (NPU_ONLY, {"npu.array.rows": 64}),
                                (HETERO, {"dram.kind": "lpddr5_6400", "dram.channels": 4})):
            with self.subTest(arch=arch, overrides=overrides):
                flags = [f for k, v in overrides.items() for f in ("--set", f"{k}={v}")]
                expected = cli_json("config", "show", arch, *flags)
                got = h4hsim.load_arch(arch, overrides)
                self.assertEqual(got, expected)
                for key, value in overrides.items():
                    node = got["values"]
                    for part in key.split("."):
                        node = node[part]
                    self.assertEqual(node, value)

    def test_preset_keys_are_marked(self):
        cfg = h4hsim.load_arch(HETERO, {"dram.kind": "lpddr5_6400", "dram.trcd_cycles": 40})
        self.assertIn("dram.trp_cycles", cfg["from_preset"])
        self.assertNotIn("dram.trcd_cycles", cfg["from_preset"])  # given, so not the preset's

    def test_a_bad_key_raises_the_clis_message(self):
        expected = cli_error("config", "show", HETERO, "--set", "npu.array.rowz=4")
        with self.assertRaises(h4hsim.UserError) as ctx:
            h4hsim.load_arch(HETERO, {"npu.array.rowz": 4})
        self.assertEqual(str(ctx.exception), expected)
        with self.assertRaises(h4hsim.UserError):
            h4hsim.load_arch(src("tests", "data", "onnx", "mobilenet_v2_op17.onnx"))


if __name__ == "__main__":
    unittest.main()
