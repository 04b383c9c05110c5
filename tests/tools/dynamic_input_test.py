#!/usr/bin/python3
"""Models whose inputs leave dimensions open, as insightface's det_10g leaves its height and
width ('?') and its recognizers their batch: swapconv asks for --input-shape and converts
with it to the same model as a fixed-shape export; `swaprun swap --models DIR` converts such
a detector at 640 x 640 on its own, or at --det-size.

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


class DetectorSizes(unittest.TestCase):
    """--det-size: a detector exported as insightface's det_10g (height and width open, the
    neck's upsampling sized from the input) converts and runs at any multiple of 32, is
    cached once per size, and a detector of a fixed size refuses another one."""

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(os.getcwd(), "models"))
        import scrfd
        import torch
        from face_common import export_onnx, seeded_images

        cls.work = os.path.join(WORK, "det_size")
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)
        arch = scrfd.SCRFD_10G.scaled(8)
        model = scrfd.build(arch)
        proto = export_onnx(model, scrfd.default_input(arch), scrfd.INPUT_NAME, scrfd.OUTPUT_NAMES, 11,
                            open_height_width=True)
        cls.open_detector = os.path.join(cls.work, "det_open.onnx")
        onnx.save(proto, cls.open_detector)
        # A 16:9 frame's detector input, and the replica's outputs for it in PyTorch.
        cls.input = os.path.join(cls.work, "input_384x640.npy")
        x = seeded_images(1, 384, 640, arch.seed + 5)
        np.save(cls.input, x)
        with torch.no_grad():
            cls.expected = [t.numpy() for t in model(torch.from_numpy(x))]
        cls.output_names = list(scrfd.OUTPUT_NAMES)

    def path(self, name):
        return os.path.join(self.work, name)

    def swap(self, models, output, *options):
        return run(os.path.join(BIN, "swaprun"), "swap", "--source", "data/astronaut.png", "--target",
                   "data/astronaut.png", "--source-landmarks", LANDMARKS, "-o", output, "--threads", "1",
                   *(["--models", models] if models else []), *options)

    def models_with(self, name, detector):
        models = self.path(name)
        os.makedirs(models)
        shutil.copy(detector, os.path.join(models, "det_10g.onnx"))
        shutil.copy(os.path.join(FIXTURES, "arcface_r50_w8_op11.onnx"), os.path.join(models, "w600k_r50.onnx"))
        shutil.copy(os.path.join(FIXTURES, "inswapper_128_w8_op13.onnx"),
                    os.path.join(models, "inswapper_128.onnx"))
        return models

    def cached_detector_inputs(self, models):
        inputs = []
        for name in sorted(os.listdir(models)):
            if name.startswith("det_10g.") and name.endswith(".swpk"):
                info = run(os.path.join(BIN, "swaprun"), "info", os.path.join(models, name))
                self.assertEqual(info.returncode, 0, info.stderr)
                inputs += [line.split("input.1 ")[1].strip() for line in info.stdout.splitlines()
                           if "input.1 [" in line]
        return sorted(inputs)

    def test_the_open_detector_matches_pytorch_at_640x384(self):
        swpk = self.path("det_384x640.swpk")
        r = run(os.path.join(BIN, "swapconv"), self.open_detector, swpk, "--input-shape", "input.1=1,3,384,640")
        self.assertEqual(r.returncode, 0, r.stderr)
        outputs = [arg for name in self.output_names for arg in ("--output", f"{name}={self.path(name)}.npy")]
        r = run(os.path.join(BIN, "swaprun"), "infer", swpk, "--input", f"input.1={self.input}", "--threads", "1",
                *outputs)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, want in zip(self.output_names, self.expected):
            got = np.load(self.path(name) + ".npy")
            with self.subTest(output=name):
                # 384 x 640: 48 x 80 locations at stride 8, 2 anchors each.
                self.assertEqual(got.shape, want.shape)
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-4 * max(1.0, float(np.abs(want).max())))
        self.assertEqual(self.expected[0].shape, (48 * 80 * 2, 1))

    def test_each_size_is_converted_once_and_cached_apart(self):
        models = self.models_with("models_open", self.open_detector)
        for options in ((), ("--det-size", "640x384"), ("--det-size", "640x384"), ("--det-size", "320x320")):
            output = self.path("swapped.png")
            r = self.swap(models, output, *options)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(os.path.exists(output))
            os.remove(output)
        self.assertEqual(self.cached_detector_inputs(models),
                         ["[1, 3, 320, 320]", "[1, 3, 384, 640]", "[1, 3, 640, 640]"])

    def test_a_fixed_detector_refuses_another_size(self):
        models = self.models_with("models_fixed", os.path.join(FIXTURES, "scrfd_10g_w8_op11.onnx"))
        output = self.path("refused.png")
        r = self.swap(models, output, "--det-size", "640x384")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("input size is fixed at 640x640; it cannot run at 640x384", r.stderr)
        self.assertFalse(os.path.exists(output))
        # Its own size, named or not, runs.
        r = self.swap(models, output, "--det-size", "640x640")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_the_embedded_detector_refuses_another_size(self):
        output = self.path("embedded.png")
        r = self.swap(None, output, "--det-size", "640x384")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("--det-size with the embedded detector", r.stderr)
        self.assertFalse(os.path.exists(output))

    def test_bad_sizes_are_usage_errors(self):
        output = self.path("bad.png")
        for value in ("640", "640x380", "0x640", "4096x4096", "640x", "ax640", "640x384x3"):
            with self.subTest(value=value):
                r = self.swap(None, output, "--det-size", value)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--det-size", r.stderr)
                self.assertFalse(os.path.exists(output))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
