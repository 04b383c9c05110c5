#!/usr/bin/python3
"""Export the reference models as ONNX test fixtures.

    /usr/bin/python3 models/export.py --out DIR [--models inswapper_128,live_base,live_mini]
                                      [--widths 1,4,8] [--opsets 11,13] [--force]
    /usr/bin/python3 models/export.py --info [--layers] [--models ...] [--widths ...]
    /usr/bin/python3 models/export.py --builtin [--out models/builtin]

The detector and recognition replicas (scrfd_10g, scrfd_500m, arcface_r50; not in the
default --models list) are exported at opset 11 only, as insightface exported det_10g,
det_500m and w600k_r50, to DIR/<name>[_w4|_w8]_op11.onnx with their input
DIR/<name>[_w4|_w8].input.npy; with --open-height-width the detectors' height and width
are left open, as in insightface's files, in DIR/<name>[_w4|_w8]_open_op11.onnx.
--builtin writes the small default models swaprun embeds (BUILTIN below); with
--inputs-only it writes just the inputs they are checked with (no export).

For every (model, width, opset) this writes DIR/<name>[_w4|_w8]_op<opset>.onnx
and for every (model, width) the default inputs DIR/<name>[_w4|_w8].target.npy
and .source.npy (float32, C order).  Existing .onnx files are kept unless
--force is given, so re-running after a partial export only does the missing
work.  --info exports in memory and prints parameters and MACs counted over
the ONNX graph itself (so the numbers describe what the runtime will load).

Needs torch (1.13 tested) and onnx (1.12 tested).
"""

import argparse
import collections
import io
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

import arcface  # noqa: E402
import scrfd  # noqa: E402
from common import (  # noqa: E402
    Arch, Generator, build, count_onnx, default_inputs, emap_matrix, init_weights, torchscript_onnx_export)
from face_common import export_onnx as export_face_onnx  # noqa: E402
from inswapper import INSWAPPER_128  # noqa: E402
from live import LIVE_BASE, LIVE_MINI  # noqa: E402

MODELS = {a.name: a for a in (INSWAPPER_128, LIVE_BASE, LIVE_MINI)}
# Detector and recognition replicas: name -> (module, full-size arch).
FACE_MODELS = {"scrfd_10g": (scrfd, scrfd.SCRFD_10G), "scrfd_500m": (scrfd, scrfd.SCRFD_500M),
               "arcface_r50": (arcface, arcface.ARCFACE_R50)}
FACE_OPSET = 11
# The default models swaprun embeds (`swaprun demo`): width divisors chosen so that the
# three files stay under about 4 MB together (ArcFace's Gemm on 49 * 512 / 32 inputs
# is the largest tensor). (file stem, model, width divisor)
BUILTIN = (("scrfd", "scrfd_10g", 8), ("arcface", "arcface_r50", 32), ("live_mini", "live_mini", 8))
EMAP_NAME = "buff2fs"


class ExportError(Exception):
    pass


