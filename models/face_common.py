"""What the detector and recognition replicas share: seeded initialisation with
BatchNorm statistics measured on real activations, default inputs, ONNX export.

The replicas stand in for insightface's det_10g.onnx and w600k_r50.onnx in tests:
their graphs use the same ops in the same arrangement, their weights are seeded.
Weights must keep every layer in a sane range, or agreement between two runtimes
would be trivial (a saturated sigmoid agrees with anything):

* convolutions and linear layers: He-normal for a ReLU/PReLU network;
* BatchNorm affine parameters: gamma ~ U(0.6, 1.4), beta ~ N(0, 0.1^2);
* BatchNorm running statistics: measured by one training-mode pass over a
  calibration batch, so that every normalisation sees data of unit scale and
  the statistics are far from the trivial (mean 0, var 1) that folding could get
  wrong without a test noticing.

Statistics are rounded to 4 significant digits so that the exported weights do
not depend on last-bit differences of the calibration pass between machines.
"""

import io
import math
import warnings
from typing import Sequence

import numpy as np
import onnx
import torch
import torch.nn as nn

from common import torchscript_onnx_export

GAMMA_RANGE = (0.6, 1.4)
BETA_STD = 0.1
BIAS_STD = 0.02


def round_sig(t: torch.Tensor) -> torch.Tensor:
    """t with every value rounded to 4 significant digits."""
    return torch.tensor([float(f"{v:.4g}") for v in t.flatten().tolist()],
                        dtype=t.dtype).reshape(t.shape)


def init_layers(model: nn.Module, gen: torch.Generator, relu_slope: float = 0.0) -> None:
    """He-normal convs and linears, random BatchNorm affine parameters."""
    gain = math.sqrt(2.0 / (1.0 + relu_slope ** 2))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
                m.weight.normal_(0.0, gain / math.sqrt(fan_in), generator=gen)
                if m.bias is not None:
                    m.bias.normal_(0.0, BIAS_STD, generator=gen)
            elif isinstance(m, nn.Linear):
                m.weight.normal_(0.0, 1.0 / math.sqrt(m.in_features), generator=gen)
                if m.bias is not None:
                    m.bias.normal_(0.0, BIAS_STD, generator=gen)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                lo, hi = GAMMA_RANGE
                m.weight.uniform_(lo, hi, generator=gen)
                m.bias.normal_(0.0, BETA_STD, generator=gen)
            elif isinstance(m, nn.PReLU):
                m.weight.uniform_(0.05, 0.4, generator=gen)


def calibrate_batchnorm(model: nn.Module, batch: torch.Tensor) -> None:
    """Sets every BatchNorm's running statistics to those of `batch` as it flows
    through the network (each layer sees the already-normalised output of the
    ones before it), then leaves the model in eval mode."""
    norms = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average: after one batch, exactly its statistics
    model.train()
    with torch.no_grad():
        model(batch)
    model.eval()
    with torch.no_grad():
        for m in norms:
            m.running_mean.copy_(round_sig(m.running_mean))
            m.running_var.copy_(round_sig(m.running_var))
            m.momentum = 0.1


def seeded_images(count: int, height: int, width: int, seed: int) -> np.ndarray:
    """[count, 3, H, W] float32 in [-1, 1]: smooth colour fields with fine noise, like a
    normalised photo (the replicas' inputs are (x - 127.5) / 128 or / 127.5)."""
    rng = np.random.default_rng(seed)
    out = np.empty((count, 3, height, width), dtype=np.float32)
    for i in range(count):
        coarse = _upsample(rng.standard_normal((3, max(2, height // 32), max(2, width // 32))), height,
                           width)
        mid = _upsample(rng.standard_normal((3, max(2, height // 8), max(2, width // 8))), height, width)
        img = 0.45 * coarse + 0.2 * mid + 0.08 * rng.standard_normal((3, height, width))
        out[i] = np.clip(img, -1.0, 1.0)
    return out


def _upsample(x: np.ndarray, height: int, width: int) -> np.ndarray:
    """Half-pixel bilinear resize of [C, h, w] to [C, height, width] in numpy."""
    def weights(n_in: int, n_out: int):
        pos = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
        i0 = np.floor(pos).astype(np.int64)
        return i0, np.minimum(i0 + 1, n_in - 1), pos - i0

    y0, y1, fy = weights(x.shape[1], height)
    x0, x1, fx = weights(x.shape[2], width)
    rows = x[:, y0, :] * (1 - fy)[None, :, None] + x[:, y1, :] * fy[None, :, None]
    return rows[:, :, x0] * (1 - fx)[None, None, :] + rows[:, :, x1] * fx[None, None, :]


def export_onnx(model: nn.Module, example: np.ndarray, input_name: str, output_names: Sequence[str],
                opset: int, open_height_width: bool = False) -> onnx.ModelProto:
    """Trace-export at `opset` as insightface exported its models (eval mode, batch 1,
    static shape), keeping BatchNormalization nodes literal.

    With `open_height_width` the input's height and width are left open ('?'), as in
    insightface's detector files: the traced sizes (the neck's upsampling) become Shape
    arithmetic on the input instead of constants, so the file runs at any det_size.

    insightface's files had their Conv + BatchNormalization pairs folded by the
    exporter; keeping them here makes the converter's folding part of what the tests
    check, and a folded Conv is just a Conv.
    """
    buf = io.BytesIO()
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torchscript_onnx_export(
            model,
            (torch.from_numpy(example),),
            buf,
            input_names=[input_name],
            output_names=list(output_names),
            opset_version=opset,
            do_constant_folding=False,
            export_params=True,
            # PRESERVE on a model in eval mode: inference-mode BatchNormalization
            # nodes, not folded into the convolutions by the exporter.
            training=torch.onnx.TrainingMode.PRESERVE,
            dynamic_axes={input_name: {2: "?", 3: "?"}} if open_height_width else None,
        )
    proto = onnx.load_from_string(buf.getvalue())
    proto.producer_name = "swaprun-models"
    onnx.checker.check_model(proto)
    return proto
