#!/usr/bin/python3
"""swaprun swap on the command line: a real run on the sample portrait with seeded models
under insightface's file names, model discovery and ONNX conversion on first use, and
wrong or hostile input (each: a clear message, a non-zero exit, no output file).

usage: swap_cli_test.py --bin BIN_DIR --work WORK_DIR [--fixtures FIXTURE_DIR]
Run from the project root (data/ is relative to it). With --fixtures holding
inswapper_128_w8_op13.onnx (models/export.py), the ONNX conversion cache is tested too;
without it those tests are skipped and say so.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import unittest
import zlib

from PIL import Image

ARGS = None
PORTRAIT = "data/astronaut.png"
# data/astronaut.landmarks.json, as --*-landmarks takes them
LANDMARKS = "203,101.5,246,102.5,224.5,126,205,141.5,242,141"
# The same face mirrored (x -> 511 - x, left and right swapped), for a distinct source.
MIRRORED_LANDMARKS = "265,102.5,308,101.5,286.5,126,269,141,306,141.5"


def run(*args):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, errors="replace",
                          timeout=240)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width, height):
    """A PNG whose header claims width x height, with a tiny (wrong) body."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + png_chunk(b"IEND", b""))


class SwapCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.swaprun = os.path.join(ARGS.bin, "swaprun")
        cls.work = ARGS.work
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)
        cls.models = os.path.join(cls.work, "models")
        r = run(os.path.join(ARGS.bin, "pipeline_cli_models"), cls.models)
        assert r.returncode == 0, r.stderr
        cls.mirrored = os.path.join(cls.work, "mirrored.png")
        Image.open(PORTRAIT).convert("RGB").transpose(Image.FLIP_LEFT_RIGHT).save(cls.mirrored)

    def out(self, name):
        path = os.path.join(self.work, name)
        if os.path.exists(path):
            os.remove(path)
        return path

    def swap(self, *extra, output=None, source=None, target=PORTRAIT, models=True):
        output = output or self.out("out.png")
        args = [self.swaprun, "swap", "--source", source or self.mirrored, "--target", target,
                "-o", output]
        if models:
            args += ["--models", self.models]
        return run(*args, *extra), output

    def assert_swapped(self, r, output, faces=1):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"swapped {faces} face", r.stdout)
        before = Image.open(PORTRAIT).convert("RGB")
        after = Image.open(output).convert("RGB")
        self.assertEqual(after.size, before.size)
        # The face changed; the corners (far outside the face's box) did not.
        changed = sum(a != b for a, b in zip(before.getdata(), after.getdata()))
        self.assertGreater(changed, 2000)
        for xy in [(0, 0), (511, 0), (0, 511), (511, 511), (100, 400)]:
            self.assertEqual(before.getpixel(xy), after.getpixel(xy), xy)
        return after

    def assert_fails(self, r, output, *phrases, code=1):
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        for p in phrases:
            self.assertIn(p, r.stderr)
        self.assertFalse(os.path.exists(output), "an output file was left behind")
        leftovers = [f for f in os.listdir(os.path.dirname(output)) if f.startswith(".")]
        self.assertEqual(leftovers, [], "a temporary file was left behind")

    def test_detected_faces(self):
        r, output = self.swap()
        self.assert_swapped(r, output)

    def test_landmarks_by_hand_give_the_same_result_as_detection(self):
        # The planted detector reports the portrait's hand-placed points in any image.
        r, detected = self.swap(source=PORTRAIT, output=self.out("detected.png"))
        self.assertEqual(r.returncode, 0, r.stderr)
        r, by_hand = self.swap("--source-landmarks", LANDMARKS, "--target-landmarks", LANDMARKS,
                               source=PORTRAIT, output=self.out("by_hand.png"))
        after = self.assert_swapped(r, by_hand)
        differing = sum(a != b for a, b in zip(Image.open(detected).convert("RGB").getdata(),
                                               after.getdata()))
        self.assertLess(differing, 50)  # float rounding of the decoded points only

    def test_jpeg_output_and_face_options(self):
        r, output = self.swap("--face", "0", output=self.out("out.jpg"))
        self.assertEqual(r.returncode, 0, r.stderr)
        with Image.open(output) as image:
            self.assertEqual(image.format, "JPEG")
        r, output = self.swap("--all-faces")
        self.assert_swapped(r, output)

    def test_pixel_boost(self):
        r, plain = self.swap(output=self.out("plain.png"))
        self.assertEqual(r.returncode, 0, r.stderr)
        for size in ("256", "512"):
            r, output = self.swap("--pixel-boost", size, output=self.out(f"boost{size}.png"))
            self.assert_swapped(r, output)

    def test_explicit_model_files(self):
        r, output = self.swap("--detector", os.path.join(self.models, "det_10g.swpk"),
                              "--recognizer", os.path.join(self.models, "w600k_r50.swpk"),
                              "--swapper", os.path.join(self.models, "inswapper_128.swpk"),
                              models=False)
        self.assert_swapped(r, output)
        r, output = self.swap("--swapper", "inswapper_128")
        self.assert_swapped(r, output)

    def test_no_face_found(self):
        r, output = self.swap("--models", os.path.join(self.models, "no_faces"), models=False)
        self.assert_fails(r, output, "no face found", "--source-landmarks")
        r, output = self.swap("--source-landmarks", MIRRORED_LANDMARKS, "--models",
                              os.path.join(self.models, "no_faces"), models=False)
        self.assert_fails(r, output, PORTRAIT + ": no face found", "--target-landmarks")

    def test_face_index_out_of_range(self):
        r, output = self.swap("--face", "1")
        self.assert_fails(r, output, "--face 1", "has 1 face")

    def test_bad_images(self):
        with open(PORTRAIT, "rb") as f:
            good = f.read()
        cases = {
            "truncated.png": good[: len(good) // 3],
            # A sound header, then image data that is not a zlib stream.
            "corrupt.png": good[:33] + png_chunk(b"IDAT", b"\xff" * 200) + png_chunk(b"IEND", b""),
            "empty.png": b"",
            "text.png": b"this is not an image\n" * 10,
            "zero.png": png_header_only(0, 10),
            "huge.png": png_header_only(10000, 10000),  # 100 Mpx, over the 64 Mpx limit
        }
        for name, data in cases.items():
            path = os.path.join(self.work, name)
            with open(path, "wb") as f:
                f.write(data)
            for role in ("target", "source"):
                with self.subTest(name=name, role=role):
                    kw = {role: path}
                    r, output = self.swap(**kw)
                    self.assert_fails(r, output, path)
        r, output = self.swap(target=os.path.join(self.work, "huge.png"))
        self.assertIn("above the limit", r.stderr)
        r, output = self.swap(target=os.path.join(self.work, "missing.png"))
        self.assert_fails(r, output, "missing.png", "cannot open")

    def test_usage_errors(self):
        cases = [
            (["--target-landmarks", "1,2,3,4"], "10 numbers"),
            (["--target-landmarks", "1,2,3,4,5,6,7,8,9,x"], "'x' is not a number"),
            (["--source-landmarks", "1,2,3,4,5,6,7,8,9,10,11,12"], "10 numbers"),
            (["--face", "-1"], "--face"),
            (["--face", "0", "--all-faces"], "exclude each other"),
            (["--pixel-boost", "300"], "256 or 512"),
            (["--device", "gpu"], "--device"),
            (["--bogus"], "unknown option"),
        ]
        for extra, phrase in cases:
            with self.subTest(extra=extra):
                r, output = self.swap(*extra)
                self.assert_fails(r, output, phrase, code=2)
        r = run(self.swaprun, "swap", "--source", PORTRAIT, "-o", self.out("x.png"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("--target", r.stderr)
        r, output = self.swap(output=self.out("out.gif"))
        self.assert_fails(r, output, ".png, .jpg or .jpeg", code=2)

    def test_landmarks_outside_the_image(self):
        r, output = self.swap("--target-landmarks", "203,101.5,246,102.5,224.5,126,205,141.5,242,900")
        self.assert_fails(r, output, "outside the 512x512 image")

    def test_missing_models(self):
        empty = os.path.join(self.work, "empty_models")
        os.makedirs(empty, exist_ok=True)
        partial = os.path.join(self.work, "partial_models")
        os.makedirs(partial, exist_ok=True)
        shutil.copy(os.path.join(self.models, "w600k_r50.swpk"), partial)
        r, output = self.swap("--models", partial, models=False)
        self.assert_fails(r, output, "no face swapper", "inswapper_128.onnx")
        r, output = self.swap("--swapper", "nonesuch")
        self.assert_fails(r, output, "nonesuch")
        r, output = self.swap("--models", os.path.join(self.work, "no_such_dir"), models=False)
        self.assert_fails(r, output, "not a directory")
        r, output = self.swap("--models", empty, models=False)
        if "no embedded default models" in r.stderr:
            self.assert_fails(r, output, "no models found in " + empty)
        else:  # the embedded defaults run, with the warning
            self.assertIn("synthetic", r.stderr)

    def test_wrong_model_in_a_role(self):
        wrong = os.path.join(self.work, "wrong_models")
        os.makedirs(wrong, exist_ok=True)
        for name in ("det_10g.swpk", "inswapper_128.swpk"):
            shutil.copy(os.path.join(self.models, name), wrong)
        shutil.copy(os.path.join(self.models, "inswapper_128.swpk"), os.path.join(wrong, "w600k_r50.swpk"))
        r, output = self.swap("--models", wrong, models=False)
        self.assert_fails(r, output, "w600k_r50.swpk", "not an ArcFace recognizer")

    def test_onnx_swapper_is_converted_once_and_cached(self):
        onnx = os.path.join(ARGS.fixtures or "", "inswapper_128_w8_op13.onnx")
        if not ARGS.fixtures or not os.path.exists(onnx):
            self.skipTest(f"{onnx} not exported (models/export.py --widths 8 --opsets 13)")
        models = os.path.join(self.work, "onnx_models")
        shutil.rmtree(models, ignore_errors=True)
        os.makedirs(models)
        for name in ("det_10g.swpk", "w600k_r50.swpk"):
            shutil.copy(os.path.join(self.models, name), models)
        shutil.copy(onnx, os.path.join(models, "inswapper_128.onnx"))
        r, first = self.swap("--models", models, models=False, output=self.out("onnx1.png"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("converting", r.stderr)
        cached = [f for f in os.listdir(models) if f.startswith("inswapper_128.") and f.endswith(".swpk")]
        self.assertEqual(len(cached), 1, os.listdir(models))
        self.assertRegex(cached[0], r"^inswapper_128\.[0-9a-f]{16}\.swpk$")
        r, second = self.swap("--models", models, models=False, output=self.out("onnx2.png"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("converting", r.stderr)
        with open(first, "rb") as a, open(second, "rb") as b:
            self.assertEqual(a.read(), b.read())
        # A changed file (here only its doc string) is converted again, under a new name.
        import onnx
        path = os.path.join(models, "inswapper_128.onnx")
        proto = onnx.load(path)
        proto.doc_string = "changed"
        onnx.save(proto, path)
        r, third = self.swap("--models", models, models=False, output=self.out("onnx3.png"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("converting", r.stderr)
        cached = [f for f in os.listdir(models) if f.startswith("inswapper_128.") and f.endswith(".swpk")]
        self.assertEqual(len(cached), 2, os.listdir(models))
        # A damaged cache entry is converted again rather than trusted.
        for name in cached:
            with open(os.path.join(models, name), "r+b") as f:
                f.seek(4096)
                f.write(b"\xff" * 64)
        r, fourth = self.swap("--models", models, models=False, output=self.out("onnx4.png"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("converting again", r.stderr)
        with open(third, "rb") as a, open(fourth, "rb") as b:
            self.assertEqual(a.read(), b.read())


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--fixtures")
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
