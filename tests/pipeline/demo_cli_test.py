#!/usr/bin/python3
"""swaprun demo: the embedded models on the embedded portrait, from a directory with no
source tree in it. Skipped (exit 77, with the reason) when the build embedded no models
(models/builtin/ empty when it was built).

usage: demo_cli_test.py --bin BIN_DIR --work WORK_DIR
"""
import argparse
import os
import shutil
import subprocess
import sys
import unittest

from PIL import Image

ARGS = None


def run(*args, cwd=None):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, errors="replace",
                          timeout=240, cwd=cwd)


class DemoCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.swaprun = os.path.abspath(os.path.join(ARGS.bin, "swaprun"))
        cls.work = os.path.abspath(ARGS.work)
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)

    def test_default_output_in_the_current_directory(self):
        r = run(self.swaprun, "demo", cwd=self.work)
        self.assertEqual(r.returncode, 0, r.stderr)
        output = os.path.join(self.work, "swaprun-demo.png")
        with Image.open(output) as image:
            self.assertEqual(image.size, (512, 512))
        self.assertIn("synthetic", r.stdout)
        self.assertIn("cannot give a real face swap", r.stdout)
        self.assertIn("landmarks", r.stdout)

    def test_output_named_and_jpeg(self):
        for name in ("demo.png", "demo.jpg"):
            output = os.path.join(self.work, name)
            r = run(self.swaprun, "demo", "-o", output, "--threads", "1")
            self.assertEqual(r.returncode, 0, r.stderr)
            with Image.open(output) as image:
                self.assertEqual(image.format, "PNG" if name.endswith("png") else "JPEG")

    def test_the_face_changes_and_the_rest_does_not(self):
        output = os.path.join(self.work, "compare.png")
        r = run(self.swaprun, "demo", "-o", output)
        self.assertEqual(r.returncode, 0, r.stderr)
        before = Image.open(os.path.join(ARGS.data, "astronaut.png")).convert("RGB")
        after = Image.open(output).convert("RGB")
        changed = sum(a != b for a, b in zip(before.getdata(), after.getdata()))
        self.assertGreater(changed, 2000)
        for xy in [(0, 0), (511, 0), (0, 511), (511, 511), (100, 400)]:
            self.assertEqual(before.getpixel(xy), after.getpixel(xy), xy)

    def test_bad_arguments_write_nothing(self):
        for args, phrase in ((["-o", "x.gif"], ".png, .jpg or .jpeg"),
                             (["--source", "a.png"], "'demo' takes only"),
                             (["-o", os.path.join(self.work, "no_dir", "x.png")], "no_dir")):
            r = run(self.swaprun, "demo", *args, cwd=self.work)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(phrase, r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "x.gif")))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--data", default="data")
    ARGS, rest = p.parse_known_args()
    r = run(os.path.join(ARGS.bin, "swaprun"), "demo", "-o", os.path.join("/nonexistent", "x.png"))
    if "no embedded default models" in r.stderr:
        print("skipped: this build embedded no default models (models/builtin/ was empty)")
        return 77
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
