"""fp32 error of single Winograd F(m x m, 3x3) tiles, for the point sets compared in
runtime/README.md ("Why F(4x4, 3x3) and no larger tile").

Each trial draws a (m + 2) x (m + 2) patch of `channels` input channels and a 3x3
kernel per channel (scaled so the output stays near 1), runs the tile through the
transforms in float32 (V = BT d B, U = G g G^T, M = sum_c U . V, y = AT M A), and
compares y with the direct correlation in float64, relative to the largest output.
The matrices are built as kernels/cook_toom.h builds them: Cook-Toom interpolation
at the finite points and infinity, each row of BT scaled to a largest entry of 1.

    /usr/bin/python3 tools/winograd_tile_error.py [--trials 200] [--channels 192] [--check]

--check exits non-zero unless the figures bear out what the README concludes from them:
F(4x4) within 1e-5 on average, F(6x6) within three times that, and every F(8x8) point
set at ten times F(4x4)'s error or more, +-3/4 the least of them.
"""

import argparse
import sys

import numpy as np

TAPS = 3


def transforms(out, points):
    """AT (out x n), G (n x TAPS) and BT (n x n) for the finite points and infinity."""
    n = out + TAPS - 1
    assert len(points) == n - 1
    vandermonde = np.zeros((n, n))
    for i, x in enumerate(points):
        vandermonde[i] = [x**k for k in range(n)]
    vandermonde[n - 1, n - 1] = 1.0
    bt = np.linalg.inv(vandermonde).T
    g = np.zeros((n, TAPS))
    at = np.zeros((out, n))
    for i, x in enumerate(points):
        g[i] = [x**k for k in range(TAPS)]
        at[:, i] = [x**k for k in range(out)]
    g[n - 1, TAPS - 1] = 1.0
    at[out - 1, n - 1] = 1.0
    scale = np.abs(bt).max(axis=1)
    return at, g * scale[:, None], bt / scale[:, None]


def tile_errors(out, points, trials, channels, rng):
    at, g, bt = (m.astype(np.float32) for m in transforms(out, points))
    n = out + TAPS - 1
    errors = []
    for _ in range(trials):
        d = rng.standard_normal((channels, n, n)).astype(np.float32)
        k = (rng.standard_normal((channels, TAPS, TAPS)) / np.sqrt(TAPS * TAPS * channels)).astype(
            np.float32)
        exact = np.empty((out, out))
        for i in range(out):
            for j in range(out):
                exact[i, j] = np.sum(d[:, i:i + TAPS, j:j + TAPS].astype(np.float64) * k)
        u = np.einsum("pa,cab,qb->cpq", g, k, g).astype(np.float32)
        v = np.einsum("pa,cab,qb->cpq", bt, d, bt).astype(np.float32)
        m = np.sum(u * v, axis=0, dtype=np.float32)
        y = (at @ m @ at.T).astype(np.float32)
        errors.append(np.abs(y - exact).max() / np.abs(exact).max())
    return np.mean(errors), np.max(errors)


CASES = [
    ("F(4x4, 3x3)", 4, [0, 1, -1, 2, -2]),
    ("F(6x6, 3x3)", 6, [0, 1, -1, 2, -2, 0.5, -0.5]),
] + [(f"F(8x8, 3x3) +-{last}", 8, [0, 1, -1, 2, -2, 0.5, -0.5, last, -last])
     for last in (4, 0.25, 3, 0.75, 1.5)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--channels", type=int, default=192)
    parser.add_argument("--check", action="store_true",
                        help="fail unless the figures support runtime/README.md's conclusions")
    args = parser.parse_args()
    means = {}
    for name, out, points in CASES:
        mean, worst = tile_errors(out, points, args.trials, args.channels,
                                  np.random.default_rng(0))
        means[name] = mean
        print(f"{name:24s} mean {mean:.2e}  max {worst:.2e}")
    if args.check:
        f4, f6 = means["F(4x4, 3x3)"], means["F(6x6, 3x3)"]
        f8 = {name: m for name, m in means.items() if name.startswith("F(8x8")}
        failures = []
        if not f4 < 1e-5:
            failures.append(f"F(4x4) mean error {f4:.2e} is not below 1e-5")
        if not f6 < 3 * f4:
            failures.append(f"F(6x6) mean error {f6:.2e} is not within 3x F(4x4)'s")
        failures += [f"{name} mean error {m:.2e} is not 10x F(4x4)'s" for name, m in f8.items()
                     if not m >= 10 * f4]
        if min(f8, key=f8.get) != "F(8x8, 3x3) +-0.75":
            failures.append("+-3/4 is not F(8x8)'s best last pair")
        for failure in failures:
            print("FAIL:", failure)
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
