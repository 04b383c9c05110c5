#!/usr/bin/python3
"""swaprun stream on the command line: ffmpeg (the Debian package) makes a short Y4M clip of
the sample portrait, swaprun stream swaps a face into it with seeded models under
insightface's file names, and ffmpeg reads the result back; raw RGB24 frames; a pipe from
ffmpeg through swaprun into ffmpeg; truncated, empty, zero-size and oversized input (each: a
clear message and a non-zero exit).

usage: stream_cli_test.py --bin BIN_DIR --work WORK_DIR
Run from the project root (data/ is relative to it). Exits 77 (skipped) without ffmpeg.
"""
import argparse
import os
import shutil
import subprocess
import sys
import unittest

from PIL import Image

ARGS = None
PORTRAIT = "data/astronaut.png"
SIZE = 512
FRAMES = 12
Y_BYTES = SIZE * SIZE
FRAME_BYTES = Y_BYTES * 3 // 2  # 4:2:0


def run(args, stdin=b""):
    return subprocess.run([str(a) for a in args], input=stdin, capture_output=True, timeout=240)


def text(data):
    return data.decode(errors="replace")


def ffmpeg(*args, stdin=b""):
    r = run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], stdin)
    assert r.returncode == 0, text(r.stderr)
    return r.stdout


def probe(path, *extra):
    """(frames, width, height) as ffprobe counts them, decoding every frame."""
    r = run(["ffprobe", "-v", "error", *extra, "-count_frames", "-select_streams", "v:0",
             "-show_entries", "stream=nb_read_frames,width,height", "-of",
             "default=noprint_wrappers=1", path])
    assert r.returncode == 0, text(r.stderr)
    values = dict(line.split("=", 1) for line in text(r.stdout).split())
    return int(values["nb_read_frames"]), int(values["width"]), int(values["height"])


def y4m_frames(data):
    """The header line and each frame's planes, for a 4:2:0 SIZE x SIZE stream."""
    header, _, rest = data.partition(b"\n")
    frames = []
    while rest:
        line, _, rest = rest.partition(b"\n")
        assert line.startswith(b"FRAME"), line[:20]
        frames.append(rest[:FRAME_BYTES])
        rest = rest[FRAME_BYTES:]
    return header, frames