def export_onnx(model: torch.nn.Module, arch: Arch, target: np.ndarray, source: np.ndarray,
                opset: int) -> onnx.ModelProto:
    """Trace-export one generator and post-process it like the real inswapper."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # torch warns about tracing python scalars and about the ONNX Resize
        # spec for bilinear upsampling; both are expected for this graph.
        warnings.simplefilter("ignore")
        torchscript_onnx_export(
            model,
            (torch.from_numpy(target), torch.from_numpy(source)),
            buf,
            input_names=["target", "source"],
            output_names=["output"],
            opset_version=opset,
            # Keep the graph literal: the reflect Pad, the primitive instance
            # norm and the Resize have to reach the converter as written.
            do_constant_folding=False,
            export_params=True,
            training=torch.onnx.TrainingMode.EVAL,
        )
    proto = onnx.load_from_string(buf.getvalue())
    del buf
    # torch cannot infer the output shape through the unfolded Pad subgraphs
    # and leaves it unknown; the graph is static, so declare it.
    dims = proto.graph.output[0].type.tensor_type.shape.dim
    for d, v in zip(dims, (1, 3, arch.size, arch.size)):
        d.Clear()
        d.dim_value = v
    if arch.emap:
        # insightface stores the ArcFace->latent projection as an initializer
        # that no node consumes, after all real weights; loaders find it by
        # name ("buff2fs") or as the last initializer.
        proto.graph.initializer.append(numpy_helper.from_array(emap_matrix(arch.seed), EMAP_NAME))
    proto.producer_name = "swaprun-models"
    onnx.checker.check_model(proto)
    _sanity_check(proto, arch)
    return proto


def _sanity_check(proto: onnx.ModelProto, arch: Arch) -> None:
    names = [i.name for i in proto.graph.input]
    if names != ["target", "source"] or [o.name for o in proto.graph.output] != ["output"]:
        raise ExportError(f"{arch.name}: unexpected graph I/O {names}")
    if arch.emap:
        if proto.graph.initializer[-1].name != EMAP_NAME:
            raise ExportError(f"{arch.name}: {EMAP_NAME} is not the last initializer")
        if any(EMAP_NAME in n.input for n in proto.graph.node):
            raise ExportError(f"{arch.name}: {EMAP_NAME} is consumed by a node")


def save_if_changed(path: str, array: np.ndarray) -> bool:
    """Write an .npy unless an identical one exists (keeps mtimes stable)."""
    if os.path.exists(path):
        try:
            old = np.load(path)
            if old.dtype == array.dtype and old.shape == array.shape and np.array_equal(old, array):
                return False
        except (ValueError, OSError):
            pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, array)
    os.replace(tmp, path)
    return True


def variants(models, widths):
    for name in models:
        if name in FACE_MODELS:
            continue
        for w in widths:
            yield MODELS[name].scaled(w)


def export_face(name: str, width: int, out: str, force: bool, onnx_path: str = None,
                input_path: str = None, inputs_only: bool = False, open_height_width: bool = False) -> None:
    """One detector/recognition replica and its default input; with open_height_width (a
    detector only) the input's height and width are left open, as in insightface's file,
    and the file is <name>_open_op11.onnx."""
    module, full = FACE_MODELS[name]
    arch = full.scaled(width)
    x = module.default_input(arch)
    input_path = input_path or os.path.join(out, f"{arch.name}.input.npy")
    if input_path != os.devnull:
        print(f"{'wrote' if save_if_changed(input_path, x) else 'same '} {input_path}", flush=True)
    open_hw = open_height_width and module is scrfd
    path = onnx_path or os.path.join(out, f"{arch.name}{'_open' if open_hw else ''}_op{FACE_OPSET}.onnx")
    if inputs_only:
        return
    if os.path.exists(path) and not force:
        print(f"skip  {path} (exists; --force rewrites)", flush=True)
        return
    t0 = time.time()
    proto = export_face_onnx(module.build(arch), x, module.INPUT_NAME, module.OUTPUT_NAMES, FACE_OPSET,
                             open_height_width=open_hw)
    tmp = path + ".tmp"
    onnx.save(proto, tmp)
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB, {time.time() - t0:.1f} s)", flush=True)


def cmd_builtin(args) -> None:
    """The embedded default models, DIR/<stem>.onnx, or (--inputs-only) the inputs each
    is checked with, DIR/<stem>.input.npy or DIR/<stem>.{target,source}.npy."""
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "builtin")
    os.makedirs(out, exist_ok=True)
    for stem, name, width in BUILTIN:
        path = os.path.join(out, f"{stem}.onnx")
        if name in FACE_MODELS:
            # The check inputs (MBs) are written only when asked for, never beside the
            # committed models.
            input_path = os.path.join(out, f"{stem}.input.npy") if args.inputs_only else os.devnull
            export_face(name, width, out, True, path, input_path, args.inputs_only)
            continue
        arch = MODELS[name].scaled(width)
        target, source = default_inputs(arch.size, arch.seed)
        if args.inputs_only:
            for kind, arr in (("target", target), ("source", source)):
                save_if_changed(os.path.join(out, f"{stem}.{kind}.npy"), arr)
            continue
        proto = export_onnx(build(arch, torch.from_numpy(target), torch.from_numpy(source)), arch, target,
                            source, FACE_OPSET)
        onnx.save(proto, path + ".tmp")
        os.replace(path + ".tmp", path)
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)", flush=True)


def cmd_export(args) -> None:
    os.makedirs(args.out, exist_ok=True)
    for name in args.models:
        if name in FACE_MODELS:
            for w in args.widths:
                export_face(name, w, args.out, args.force, open_height_width=args.open_height_width)
    for arch in variants(args.models, args.widths):
        target, source = default_inputs(arch.size, arch.seed)
        for kind, arr in (("target", target), ("source", source)):
            path = os.path.join(args.out, f"{arch.name}.{kind}.npy")
            print(f"{'wrote' if save_if_changed(path, arr) else 'same '} {path}", flush=True)

        todo = []
        for op in args.opsets:
            path = os.path.join(args.out, f"{arch.name}_op{op}.onnx")
            if os.path.exists(path) and not args.force:
                print(f"skip  {path} (exists; --force rewrites)", flush=True)
            else:
                todo.append((op, path))
        if not todo:
            continue

        t0 = time.time()
        model = build(arch, torch.from_numpy(target), torch.from_numpy(source))
        for op, path in todo:
            proto = export_onnx(model, arch, target, source, op)
            tmp = path + ".tmp"
            onnx.save(proto, tmp)
            os.replace(tmp, path)
            del proto
            size_mb = os.path.getsize(path) / 1e6
            print(f"wrote {path} ({size_mb:.1f} MB, {time.time() - t0:.1f} s)", flush=True)
            t0 = time.time()
        del model


def cmd_info(args) -> None:
    print(f"{'model':<18} {'params':>14} {'MACs':>18}   {'(M params, G MACs)'}")
    for arch in variants(args.models, args.widths):
        target, source = default_inputs(arch.size, arch.seed)
        # Counting only needs the graph, so skip the calibration forward pass
        # by building the module directly.
        model = Generator(arch).eval()
        init_weights(model)
        proto = export_onnx(model, arch, target, source, args.opsets[-1])
        cost = count_onnx(proto)
        print(f"{arch.name:<18} {cost.params:>14,} {cost.macs:>18,}   "
              f"({cost.params / 1e6:.3f} M, {cost.macs / 1e9:.3f} G)", flush=True)
        if args.layers:
            for layer in cost.layers:
                print(f"    {layer.op:<5} {layer.shape:<28} {layer.params:>12,} {layer.macs:>16,}")
            ops = collections.Counter(n.op_type for n in proto.graph.node)
            print("    ops: " + ", ".join(f"{k} {v}" for k, v in sorted(ops.items())))
        del proto, model


def parse_list(text: str, conv=str):
    return [conv(x) for x in text.split(",") if x.strip()]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Export swaprun reference generators to ONNX.")
    p.add_argument("--out", help="output directory (required unless --info)")
    p.add_argument("--models", default=",".join(MODELS),
                   help="comma list of %s" % ", ".join(list(MODELS) + list(FACE_MODELS)))
    p.add_argument("--widths", default="1,4,8", help="comma list of width divisors (1, 4, 8)")
    p.add_argument("--opsets", default="11,13", help="comma list of ONNX opsets (11, 13)")
    p.add_argument("--force", action="store_true", help="rewrite existing .onnx files")
    p.add_argument("--info", action="store_true", help="print params / MACs per variant")
    p.add_argument("--layers", action="store_true", help="with --info: per-layer table and op counts")
    p.add_argument("--open-height-width", action="store_true",
                   help="detectors: leave the input's height and width open, as insightface's files "
                        "do (written as <name>_open_op11.onnx)")
    p.add_argument("--builtin", action="store_true",
                   help="write the embedded default models (to --out, default models/builtin)")
    p.add_argument("--inputs-only", action="store_true", help="with --builtin: only the check inputs")
    args = p.parse_args(argv)

    try:
        args.models = parse_list(args.models)
        args.widths = parse_list(args.widths, int)
        args.opsets = parse_list(args.opsets, int)
    except ValueError as e:
        p.error(f"bad list: {e}")
    for m in args.models:
        if m not in MODELS and m not in FACE_MODELS:
            p.error(f"unknown model '{m}' (known: {', '.join(list(MODELS) + list(FACE_MODELS))})")
    for w in args.widths:
        if w not in (1, 4, 8):
            p.error(f"unsupported width divisor {w} (use 1, 4 or 8)")
    for op in args.opsets:
        if op not in (11, 13):
            p.error(f"unsupported opset {op} (use 11 or 13)")
    if not args.models or not args.widths or not args.opsets:
        p.error("empty --models/--widths/--opsets")
    if not args.info and not args.out and not args.builtin:
        p.error("--out DIR is required")

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    try:
        if args.builtin:
            cmd_builtin(args)
        elif args.info:
            cmd_info(args)
        else:
            cmd_export(args)
    except (ExportError, OSError, onnx.checker.ValidationError) as e:
        print(f"export.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
