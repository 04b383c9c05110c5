#!/usr/bin/python3
"""The detector and recognition replicas use the ops insightface's files use.

For det_10g.onnx, det_500m.onnx and w600k_r50.onnx: when SWAPRUN_INSIGHTFACE_MODELS names a
directory holding the real file, the real file must convert with swapconv and
every op it uses must appear in the replica. Otherwise (the usual case: the
files cannot be fetched here) the replica's op list must contain the ops the
real file is built from, its interface must be the real file's, and the
replica must convert. Exit status 0 on success, 1 with the reasons.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import onnx

# (real file, replica fixture stem, ops the real file computes with, interface:
# input name and shape, output shapes for a 640x640 input / the 112x112 crop)
SCRFD_OUTPUTS = [[12800, 1], [3200, 1], [800, 1], [12800, 4], [3200, 4], [800, 4], [12800, 10], [3200, 10],
                 [800, 10]]
MODELS = (
    ("det_10g.onnx", "scrfd_10g_w8_op11",
     {"Conv", "Relu", "MaxPool", "AveragePool", "Add", "Resize", "Sigmoid", "Reshape", "Transpose",
      "Mul"},
     ("input.1", [1, 3, 640, 640]),
     SCRFD_OUTPUTS),
    # MobileNet backbone: depthwise Conv nodes (group = channels), no pooling.
    ("det_500m.onnx", "scrfd_500m_w8_op11",
     {"Conv", "Relu", "Add", "Resize", "Sigmoid", "Reshape", "Transpose", "Mul"},
     ("input.1", [1, 3, 640, 640]),
     SCRFD_OUTPUTS),
    ("w600k_r50.onnx", "arcface_r50_w8_op11",
     {"Conv", "BatchNormalization", "PRelu", "Add", "Flatten", "Gemm"},
     ("input.1", [1, 3, 112, 112]),
     [[1, 512]]),
)


def dims(value_info):
    return [d.dim_value for d in value_info.type.tensor_type.shape.dim]


def converts(swapconv, path, failures, input_shape=None):
    """insightface's files leave dimensions open (the detectors' height and width, the
    recognizer's batch): they convert at the interface's shape."""
    shape = ["--input-shape", f"{input_shape[0]}={','.join(map(str, input_shape[1]))}"] if input_shape else []
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([swapconv, path, os.path.join(tmp, "m.swpk"), *shape], capture_output=True,
                              text=True)
    if proc.returncode != 0:
        failures.append(f"{path} does not convert: {proc.stderr.strip()}")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--swapconv", required=True)
    args = p.parse_args()
    real_dir = os.environ.get("SWAPRUN_INSIGHTFACE_MODELS", "")
    failures = []
    for real_name, stem, real_ops, (in_name, in_shape), out_shapes in MODELS:
        replica_path = os.path.join(args.fixtures, stem + ".onnx")
        replica = onnx.load(replica_path)
        replica_ops = {n.op_type for n in replica.graph.node}
        real_path = os.path.join(real_dir, real_name) if real_dir else ""
        if real_path and os.path.exists(real_path):
            real = onnx.load(real_path)
            converts(args.swapconv, real_path, failures, (in_name, in_shape))
            missing = {n.op_type for n in real.graph.node} - replica_ops - {"Constant"}
            print(f"{real_name}: real file checked; ops not in the replica: {sorted(missing) or 'none'}")
            if missing:
                failures.append(f"{stem} lacks ops {real_name} uses: {sorted(missing)}")
        else:
            print(f"{real_name}: not available (SWAPRUN_INSIGHTFACE_MODELS), checking the replica's op list")
            missing = real_ops - replica_ops
            if missing:
                failures.append(f"{stem} lacks ops {real_name} is built from: {sorted(missing)}")
        if "BatchNormalization" not in replica_ops:
            failures.append(f"{stem} has no BatchNormalization node: the converter's folding goes untested")
        inputs = [(i.name, dims(i)) for i in replica.graph.input]
        if inputs != [(in_name, in_shape)]:
            failures.append(f"{stem}: inputs {inputs}, expected {[(in_name, in_shape)]}")
        # Width-scaled replicas keep the interface: the same output shapes.
        got = [dims(o) for o in replica.graph.output]
        if got != out_shapes:
            failures.append(f"{stem}: output shapes {got}, expected {out_shapes}")
        converts(args.swapconv, replica_path, failures)
        print(f"{stem}: ops {sorted(replica_ops)}")
    if failures:
        sys.exit("FAILED: " + "; ".join(failures))


if __name__ == "__main__":
    main()
