#!/usr/bin/python3
"""End-to-end check of one exported generator fixture.

ONNX Runtime (the oracle) and swaprun run the same .onnx on the same inputs:
  ORT:     node tests/oracle/ort_run.js
  swaprun: swapconv IN.onnx OUT.swpk, then swaprun infer
The outputs must agree (max abs error and PSNR over the [0,1] image), and the
oracle's output must not be saturated, so that agreement is not trivial.
Exit status 0 on success, 1 with the reason on failure.
"""
import argparse
import math
import os
import subprocess
import sys

import numpy as np


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def psnr(a, b):
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(1.0 / mse)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--onnx", required=True)
    p.add_argument("--inputs", required=True, help="prefix of NAME.target.npy / NAME.source.npy")
    p.add_argument("--bin", required=True, help="directory holding swapconv and swaprun")
    p.add_argument("--work", required=True, help="scratch directory")
    p.add_argument("--max-abs", type=float, default=1e-4)
    p.add_argument("--min-psnr", type=float, default=70.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="swaprun infer --device: cpu, vulkan, vulkan:N")
    args = p.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(args.work, exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.onnx))[0]
    target, source = args.inputs + ".target.npy", args.inputs + ".source.npy"
    ort_out = os.path.join(args.work, stem + ".ort.npy")
    swpk = os.path.join(args.work, stem + ".swpk")
    our_out = os.path.join(args.work, stem + ".swaprun.npy")

    run(["node", os.path.join(root, "tests/oracle/ort_run.js"), args.onnx, "--input", "target=" + target,
         "--input", "source=" + source, "--output", "output=" + ort_out, "--threads", str(args.threads)])
    run([os.path.join(args.bin, "swapconv"), args.onnx, swpk])
    run([os.path.join(args.bin, "swaprun"), "infer", swpk, "--input", "target=" + target, "--input",
         "source=" + source, "--output", "output=" + our_out, "--threads", str(args.threads),
         "--device", args.device])

    expected, got = np.load(ort_out), np.load(our_out)
    failures = []
    if expected.shape != got.shape:
        sys.exit(f"FAILED: shape {got.shape}, expected {expected.shape}")
    inside = float(np.mean((expected > 0.02) & (expected < 0.98)))
    std = float(expected.std())
    if inside < 0.5:
        failures.append(f"the oracle output is saturated: only {inside:.1%} of pixels in (0.02, 0.98)")
    if std <= 0.05:
        failures.append(f"the oracle output is nearly constant: std {std:.4f} <= 0.05")
    max_abs = float(np.max(np.abs(expected.astype(np.float64) - got)))
    quality = psnr(expected, got)
    if not max_abs <= args.max_abs:
        failures.append(f"max abs error {max_abs:.3g} > {args.max_abs:g}")
    if not quality >= args.min_psnr:
        failures.append(f"PSNR {quality:.1f} dB < {args.min_psnr:g} dB")
    print(f"{stem}: max_abs={max_abs:.3g} psnr={quality:.1f}dB in_range={inside:.1%} std={std:.3f}")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))
    for f in (ort_out, swpk, our_out):
        os.remove(f)


if __name__ == "__main__":
    main()