class StreamCli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.swaprun = os.path.join(ARGS.bin, "swaprun")
        cls.work = ARGS.work
        shutil.rmtree(cls.work, ignore_errors=True)
        os.makedirs(cls.work)
        cls.models = os.path.join(cls.work, "models")
        r = run([os.path.join(ARGS.bin, "pipeline_cli_models"), cls.models])
        assert r.returncode == 0, text(r.stderr)
        # The mirrored portrait is the source: another identity than the clip's face.
        cls.source = os.path.join(cls.work, "mirrored.png")
        Image.open(PORTRAIT).convert("RGB").transpose(Image.FLIP_LEFT_RIGHT).save(cls.source)
        cls.clip = os.path.join(cls.work, "clip.y4m")
        ffmpeg("-loop", "1", "-i", PORTRAIT, "-frames:v", str(FRAMES), "-r", "25",
               "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", cls.clip)
        with open(cls.clip, "rb") as f:
            cls.clip_bytes = f.read()

    def stream(self, *extra, stdin=None, models=True):
        args = [self.swaprun, "stream", "--source", self.source]
        if models:
            args += ["--models", self.models]
        return run(args + list(extra), self.clip_bytes if stdin is None else stdin)

    def assert_fails(self, r, *phrases, code=1):
        self.assertEqual(r.returncode, code, text(r.stderr))
        for p in phrases:
            self.assertIn(p, text(r.stderr))

    def test_y4m_clip_round_trip_through_ffmpeg(self):
        r = self.stream("--detect-every", "4", "--profile")
        self.assertEqual(r.returncode, 0, text(r.stderr))
        out = os.path.join(self.work, "out.y4m")
        with open(out, "wb") as f:
            f.write(r.stdout)
        self.assertEqual(probe(out), (FRAMES, SIZE, SIZE))
        stderr = text(r.stderr)
        self.assertIn(f"swaprun stream: {FRAMES} frames", stderr)
        self.assertIn("1 face", stderr)
        # Frames 0, 4 and 8 ran the detector; every frame had its face swapped.
        self.assertIn(f"frames={FRAMES} detections=3 faces_swapped={FRAMES}", stderr)
        self.assertIn("per_frame_ms=", stderr)
        self.assertIn("non_generator_share=", stderr)

        in_header, in_frames = y4m_frames(self.clip_bytes)
        out_header, out_frames = y4m_frames(r.stdout)
        self.assertEqual(out_header, in_header)  # tags (rate, interlacing, aspect, chroma) kept
        self.assertEqual(len(out_frames), FRAMES)
        for before, after in zip(in_frames, out_frames):
            # The face (rows ~90..170 around x ~200..250) changed; rows far above and below
            # it are the input's bytes exactly, luma and chroma.
            face_rows = after[110 * SIZE:150 * SIZE] != before[110 * SIZE:150 * SIZE]
            self.assertTrue(face_rows)
            self.assertEqual(after[:20 * SIZE], before[:20 * SIZE])
            self.assertEqual(after[400 * SIZE:Y_BYTES], before[400 * SIZE:Y_BYTES])
            u = Y_BYTES
            self.assertEqual(after[u + 200 * 256:u + 256 * 256], before[u + 200 * 256:u + 256 * 256])

    def test_raw_rgb_frames(self):
        raw = ffmpeg("-i", self.clip, "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
        self.assertEqual(len(raw), FRAMES * SIZE * SIZE * 3)
        r = self.stream("--size", f"{SIZE}x{SIZE}", stdin=raw)
        self.assertEqual(r.returncode, 0, text(r.stderr))
        self.assertEqual(len(r.stdout), len(raw))
        self.assertNotEqual(r.stdout, raw)
        out = os.path.join(self.work, "out.rgb")
        with open(out, "wb") as f:
            f.write(r.stdout)
        self.assertEqual(probe(out, "-f", "rawvideo", "-pixel_format", "rgb24", "-video_size",
                               f"{SIZE}x{SIZE}"), (FRAMES, SIZE, SIZE))
        # Raw frames of the wrong size: the last one comes out short.
        r = self.stream("--size", f"{SIZE}x{SIZE - 1}", stdin=raw)
        self.assert_fails(r, "raw RGB24 frame 13 (counting from 1) is truncated")

    def test_pipe_from_ffmpeg_through_swaprun_into_ffmpeg(self):
        out = os.path.join(self.work, "piped.y4m")
        decode = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", self.clip, "-f",
                                   "yuv4mpegpipe", "-"], stdout=subprocess.PIPE)
        swap = subprocess.Popen([self.swaprun, "stream", "--source", self.source, "--models",
                                 self.models], stdin=decode.stdout, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        decode.stdout.close()
        encode = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "yuv4mpegpipe",
                                 "-i", "-", "-f", "yuv4mpegpipe", out], stdin=swap.stdout,
                                capture_output=True, timeout=240)
        swap.stdout.close()
        swap_err = swap.stderr.read()
        swap.stderr.close()
        self.assertEqual(swap.wait(timeout=60), 0, text(swap_err))
        self.assertEqual(decode.wait(timeout=60), 0)
        self.assertEqual(encode.returncode, 0, text(encode.stderr))
        self.assertEqual(probe(out), (FRAMES, SIZE, SIZE))

    def test_truncated_stream_names_the_frame(self):
        header_end = self.clip_bytes.index(b"\n") + 1
        frame = len(b"FRAME\n") + FRAME_BYTES
        cut = self.clip_bytes[:header_end + 4 * frame + 1000]  # inside frame 5
        r = self.stream(stdin=cut)
        self.assert_fails(r, "Y4M frame 5 (counting from 1) is truncated: 994 of 393216 bytes")
        # The frames before it were written whole.
        _, frames = y4m_frames(r.stdout)
        self.assertEqual(len(frames), 4)
        self.assertTrue(all(len(f) == FRAME_BYTES for f in frames))
        r = self.stream(stdin=self.clip_bytes[:header_end + 3])
        self.assert_fails(r, "Y4M frame 1 (counting from 1) is truncated")

    def test_bad_input(self):
        self.assert_fails(self.stream(stdin=b""), "Y4M stream is empty")
        self.assert_fails(self.stream(stdin=self.clip_bytes[:30]), "ends inside its header line")
        with open(PORTRAIT, "rb") as f:
            self.assert_fails(self.stream(stdin=f.read()), "not a Y4M")
        self.assert_fails(self.stream(stdin=b"YUV4MPEG2 W0 H512 C420jpeg\n"), "width is zero")
        self.assert_fails(self.stream(stdin=b"YUV4MPEG2 W20000 H512\nFRAME\n"),
                          "width 20000 is over the limit of 16384")
        self.assert_fails(self.stream(stdin=b"YUV4MPEG2 W512 H512 C420p10\n"),
                          "'C420p10' is not supported")
        self.assert_fails(self.stream("--size", "20000x20000", stdin=b"x"),
                          "20000x20000 is over the limit")
        self.assert_fails(self.stream("--size", "0x512"), "--size '0x512'", code=2)
        self.assert_fails(self.stream("--detect-every", "0"), "--detect-every '0'", code=2)
        self.assert_fails(self.stream("--target", PORTRAIT), "stream", code=2)
        r = run([self.swaprun, "stream", "--models", self.models], self.clip_bytes)
        self.assert_fails(r, "--source", code=2)
        self.assert_fails(self.stream("--models", os.path.join(self.models, "no_faces"),
                                      models=False), "no face found")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--work", required=True)
    ARGS, rest = p.parse_known_args()
    if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
        print("skipped: ffmpeg is not installed (scripts/setup.sh installs it)")
        sys.exit(77)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
