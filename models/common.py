"""Shared building blocks for the reference face-swap generators.

Every generator in this directory follows the inswapper recipe:

    target image --(encoder)--> feature map --(AdaIN residual blocks, modulated
    by the 512-d source latent)--> feature map --(decoder)--> Tanh --> [0, 1]

The modules are written so that `torch.onnx.export` produces exactly the op
patterns found in insightface's inswapper_128.onnx (reflection Pad, primitive
instance norm, Gemm modulation, Resize upsampling).  The converter and the
runtime are tested against these graphs, so changing how a layer is written
changes the ONNX the rest of the project has to understand.
"""

import inspect
import math
import warnings
from dataclasses import dataclass, field
from typing import List, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT_DIM = 512
LRELU_SLOPE = 0.2
# Same epsilon as inswapper_128.onnx; it is added inside the sqrt.
INSTNORM_EPS = 1e-8


# ---------------------------------------------------------------------------
# Architecture description
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Arch:
    """Channel plan of a generator.

    head:     channels of the full-resolution ReflectionPad(3)+Conv7x7 stem.
    down:     (out_channels, stride) of the 3x3 zero-padded encoder convs.
    blocks:   number of AdaIN residual blocks (run at the bottleneck width,
              i.e. the last `down` channel count).
    up:       (out_channels, upsample_first) of the 3x3 decoder convs; a True
              flag inserts a bilinear x2 Resize before the conv.
    size:     spatial input size S (input and output are [1, 3, S, S]).
    """
    name: str
    size: int
    head: int
    down: Tuple[Tuple[int, int], ...]
    blocks: int
    up: Tuple[Tuple[int, bool], ...]
    emap: bool = False  # carry the unused 512x512 `buff2fs` initializer
    seed: int = 0

    def scaled(self, width_div: int) -> "Arch":
        """Width-scaled copy: every feature channel count divided by width_div.

        The 3 image channels and the 512-d latent are interface dimensions and
        stay fixed; only internal widths shrink.
        """
        if width_div == 1:
            return self

        def div(c: int) -> int:
            if c % width_div:
                raise ValueError(f"{self.name}: {c} channels not divisible by {width_div}")
            return c // width_div

        return Arch(
            name=f"{self.name}_w{width_div}",
            size=self.size,
            head=div(self.head),
            down=tuple((div(c), s) for c, s in self.down),
            blocks=self.blocks,
            up=tuple((div(c), u) for c, u in self.up),
            emap=self.emap,
            seed=self.seed,
        )

    @property
    def bottleneck(self) -> int:
        return self.down[-1][0]


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------

def instance_norm(x: torch.Tensor) -> torch.Tensor:
    """Parameter-free instance norm spelled out in primitive ops.

    nn.InstanceNorm2d would export as a single InstanceNormalization node;
    inswapper_128.onnx instead contains ReduceMean, Sub, Mul, ReduceMean, Add,
    Sqrt, Div, and the converter's pattern matcher is written against that.
    """
    mean = torch.mean(x, dim=(2, 3), keepdim=True)
    d = x - mean
    var = torch.mean(d * d, dim=(2, 3), keepdim=True)
    return d / torch.sqrt(var + INSTNORM_EPS)


