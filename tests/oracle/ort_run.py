#!/usr/bin/env python3
"""ONNX Runtime (CPU) oracle through the Python package `onnxruntime`: the same
command line and output lines as ort_run.js, for machines that have the Python
package but not Node.js.

    python3 tests/oracle/ort_run.py MODEL.onnx --input NAME=FILE.npy [...]
            [--output NAME=OUT.npy ...] [--threads N] [--repeat N] [--warmup N]

Prints `peak_rss_mb=<MB>` (VmHWM of this process) and, with --repeat N > 0,
`median_ms=<ms>` as the last line. Exits with status 1 and a message on any error.
"""
import argparse
import os
import statistics
import sys
import time


def pair(text):
    name, sep, file = text.partition("=")
    if not sep or not name or not file:
        raise argparse.ArgumentTypeError(f"expects NAME=FILE, got '{text}'")
    return name, file


def count(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expects an integer >= 0, got '{text}'")
    return int(text)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    import resource  # not Linux: ru_maxrss is in kilobytes there too on the BSDs

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("--input", type=pair, action="append", default=[])
    p.add_argument("--output", type=pair, action="append", default=[])
    p.add_argument("--threads", type=count, default=1)
    p.add_argument("--repeat", type=count, default=0)
    p.add_argument("--warmup", type=count, default=0)
    args = p.parse_args()
    if args.threads < 1:
        p.error("--threads must be at least 1")

    import numpy as np

    try:
        import onnxruntime as ort
    except ImportError as e:
        raise RuntimeError(f"cannot import onnxruntime ({e}): the Python package is not installed") from e
    if not os.path.isfile(args.model):
        raise RuntimeError(f"model not found: {args.model}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: inswapper's unused buff2fs warns on every load
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])

    known = {i.name for i in session.get_inputs()}
    feeds = {}
    for name, file in args.input:
        if name not in known:
            raise RuntimeError(f"unknown input '{name}' (model inputs: {', '.join(sorted(known))})")
        if name in feeds:
            raise RuntimeError(f"input '{name}' given twice")
        feeds[name] = np.load(file)
    missing = sorted(known - feeds.keys())
    if missing:
        raise RuntimeError(f"missing --input for: {', '.join(missing)}")
    outputs = dict(args.output)
    known_out = [o.name for o in session.get_outputs()]
    for name in outputs:
        if name not in known_out:
            raise RuntimeError(f"unknown output '{name}' (model outputs: {', '.join(known_out)})")
    fetches = list(outputs) or known_out

    results = session.run(fetches, feeds)
    for name, value in zip(fetches, results):
        if name in outputs:
            np.save(outputs[name], np.asarray(value, dtype=np.float32))
            print(f"output {name} {list(value.shape)} -> {outputs[name]}")
    for _ in range(args.warmup):
        session.run(fetches, feeds)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        session.run(fetches, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    print(f"peak_rss_mb={peak_rss_mb():.1f}")
    if times:
        print(f"median_ms={statistics.median(times):.3f}")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - every failure becomes one message and status 1
        print(f"ort_run.py: error: {e}", file=sys.stderr)
        sys.exit(1)
