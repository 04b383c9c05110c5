#!/usr/bin/python3
"""Run exported fixtures through the ONNX Runtime oracle and sanity-check them.

    /usr/bin/python3 models/check_fixtures.py DIR [--models ...] [--widths ...]
        [--opsets 11,13] [--torch] [--threads N] [--repeat N]

For every DIR/<variant>_op<opset>.onnx present this runs tests/oracle/ort_run.js
on the variant's default inputs and checks that the output is not saturated
(at least half of the pixels in (0.02, 0.98), std > 0.05).  It also checks that
the opset 11 and 13 exports agree and, with --torch, that ORT matches the
PyTorch module the fixture was exported from (rebuilt from its seed).
--repeat N forwards to the oracle and reports its median run time.
Exits non-zero if any check fails.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import export  # noqa: E402

ORACLE = os.path.join(HERE, "..", "tests", "oracle", "ort_run.js")
MIN_UNSATURATED = 0.5
MIN_STD = 0.05
# ORT and PyTorch use different conv algorithms; the instance norms keep the
# error from growing, so a few 1e-4 on a [0, 1] output is plenty.
TORCH_TOL = 2e-3
OPSET_TOL = 1e-4


def run_oracle(onnx_path, target, source, out, threads, repeat):
    cmd = ["node", ORACLE, onnx_path, "--input", f"target={target}", "--input", f"source={source}",
           "--output", f"output={out}", "--threads", str(threads)]
    if repeat:
        cmd += ["--repeat", str(repeat), "--warmup", "1"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"oracle failed on {onnx_path}: {res.stderr.strip()}")
    stats = dict(re.findall(r"^(median_ms|peak_rss_mb)=([\d.]+)$", res.stdout, re.M))
    return {k: float(v) for k, v in stats.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir")
    p.add_argument("--models", default=",".join(export.MODELS))
    p.add_argument("--widths", default="1,4,8")
    p.add_argument("--opsets", default="11,13")
    p.add_argument("--torch", action="store_true", help="also compare against the PyTorch module")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=0)
    args = p.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    widths = [int(w) for w in args.widths.split(",") if w]
    opsets = [int(o) for o in args.opsets.split(",") if o]

    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for arch in export.variants(models, widths):
            target = os.path.join(args.dir, f"{arch.name}.target.npy")
            source = os.path.join(args.dir, f"{arch.name}.source.npy")
            outputs = {}
            for op in opsets:
                path = os.path.join(args.dir, f"{arch.name}_op{op}.onnx")
                if not os.path.exists(path):
                    continue
                out = os.path.join(tmp, f"{arch.name}_op{op}.npy")
                stats = run_oracle(path, target, source, out, args.threads, args.repeat)
                y = np.load(out)
                outputs[op] = y
                frac = float(((y > 0.02) & (y < 0.98)).mean())
                ok = frac >= MIN_UNSATURATED and float(y.std()) > MIN_STD and y.shape == (1, 3, arch.size, arch.size)
                line = (f"{os.path.basename(path):<26} mean {y.mean():.3f} std {y.std():.3f} "
                        f"min {y.min():.3f} max {y.max():.3f} in(0.02,0.98) {frac:6.1%}")
                if "median_ms" in stats:
                    line += f"  median_ms {stats['median_ms']:.1f} peak_rss_mb {stats['peak_rss_mb']:.0f}"
                print(f"{'ok  ' if ok else 'FAIL'} {line}", flush=True)
                failures += not ok
                checked += 1
            if len(outputs) == 2:
                a, b = outputs.values()
                d = float(np.abs(a - b).max())
                ok = d <= OPSET_TOL
                print(f"{'ok  ' if ok else 'FAIL'} {arch.name:<26} opset outputs max|diff| {d:.2e}", flush=True)
                failures += not ok
            if args.torch and outputs:
                import torch
                from common import build
                t, s = torch.from_numpy(np.load(target)), torch.from_numpy(np.load(source))
                with torch.no_grad():
                    ref = build(arch, t, s)(t, s).numpy()
                for op, y in outputs.items():
                    d = float(np.abs(ref - y).max())
                    ok = d <= TORCH_TOL
                    print(f"{'ok  ' if ok else 'FAIL'} {arch.name + '_op' + str(op):<26} torch vs ORT max|diff| {d:.2e}",
                          flush=True)
                    failures += not ok
    if checked == 0:
        print(f"check_fixtures.py: no fixtures found in {args.dir}", file=sys.stderr)
        return 1
    print(f"{checked} fixtures checked, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
