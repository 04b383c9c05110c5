#!/usr/bin/python3
"""Models whose inputs leave dimensions open, as insightface's det_10g leaves its height and
width ('?') and its recognizers their batch: swapconv asks for --input-shape and converts
with it to the same model as a fixed-shape export; `swaprun swap --models DIR` converts such
a detector at 640 x 640 on its own.

usage: dynamic_input_test.py BIN_DIR FIXTURE_DIR WORK_DIR (run from the project root)
Uses the width-8 SCRFD, ArcFace and inswapper fixtures exported by the model fixtures.
"""
import os
import shutil
import subprocess
import sys
import unittest

import numpy as np
import onnx

BIN, FIXTURES, WORK = sys.argv[1:4] if len(sys.argv) >= 4 else ("", "", "")
LANDMARKS = "203,101.5,246,102.5,224.5,126,205,141.5,242,141"  # data/astronaut.landmarks.json


def run(*args):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, errors="replace",
                          timeout=300)


def with_open_dims(src, dst, dims, symbol="?"):
    """A copy of src whose first input declares the given dimensions open (dim_param)."""
    model = onnx.load(src)
    shape = model.graph.input[0].type.tensor_type.shape
    for i in dims:
        shape.dim[i].Clear()
        shape.dim[i].dim_param = symbol
    onnx.save(model, dst)


class DynamicInputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        cls.static = os.path.join(FIXTURES, "scrfd_10g_w8_op11.onnx")
        cls.input = os.path.join(FIXTURES, "scrfd_10g_w8.input.npy")
        cls.dynamic = os.path.join(WORK, "det_dynamic.onnx")
        with_open_dims(cls.static, cls.dynamic, (2, 3))

    def path(self, name):
        return os.path.join(WORK, name)

    def convert(self, src, out, *options):
        return run(os.path.join(BIN, "swapconv"), src, out, *options)

    def assert_fails(self, result, output, *fragments):
        self.assertGreater(result.returncode, 0, result.stderr)
        self.assertLess(result.returncode, 126, result.stderr)
        for fragment in fragments:
            self.assertIn(fragment, result.stderr)
        self.assertFalse(os.path.exists(output), "an output file was left behind")

    def infer(self, swpk, out):
        r = run(os.path.join(BIN, "swaprun"), "infer", swpk, "--input", f"input.1={self.input}",
                "--output", f"score_8={out}", "--threads", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        return np.load(out)

    def test_open_dimensions_need_a_shape(self):
        out = self.path("no_shape.swpk")
        r = self.convert(self.dynamic, out)
        self.assert_fails(r, out, "input.1", "dynamic dimension 2 ('?')", "--input-shape input.1=")

    def test_the_given_shape_converts_to_the_fixed_export(self):
        fixed, given = self.path("fixed.swpk"), self.path("given.swpk")
        self.assertEqual(self.convert(self.static, fixed).returncode, 0)
        r = self.convert(self.dynamic, given, "--input-shape", "input.1=1,3,640,640")
        self.assertEqual(r.returncode, 0, r.stderr)
        want = self.infer(fixed, self.path("fixed_score.npy"))
        got = self.infer(given, self.path("given_score.npy"))
        self.assertEqual(got.shape, (12800, 1))
        np.testing.assert_array_equal(got, want)

    def test_bad_shapes_are_refused(self):
        out = self.path("bad.swpk")
        for value, fragment in [
            ("input.1=2,3,640,640", "dimension 0 fixed at 1"),
            ("input.1=1,3,640", "has 4 dimensions"),
            ("image=1,3,640,640", "'image', which is not a run-time graph input"),
            ("input.1=1,3,0,640", "positive sizes"),
            ("input.1=1,3,640,x", "positive sizes"),
            ("input.1", "NAME=D0,D1"),
        ]:
            with self.subTest(value=value):
                self.assert_fails(self.convert(self.dynamic, out, "--input-shape", value), out, fragment)

    def test_a_size_the_graph_cannot_take_names_the_node_once(self):
        # The replica's upsampling was traced at 640 x 640 with fixed output sizes, so
        # another height meets a mismatch in the neck.
        out = self.path("h384.swpk")
        r = self.convert(self.dynamic, out, "--input-shape", "input.1=1,3,384,640")
        self.assert_fails(r, out, "node '/neck/Add' (Add): shapes", "do not broadcast")
        self.assertEqual(r.stderr.count("/neck/Add"), 1, r.stderr)

    def test_the_model_store_converts_an_open_detector_at_640(self):
        models = self.path("models")
        os.makedirs(models)
        with_open_dims(self.static, os.path.join(models, "det_10g.onnx"), (2, 3))
        with_open_dims(os.path.join(FIXTURES, "arcface_r50_w8_op11.onnx"),
                       os.path.join(models, "w600k_r50.onnx"), (0,), "None")
        shutil.copy(os.path.join(FIXTURES, "inswapper_128_w8_op13.onnx"),
                    os.path.join(models, "inswapper_128.onnx"))
        output = self.path("swapped.png")
        r = run(os.path.join(BIN, "swaprun"), "swap", "--source", "data/astronaut.png", "--target",
                "data/astronaut.png", "--models", models, "--source-landmarks", LANDMARKS,
                "--target-landmarks", LANDMARKS, "-o", output, "--threads", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(output))
        cached = [f for f in os.listdir(models) if f.startswith("det_10g.") and f.endswith(".swpk")]
        self.assertEqual(len(cached), 1, os.listdir(models))
        info = run(os.path.join(BIN, "swaprun"), "info", os.path.join(models, cached[0]))
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertIn("input.1 [1, 3, 640, 640]", info.stdout)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
