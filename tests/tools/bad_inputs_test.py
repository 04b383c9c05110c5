#!/usr/bin/python3
"""Hostile and wrong inputs to swapconv and swaprun: each must end with a clear
message on stderr, a non-zero exit (never a signal), and no output file left behind.

usage: bad_inputs_test.py BIN_DIR FIXTURE_DIR WORK_DIR
Uses the width-8 inswapper fixture (opset 13) exported by the model fixtures.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import unittest

import numpy as np
import onnx
import onnx.numpy_helper
from onnx import TensorProto, helper

BIN, FIXTURES, WORK = sys.argv[1:4] if len(sys.argv) >= 4 else ("", "", "")
STEM = "inswapper_128_w8"


def run(*args):
    # Messages may quote damaged names: decode them leniently.
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, errors="replace", timeout=300)


class BadInputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(WORK, exist_ok=True)
        cls.onnx_path = os.path.join(FIXTURES, STEM + "_op13.onnx")
        cls.target = os.path.join(FIXTURES, STEM + ".target.npy")
        cls.source = os.path.join(FIXTURES, STEM + ".source.npy")
        cls.swpk = os.path.join(WORK, "good.swpk")
        r = run(os.path.join(BIN, "swapconv"), cls.onnx_path, cls.swpk)
        assert r.returncode == 0, r.stderr
        with open(cls.onnx_path, "rb") as f:
            cls.onnx_bytes = f.read()
        with open(cls.swpk, "rb") as f:
            cls.swpk_bytes = f.read()

    def out(self, name):
        path = os.path.join(WORK, name)
        if os.path.exists(path):
            os.remove(path)
        return path

    def assert_clean_failure(self, result, output, *fragments):
        self.assertGreater(result.returncode, 0, f"exit {result.returncode}: {result.stderr}")
        self.assertLess(result.returncode, 126, f"killed by a signal? {result.stderr}")
        self.assertIn("error", result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        if output:
            self.assertFalse(os.path.exists(output), "a partial output file was left behind")
            leftovers = [f for f in os.listdir(os.path.dirname(output)) if os.path.basename(output) in f]
            self.assertEqual(leftovers, [], "a temporary file was left behind")

    def convert(self, data, name):
        src = os.path.join(WORK, name + ".onnx")
        with open(src, "wb") as f:
            f.write(data)
        out = self.out(name + ".swpk")
        return run(os.path.join(BIN, "swapconv"), src, out), out

    def infer(self, swpk_path, out, *inputs):
        args = [os.path.join(BIN, "swaprun"), "infer", swpk_path]
        for i in inputs:
            args += ["--input", i]
        return run(*args, "--output", "output=" + out)

    def test_truncated_onnx(self):
        rng = random.Random(1)
        for cut in [0, 1, 7, 100, len(self.onnx_bytes) // 3, len(self.onnx_bytes) - 1] + \
                [rng.randrange(len(self.onnx_bytes)) for _ in range(6)]:
            r, out = self.convert(self.onnx_bytes[:cut], "truncated")
            self.assert_clean_failure(r, out)

    def test_bit_flipped_onnx_never_crashes(self):
        rng = random.Random(2)
        # Flips in the first kilobytes hit structure (graph, nodes, attributes); the
        # rest hits weights, which ONNX cannot detect: then conversion may succeed.
        for i in range(40):
            data = bytearray(self.onnx_bytes)
            at = rng.randrange(4096) if i % 2 == 0 else rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
            r, out = self.convert(bytes(data), "flipped")
            self.assertIn(r.returncode, (0, 1), f"offset {at}: exit {r.returncode}: {r.stderr}")
            if r.returncode == 1:
                self.assertTrue(r.stderr.startswith("swapconv: error: "), r.stderr)
                self.assertFalse(os.path.exists(out))

    def test_not_onnx(self):
        r, out = self.convert(b"\x89PNG\r\n\x1a\n" + bytes(200), "png")
        self.assert_clean_failure(r, out, "png.onnx")

    def test_truncated_swpk(self):
        rng = random.Random(3)
        out = self.out("never.npy")
        for cut in [0, 10, 64, 100, len(self.swpk_bytes) // 2, len(self.swpk_bytes) - 1] + \
                [rng.randrange(len(self.swpk_bytes)) for _ in range(4)]:
            path = os.path.join(WORK, "truncated.swpk")
            with open(path, "wb") as f:
                f.write(self.swpk_bytes[:cut])
            r = self.infer(path, out, "target=" + self.target, "source=" + self.source)
            self.assert_clean_failure(r, out, "truncated.swpk")

    def test_bit_flipped_swpk(self):
        rng = random.Random(4)
        out = self.out("never.npy")
        for _ in range(20):
            data = bytearray(self.swpk_bytes)
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
            path = os.path.join(WORK, "flipped.swpk")
            with open(path, "wb") as f:
                f.write(data)
            r = self.infer(path, out, "target=" + self.target, "source=" + self.source)
            self.assert_clean_failure(r, out, "flipped.swpk")

    def test_other_version_swpk(self):
        data = bytearray(self.swpk_bytes)
        data[8:12] = struct.pack("<I", 99)
        path = os.path.join(WORK, "v99.swpk")
        with open(path, "wb") as f:
            f.write(data)
        out = self.out("never.npy")
        r = self.infer(path, out, "target=" + self.target, "source=" + self.source)
        self.assert_clean_failure(r, out, "version 99")

    def test_wrong_input_shape(self):
        bad = os.path.join(WORK, "small_target.npy")
        np.save(bad, np.zeros((1, 3, 64, 64), np.float32))
        out = self.out("never.npy")
        r = self.infer(self.swpk, out, "target=" + bad, "source=" + self.source)
        self.assert_clean_failure(r, out, "target")

    def test_wrong_input_name(self):
        out = self.out("never.npy")
        r = self.infer(self.swpk, out, "targte=" + self.target, "source=" + self.source)
        self.assert_clean_failure(r, out, "targte")

    def test_missing_input(self):
        out = self.out("never.npy")
        r = self.infer(self.swpk, out, "target=" + self.target)
        self.assert_clean_failure(r, out, "source")

    def test_unsupported_op(self):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
        graph = helper.make_graph([helper.make_node("Hardmax", ["x"], ["y"], name="the_hardmax")], "g", [x], [y])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        r, out = self.convert(model.SerializeToString(), "hardmax")
        self.assert_clean_failure(r, out, "the_hardmax", "Hardmax", "not supported")

    def test_external_data_rejected(self):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
        w = onnx.numpy_helper.from_array(np.arange(4, dtype=np.float32), "w")
        graph = helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "g", [x], [y], [w])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.external_data_helper.convert_model_to_external_data(model, size_threshold=0, location="w.bin")
        r, out = self.convert(model.SerializeToString(), "external")
        self.assert_clean_failure(r, out, "external")

    def test_output_directory_missing(self):
        out = os.path.join(WORK, "no_such_dir", "out.npy")
        r = self.infer(self.swpk, out, "target=" + self.target, "source=" + self.source)
        self.assert_clean_failure(r, None, "no_such_dir")

    def test_bad_command_line_values(self):
        for args in (["infer"], ["infer", self.swpk, "--threads", "abc"], ["infer", self.swpk, "--threads", "-1"],
                     ["infer", self.swpk, "--repeat"], ["frobnicate"], ["infer", self.swpk, "--input", "noequals"]):
            r = run(os.path.join(BIN, "swaprun"), *args)
            self.assertEqual(r.returncode, 2, f"{args}: exit {r.returncode}: {r.stderr}")
        for args in ([], ["a.onnx"], ["--bind", "x"], ["--frob"]):
            r = run(os.path.join(BIN, "swapconv"), *args)
            self.assertEqual(r.returncode, 2, f"{args}: exit {r.returncode}: {r.stderr}")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