class ReflectConv(nn.Module):
    """ReflectionPad2d(k // 2) followed by an unpadded k x k conv."""

    def __init__(self, cin: int, cout: int, k: int):
        super().__init__()
        self.pad = nn.ReflectionPad2d(k // 2)
        self.conv = nn.Conv2d(cin, cout, k, padding=0, bias=True)

    def forward(self, x):
        return self.conv(self.pad(x))


class Modulation(nn.Module):
    """Source latent -> per-channel (scale, shift), one Gemm of 512 -> 2C.

    The split is done with tensor slicing plus a reshape with constant shape;
    torch exports that as Slice + Reshape, identical in opsets 11 and 13 (Split
    and Unsqueeze change their signatures between those opsets).
    """

    def __init__(self, channels: int):
        super().__init__()
        self.channels = channels
        self.linear = nn.Linear(LATENT_DIM, 2 * channels)

    def forward(self, source):
        style = self.linear(source)
        c = self.channels
        scale = style[:, :c].reshape(1, c, 1, 1)
        shift = style[:, c:].reshape(1, c, 1, 1)
        return scale, shift


class AdaINBlock(nn.Module):
    """inswapper residual block: two (pad, conv, instnorm, modulate) stages.

    The scale is used as is (no "1 + scale"), matching inswapper_128.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = ReflectConv(channels, channels, 3)
        self.style1 = Modulation(channels)
        self.conv2 = ReflectConv(channels, channels, 3)
        self.style2 = Modulation(channels)

    def forward(self, x, source):
        s1, b1 = self.style1(source)
        y = instance_norm(self.conv1(x)) * s1 + b1
        y = F.relu(y)
        s2, b2 = self.style2(source)
        y = instance_norm(self.conv2(y)) * s2 + b2
        return x + y


class Generator(nn.Module):
    """Encoder / AdaIN blocks / decoder generator described by an Arch."""

    def __init__(self, arch: Arch):
        super().__init__()
        self.arch = arch
        self.head = ReflectConv(3, arch.head, 7)
        down = []
        cin = arch.head
        for cout, stride in arch.down:
            down.append(nn.Conv2d(cin, cout, 3, stride=stride, padding=1))
            cin = cout
        self.down = nn.ModuleList(down)
        self.blocks = nn.ModuleList(AdaINBlock(cin) for _ in range(arch.blocks))
        up = []
        for cout, _ in arch.up:
            up.append(nn.Conv2d(cin, cout, 3, stride=1, padding=1))
            cin = cout
        self.up = nn.ModuleList(up)
        self.tail = ReflectConv(cin, 3, 7)

    def features(self, target, source):
        """Everything up to (excluding) the tail conv; used for calibration."""
        x = F.leaky_relu(self.head(target), LRELU_SLOPE)
        for conv in self.down:
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
        for block in self.blocks:
            x = block(x, source)
        for conv, (_, upsample) in zip(self.up, self.arch.up):
            if upsample:
                x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
            x = F.leaky_relu(conv(x), LRELU_SLOPE)
        return x

    def forward(self, target, source):
        x = self.tail(self.features(target, source))
        return (torch.tanh(x) + 1.0) / 2.0


# ---------------------------------------------------------------------------
# Deterministic initialisation
# ---------------------------------------------------------------------------

# Modulation init: scale ~ 1 + N(0, 0.2^2) and shift ~ N(0, 0.2^2) over random
# unit-norm sources.  Large enough that the source visibly changes the output,
# small enough that no channel is flipped or zeroed.
MOD_WEIGHT_STD = 0.2
BIAS_STD = 0.02
# Target std of the pre-Tanh activation on the default inputs.  tanh of a
# N(0, 0.8^2) variable keeps ~98% of the pixels inside (0.02, 0.98).
TAIL_TARGET_STD = 0.8


def init_weights(model: Generator) -> None:
    """Seeded init that keeps every layer in a sane numeric range.

    Convs use He-normal init for a LeakyReLU(0.2) so the activation variance is
    roughly preserved through the encoder and decoder; the instance norm in
    every block re-normalises anyway.  Non-zero biases make sure a runtime that
    drops a bias is caught by the tests.
    """
    gen = torch.Generator().manual_seed(model.arch.seed)
    gain = math.sqrt(2.0 / (1.0 + LRELU_SLOPE ** 2))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
                m.weight.normal_(0.0, gain / math.sqrt(fan_in), generator=gen)
                m.bias.normal_(0.0, BIAS_STD, generator=gen)
            elif isinstance(m, Modulation):
                c = m.channels
                m.linear.weight.normal_(0.0, MOD_WEIGHT_STD, generator=gen)
                m.linear.bias.normal_(0.0, BIAS_STD, generator=gen)
                m.linear.bias[:c] += 1.0


def calibrate_tail(model: Generator, target: torch.Tensor, source: torch.Tensor) -> None:
    """Rescale the final conv so Tanh sees ~N(0, TAIL_TARGET_STD^2) per channel.

    The residual stream grows with every block (x + y with unit-variance y), so
    an analytic init would saturate the Tanh for deep models and underdrive it
    for shallow ones.  Measuring once on the default inputs fixes all variants
    the same way.  The correction factors are rounded to 4 significant digits
    so that the exported weights do not depend on last-bit differences of the
    calibration forward pass between machines.
    """
    def round_sig(v: float) -> float:
        return float(f"{v:.4g}")

    with torch.no_grad():
        feats = model.features(target, source)
        conv = model.tail.conv
        z = F.conv2d(model.tail.pad(feats), conv.weight)  # without bias
        for o in range(z.shape[1]):
            std = float(z[0, o].std())
            mean = float(z[0, o].mean())
            k = round_sig(TAIL_TARGET_STD / std)
            conv.weight[o] *= k
            conv.bias[o] = round_sig(-mean * k)


def build(arch: Arch, target: torch.Tensor, source: torch.Tensor) -> Generator:
    model = Generator(arch).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    init_weights(model)
    calibrate_tail(model, target, source)
    return model


def emap_matrix(seed: int) -> np.ndarray:
    """The `buff2fs` matrix stored (but never used by any node) in inswapper.

    In insightface it maps ArcFace identity embeddings into the swapper's latent
    space outside of the graph.  Here it is a seeded random matrix; only its
    shape, name and position in the initializer list matter.
    """
    rng = np.random.default_rng(seed + 0x5EED)
    return (rng.standard_normal((LATENT_DIM, LATENT_DIM)) / math.sqrt(LATENT_DIM)).astype(np.float32)


# ---------------------------------------------------------------------------
# Default inputs
# ---------------------------------------------------------------------------

def default_inputs(size: int, seed: int):
    """Seeded, deterministic (target, source) pair.

    The target is low-frequency colour noise (like a blurry face crop) plus a
    little pixel noise so that convolution borders and fine detail matter.
    Generated with numpy's PCG64 and a separable bilinear resize written in
    numpy, so it is bit-identical everywhere.
    """
    rng = np.random.default_rng(seed)
    low = size // 16
    coarse = rng.standard_normal((3, low, low))
    img = _resize_bilinear(coarse, size)
    mid = _resize_bilinear(rng.standard_normal((3, size // 4, size // 4)), size)
    img = 0.5 + 0.18 * img + 0.06 * mid + 0.03 * rng.standard_normal((3, size, size))
    target = np.clip(img, 0.0, 1.0).astype(np.float32)[None]
    src = rng.standard_normal(LATENT_DIM)
    source = (src / np.linalg.norm(src)).astype(np.float32)[None]
    return np.ascontiguousarray(target), np.ascontiguousarray(source)


def _resize_bilinear(x: np.ndarray, size: int) -> np.ndarray:
    """Half-pixel bilinear resize of a [C, h, w] array to [C, size, size]."""
    def weights(n_in: int):
        pos = (np.arange(size) + 0.5) * n_in / size - 0.5
        pos = np.clip(pos, 0, n_in - 1)
        i0 = np.floor(pos).astype(np.int64)
        i1 = np.minimum(i0 + 1, n_in - 1)
        return i0, i1, pos - i0

    y0, y1, fy = weights(x.shape[1])
    x0, x1, fx = weights(x.shape[2])
    rows = x[:, y0, :] * (1 - fy)[None, :, None] + x[:, y1, :] * fy[None, :, None]
    return rows[:, :, x0] * (1 - fx)[None, None, :] + rows[:, :, x1] * fx[None, None, :]


# ---------------------------------------------------------------------------
# Cost model over an exported ONNX graph
# ---------------------------------------------------------------------------

@dataclass
class LayerCost:
    name: str
    op: str
    shape: str
    params: int
    macs: int


@dataclass
class GraphCost:
    params: int = 0
    macs: int = 0
    layers: List[LayerCost] = field(default_factory=list)


def count_onnx(model) -> GraphCost:
    """Parameters and multiply-accumulates of an ONNX generator graph.

    params: every element of every initializer, used or not -- the inswapper
    `buff2fs` emap is counted.  (The exporter keeps all weights as
    initializers; Constant nodes only hold shape arithmetic and scalars.)
    MACs: Conv = Cout * Cin/groups * kh * kw * Hout * Wout, Gemm = M * N * K.
    Element-wise ops, norms and resizes are not counted.  The graph must have
    static input shapes.
    """
    cost = GraphCost()
    inits = {t.name: t for t in model.graph.initializer}
    for t in model.graph.initializer:
        cost.params += int(np.prod(t.dims))

    shapes = infer_shapes(model)

    def pcount(name):
        return int(np.prod(inits[name].dims)) if name in inits else 0

    for n in model.graph.node:
        if n.op_type == "Conv":
            # The weight is [Cout, Cin/groups, kh, kw], so groups are implicit.
            w = inits[n.input[1]].dims
            out = shapes[n.output[0]]
            macs = int(w[0] * w[1] * w[2] * w[3] * out[2] * out[3])
            p = sum(pcount(i) for i in n.input[1:])
            cost.layers.append(LayerCost(n.name, "Conv", f"{w[1]}->{w[0]} k{w[2]} @{out[2]}x{out[3]}", p, macs))
            cost.macs += macs
        elif n.op_type in ("Gemm", "MatMul"):
            a, b = shapes[n.input[0]], shapes[n.input[1]]
            trans_b = next((x.i for x in n.attribute if x.name == "transB"), 0)
            m, k = a[-2], a[-1]
            nn_ = b[0] if trans_b else b[1]
            macs = int(m * nn_ * k)
            p = sum(pcount(i) for i in n.input[1:])
            cost.layers.append(LayerCost(n.name, n.op_type, f"{k}->{nn_}", p, macs))
            cost.macs += macs
    return cost


# Ops that appear in the exporter's constant "shape arithmetic" subgraphs (the
# reflect-Pad pads and the Resize scales), evaluated with numpy.
_FOLDERS = {
    "Shape": lambda x: np.array(x.shape, dtype=np.int64),
    "Gather": lambda x, i, axis=0: np.take(x, i, axis=axis),
    "Add": lambda a, b: a + b,
    "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b,
    "Div": lambda a, b: np.trunc(a / b).astype(a.dtype) if a.dtype.kind == "i" else a / b,
    "Concat": lambda *xs, axis=0: np.concatenate(xs, axis=axis),
    "Reshape": lambda x, shape: x.reshape([x.shape[i] if d == 0 else d for i, d in enumerate(shape)]),
    "Transpose": lambda x, perm=None: np.transpose(x, perm),
}


def _fold_slice(x, starts, ends, axes=None, steps=None):
    axes = range(len(starts)) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    idx = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        n = x.shape[a]
        # numpy slicing clamps like ONNX, except for huge negative ends with a
        # negative step, which ONNX means as "through index 0".
        e = None if (st < 0 and e < -n) else int(e)
        idx[a] = slice(int(s), e, int(st))
    return x[tuple(idx)]


def fold_constants(model):
    """Values of every tensor computable from Constant nodes alone.

    Returns {tensor name: numpy array}.  Only the small integer/float shape
    subgraphs are folded; weights (initializers) are left alone on purpose.
    """
    from onnx import helper, numpy_helper

    known = {}
    for n in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == "Constant" and "value" in attrs:
            known[n.output[0]] = numpy_helper.to_array(attrs["value"])
            continue
        ins = [i for i in n.input if i]
        if not ins or any(i not in known for i in ins):
            continue
        args = [known[i] for i in n.input if i]
        if n.op_type == "ConstantOfShape":
            fill = numpy_helper.to_array(attrs["value"]) if "value" in attrs else np.zeros(1, np.float32)
            val = np.full(tuple(args[0]), fill.reshape(-1)[0], dtype=fill.dtype)
        elif n.op_type == "Cast":
            val = args[0].astype(_np_dtype(attrs["to"]))
        elif n.op_type == "Slice":
            val = _fold_slice(*args)
        elif n.op_type in _FOLDERS:
            val = _FOLDERS[n.op_type](*args, **{k: v for k, v in attrs.items() if k in ("axis", "perm")})
        else:
            continue
        known[n.output[0]] = np.asarray(val)
    return known


def _np_dtype(onnx_type: int):
    from onnx import helper
    if hasattr(helper, "tensor_dtype_to_np_dtype"):  # onnx >= 1.13
        return helper.tensor_dtype_to_np_dtype(onnx_type)
    from onnx import mapping
    return mapping.TENSOR_TYPE_TO_NP_TYPE[onnx_type]


def infer_shapes(model):
    """{tensor name: dims} for a static-shape graph.

    onnx.shape_inference cannot see through the exporter's pads/scales
    subgraphs, so those are folded first and handed to it as initializers of
    a weight-less skeleton copy (copying the real weights would double the
    memory for the 0.5 GB inswapper).
    """
    import onnx
    from onnx import numpy_helper, shape_inference

    folded = fold_constants(model)
    skeleton = onnx.ModelProto()
    skeleton.ir_version = model.ir_version
    skeleton.opset_import.extend(model.opset_import)
    g = skeleton.graph
    g.input.extend(model.graph.input)
    g.output.extend(model.graph.output)
    for t in model.graph.initializer:
        g.input.append(onnx.helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    for n in model.graph.node:
        if n.output[0] in folded:
            g.initializer.append(numpy_helper.from_array(folded[n.output[0]], n.output[0]))
        else:
            g.node.append(n)
    inferred = shape_inference.infer_shapes(skeleton, strict_mode=True)
    shapes = {name: list(v.shape) for name, v in folded.items()}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    return shapes


def torchscript_onnx_export(*args, **kwargs):
    """torch.onnx.export through the TorchScript exporter, whatever the torch version.

    The fixtures must reach the converter as insightface's exporter wrote them; torch
    2.9 and later default to the dynamo exporter (other op patterns, opset 18 at least)
    unless asked for the TorchScript one. Keyword arguments a newer torch no longer
    takes are dropped with a warning rather than failing the export.
    """
    params = inspect.signature(torch.onnx.export).parameters
    if "dynamo" in params:
        kwargs["dynamo"] = False
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    for name in [k for k in kwargs if k not in params and not takes_any]:
        warnings.warn(f"torch {torch.__version__}: torch.onnx.export takes no '{name}'; left out")
        del kwargs[name]
    torch.onnx.export(*args, **kwargs)
