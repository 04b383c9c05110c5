#!/usr/bin/python3
"""The main job: export the reference generators, convert them with swapconv, run them
with swaprun and with ONNX Runtime, and print for each its parameters, MACs, ms per
frame (median) on both, and the error of swaprun against ONNX Runtime."""
import argparse
import math
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"model_report: {' '.join(cmd)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def last_value(text, key):
    found = re.findall(rf"^{key}=([0-9.]+)\s*$", text, re.M)
    if not found:
        sys.exit(f"model_report: no {key}= line in:\n{text}")
    return float(found[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin", required=True, help="directory with swapconv and swaprun")
    p.add_argument("--work", required=True, help="directory for models and outputs")
    p.add_argument("--models", default="inswapper_128,live_base,live_mini")
    p.add_argument("--width", type=int, default=1, choices=(1, 4, 8), help="channel divisor")
    p.add_argument("--opset", type=int, default=13, choices=(11, 13))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()

    os.makedirs(args.work, exist_ok=True)
    run([sys.executable, os.path.join(ROOT, "models/export.py"), "--out", args.work, "--models", args.models,
         "--widths", str(args.width), "--opsets", str(args.opset)])
    rows = []
    for model in args.models.split(","):
        stem = model if args.width == 1 else f"{model}_w{args.width}"
        onnx_path = os.path.join(args.work, f"{stem}_op{args.opset}.onnx")
        swpk = os.path.join(args.work, f"{stem}_op{args.opset}.swpk")
        inputs = ["--input", f"target={os.path.join(args.work, stem + '.target.npy')}",
                  "--input", f"source={os.path.join(args.work, stem + '.source.npy')}"]
        ort_out, our_out = os.path.join(args.work, stem + ".ort.npy"), os.path.join(args.work, stem + ".swaprun.npy")
        run([os.path.join(args.bin, "swapconv"), onnx_path, swpk])
        info = run([os.path.join(args.bin, "swapconv"), "--info", swpk])
        params = int(re.search(r"^parameters: .*\((\d+)\)", info, re.M).group(1))
        macs = int(re.search(r"^MACs: .*\((\d+)\)", info, re.M).group(1))
        ort = run(["node", os.path.join(ROOT, "tests/oracle/ort_run.js"), onnx_path, *inputs,
                   "--output", "output=" + ort_out, "--threads", str(args.threads), "--repeat", str(args.repeat)])
        ours = run([os.path.join(args.bin, "swaprun"), "infer", swpk, *inputs, "--output", "output=" + our_out,
                    "--threads", str(args.threads), "--repeat", str(args.repeat)])
        expected, got = np.load(ort_out).astype(np.float64), np.load(our_out).astype(np.float64)
        max_abs = float(np.max(np.abs(expected - got)))
        mse = float(np.mean((expected - got) ** 2))
        psnr = math.inf if mse == 0 else 10 * math.log10(1 / mse)
        rows.append((stem, params, macs, last_value(ort, "median_ms"), last_value(ours, "median_ms"), max_abs, psnr))

    print(f"\n{args.threads} threads, opset {args.opset}, median of {args.repeat} runs after one warm-up")
    print(f"{'model':<18}{'params':>10}{'GMACs':>9}{'ORT ms':>10}{'swaprun ms':>12}{'max abs err':>13}{'PSNR dB':>9}")
    for stem, params, macs, ort_ms, our_ms, max_abs, psnr in rows:
        print(f"{stem:<18}{params / 1e6:>9.2f}M{macs / 1e9:>9.2f}{ort_ms:>10.1f}{our_ms:>12.1f}{max_abs:>13.2e}{psnr:>9.1f}")


if __name__ == "__main__":
    main()
