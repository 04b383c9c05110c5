#!/usr/bin/python3
"""End-to-end check of one exported model fixture.

ONNX Runtime (the oracle) and swaprun run the same .onnx on the same inputs:
  ORT:     node tests/oracle/ort_run.js
  swaprun: swapconv IN.onnx OUT.swpk, then swaprun infer
Generators (the default: inputs PREFIX.target.npy and PREFIX.source.npy, output
`output`): the outputs must agree (max abs error and PSNR over the [0,1] image),
and the oracle's output must not be saturated, so that agreement is not trivial.

Other models (--input NAME=FILE ... --output NAME ...): every named output must
agree to --max-abs times its scale (the largest magnitude the oracle produced,
at least 1), must not be nearly constant (std above 5% of that scale), and the
outputs named by --probabilities (sigmoid scores) must have at least half of
their values inside (0.02, 0.98).
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
    p.add_argument("--inputs", help="generators: prefix of NAME.target.npy / NAME.source.npy")
    p.add_argument("--input", action="append", default=[], metavar="NAME=FILE",
                   help="other models: a graph input (repeatable)")
    p.add_argument("--output", action="append", default=[], metavar="NAME",
                   help="other models: a graph output to compare (repeatable)")
    p.add_argument("--probabilities", default="", help="comma list of outputs holding sigmoid scores")
    p.add_argument("--bin", required=True, help="directory holding swapconv and swaprun")
    p.add_argument("--work", required=True, help="scratch directory")
    p.add_argument("--max-abs", type=float, default=1e-4)
    p.add_argument("--min-psnr", type=float, default=70.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="swaprun infer --device: cpu, vulkan, vulkan:N")
    p.add_argument("--precision", default="fp32",
                   help="swaprun infer --precision: fp32, fp16, bf16x3")
    args = p.parse_args()

    if args.device != "cpu":
        # Without a Vulkan device the check cannot run: ctest reports it skipped (77).
        devices = subprocess.run([os.path.join(args.bin, "swaprun"), "devices"], capture_output=True,
                                 text=True).stdout
        if "vulkan:" not in devices:
            print(f"SKIPPED: no Vulkan device for --device {args.device}\n{devices}")
            sys.exit(77)
    if args.precision == "bf16x3":
        # Without AMX tiles bf16x3 runs as fp32, which the fp32 checks cover: skipped (77).
        devices = subprocess.run([os.path.join(args.bin, "swaprun"), "devices"], capture_output=True,
                                 text=True).stdout
        if "bf16x3=amx" not in devices:
            print(f"SKIPPED: no AMX tiles for --precision bf16x3 here\n{devices}")
            sys.exit(77)

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(args.work, exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.onnx))[0]
    if args.input or args.output:
        if not args.input or not args.output or args.inputs:
            p.error("--input and --output go together, without --inputs")
        return verify_outputs(args, root, stem)
    if not args.inputs:
        p.error("--inputs (a generator) or --input/--output (other models) is required")
    target, source = args.inputs + ".target.npy", args.inputs + ".source.npy"
    # Checks of one fixture on several devices may run at once: each has its own files.
    plain = args.device == "cpu" and args.precision == "fp32"
    run_name = stem if plain else f"{stem}.{args.device.replace(':', '')}.{args.precision}"
    ort_out = os.path.join(args.work, run_name + ".ort.npy")
    swpk = os.path.join(args.work, run_name + ".swpk")
    our_out = os.path.join(args.work, run_name + ".swaprun.npy")

    run(["node", os.path.join(root, "tests/oracle/ort_run.js"), args.onnx, "--input", "target=" + target,
         "--input", "source=" + source, "--output", "output=" + ort_out, "--threads", str(args.threads)])
    run([os.path.join(args.bin, "swapconv"), args.onnx, swpk])
    run([os.path.join(args.bin, "swaprun"), "infer", swpk, "--input", "target=" + target, "--input",
         "source=" + source, "--output", "output=" + our_out, "--threads", str(args.threads),
         "--device", args.device, "--precision", args.precision])

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
    print(f"{run_name}: max_abs={max_abs:.3g} psnr={quality:.1f}dB in_range={inside:.1%} std={std:.3f}")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))
    for f in (ort_out, swpk, our_out):
        os.remove(f)


def verify_outputs(args, root, stem):
    """Several named inputs and outputs; errors relative to each output's scale."""
    inputs = []
    for pair in args.input:
        inputs += ["--input", pair]
    swpk = os.path.join(args.work, stem + ".swpk")
    ort_files = {n: os.path.join(args.work, f"{stem}.{n}.ort.npy") for n in args.output}
    our_files = {n: os.path.join(args.work, f"{stem}.{n}.swaprun.npy") for n in args.output}
    ort_cmd = ["node", os.path.join(root, "tests/oracle/ort_run.js"), args.onnx, *inputs,
               "--threads", str(args.threads)]
    our_cmd = [os.path.join(args.bin, "swaprun"), "infer", swpk, *inputs, "--threads", str(args.threads),
               "--device", args.device]
    for n in args.output:
        ort_cmd += ["--output", f"{n}={ort_files[n]}"]
        our_cmd += ["--output", f"{n}={our_files[n]}"]
    run(ort_cmd)
    run([os.path.join(args.bin, "swapconv"), args.onnx, swpk])
    run(our_cmd)

    probabilities = {n for n in args.probabilities.split(",") if n}
    failures = []
    for n in args.output:
        expected, got = np.load(ort_files[n]), np.load(our_files[n])
        if expected.shape != got.shape:
            failures.append(f"{n}: shape {got.shape}, expected {expected.shape}")
            continue
        scale = max(1.0, float(np.max(np.abs(expected))))
        max_abs = float(np.max(np.abs(expected.astype(np.float64) - got)))
        std = float(expected.std())
        line = f"{stem} {n}: max_abs={max_abs:.3g} scale={scale:.3g} std={std:.3f}"
        if not max_abs <= args.max_abs * scale:
            failures.append(f"{n}: max abs error {max_abs:.3g} > {args.max_abs:g} * scale {scale:.3g}")
        if not std > 0.05 * scale:
            failures.append(f"{n}: the oracle output is nearly constant: std {std:.4g} <= 5% of {scale:.3g}")
        if n in probabilities:
            inside = float(np.mean((expected > 0.02) & (expected < 0.98)))
            line += f" in_range={inside:.1%}"
            if inside < 0.5:
                failures.append(f"{n}: saturated scores: only {inside:.1%} inside (0.02, 0.98)")
        print(line)
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))
    for f in [swpk, *ort_files.values(), *our_files.values()]:
        os.remove(f)


if __name__ == "__main__":
    main()
