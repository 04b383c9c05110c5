"""SCRFD face detector replica: the topology of insightface's det_10g.onnx
(SCRFD-10GF with batch-norm head and keypoints, "scrfd_10g_bnkps").

    input.1 [1, 3, 640, 640], RGB, (x - 127.5) / 128
    backbone ResNetV1e (deep stem, average-pool shortcut downsampling):
        stem    Conv3x3 s2 3->28, Conv3x3 28->28, Conv3x3 28->56 (each BN, ReLU)
        MaxPool 2x2 s2
        stages  BasicBlock x (3, 4, 2, 3), widths (56, 88, 88, 224), strides (1, 2, 2, 2);
                the first block of a stage shortcuts through AvgPool(s, s, ceil_mode,
                count_include_pad=False) + Conv1x1 + BN when shape changes
    neck PAFPN on stages 2-4 (strides 8, 16, 32), 56 channels, no activations:
        lateral Conv1x1; top-down add of nearest x2 upsampling (Resize to the finer
        level's size); Conv3x3 each; bottom-up add of Conv3x3 s2; Conv3x3 on levels 2-3
    head per stride (no sharing between strides): 3 x (Conv3x3 -> 80, BN, ReLU), then
        cls Conv3x3 -> 2 (anchors), reg Conv3x3 -> 8 times a learned scalar Scale,
        kps Conv3x3 -> 20
    outputs, in insightface's order: score_8, score_16, score_32 (sigmoid, [H*W*2, 1]),
        bbox_8, bbox_16, bbox_32 ([H*W*2, 4]), kps_8, kps_16, kps_32 ([H*W*2, 10]);
        each map is permuted to NHWC and flattened, so row (y * W + x) * 2 + a is
        anchor a of location (x, y), as insightface's SCRFD.detect reads them.

SCRFD_500M replicates det_500m.onnx (SCRFD-0.5GF, "scrfd_500m_bnkps") the same way, on a
MobileNetV1 backbone built from depthwise-separable blocks (Conv3x3 depthwise + BN +
ReLU, Conv1x1 + BN + ReLU):
    stem    Conv3x3 s2 3->16 (BN, ReLU), separable 16->16
    stages  separable blocks x (2, 3, 2, 6) to (40, 72, 152, 288), the first of each at
            stride 2 (strides 4, 8, 16, 32)
    neck    the same PAFPN on the last three stages, 16 channels
    head    per stride: 2 x separable (16->64, 64->64), then the cls, reg and kps
            Conv3x3s as above
The interface and outputs are det_10g's.
"""

from dataclasses import dataclass
from typing import Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from face_common import calibrate_batchnorm, init_layers, round_sig, seeded_images

STRIDES = (8, 16, 32)
ANCHORS = 2
OUTPUT_NAMES = tuple(f"{kind}_{s}" for kind in ("score", "bbox", "kps") for s in STRIDES)
INPUT_NAME = "input.1"
# Target spread of the classification logits: sigmoid of N(0, 1.5^2) keeps ~99% of
# the scores inside (0.02, 0.98).
LOGIT_STD = 1.5


@dataclass(frozen=True)
class ScrfdArch:
    name: str
    stem: int
    stage_blocks: Tuple[int, ...]
    stage_planes: Tuple[int, ...]
    neck: int
    head_convs: int
    head_feat: int
    size: int = 640
    seed: int = 0
    mobile: bool = False  # MobileNetV1 backbone and depthwise-separable head convs (det_500m)

    def scaled(self, width_div: int) -> "ScrfdArch":
        """Every internal width divided by width_div (at least 2 channels)."""
        if width_div == 1:
            return self

        def div(c: int) -> int:
            return max(2, c // width_div)

        return ScrfdArch(name=f"{self.name}_w{width_div}", stem=div(self.stem),
                         stage_blocks=self.stage_blocks,
                         stage_planes=tuple(div(c) for c in self.stage_planes), neck=div(self.neck),
                         head_convs=self.head_convs, head_feat=div(self.head_feat), size=self.size,
                         seed=self.seed, mobile=self.mobile)


SCRFD_10G = ScrfdArch("scrfd_10g", stem=56, stage_blocks=(3, 4, 2, 3), stage_planes=(56, 88, 88, 224),
                      neck=56, head_convs=3, head_feat=80, seed=1010)
SCRFD_500M = ScrfdArch("scrfd_500m", stem=16, stage_blocks=(2, 3, 2, 6), stage_planes=(40, 72, 152, 288),
                       neck=16, head_convs=2, head_feat=64, seed=500, mobile=True)


def conv_bn(cin: int, cout: int, k: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout))


def separable(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    """MobileNetV1's block: depthwise Conv3x3 + BN + ReLU, pointwise Conv1x1 + BN + ReLU."""
    return nn.Sequential(conv_bn(cin, cin, 3, stride, groups=cin), nn.ReLU(), conv_bn(cin, cout, 1), nn.ReLU())


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = conv_bn(cin, cout, 3, stride)
        self.conv2 = conv_bn(cout, cout, 3)
        self.shortcut = None
        if stride != 1 or cin != cout:
            pool = (nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False)
                    if stride != 1 else nn.Identity())
            self.shortcut = nn.Sequential(pool, conv_bn(cin, cout, 1))

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class StagedBackbone(nn.Module):
    """A stem, then stages; the last three stages' outputs (strides 8, 16, 32)."""

    def forward(self, x):
        x = self.stem(x)
        outs = []
        for stage in self.stages:
            x = stage(x)
            outs.append(x)
        return outs[1:]


class Backbone(StagedBackbone):
    def __init__(self, arch: ScrfdArch):
        super().__init__()
        half = max(2, arch.stem // 2)
        self.stem = nn.Sequential(conv_bn(3, half, 3, 2), nn.ReLU(), conv_bn(half, half, 3), nn.ReLU(),
                                  conv_bn(half, arch.stem, 3), nn.ReLU(), nn.MaxPool2d(2, 2))
        stages = []
        cin = arch.stem
        for blocks, cout, stride in zip(arch.stage_blocks, arch.stage_planes, (1, 2, 2, 2)):
            layers = [BasicBlock(cin, cout, stride)]
            layers += [BasicBlock(cout, cout, 1) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*layers))
            cin = cout
        self.stages = nn.ModuleList(stages)


class MobileBackbone(StagedBackbone):
    def __init__(self, arch: ScrfdArch):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, arch.stem, 3, 2), nn.ReLU(), separable(arch.stem, arch.stem))
        stages = []
        cin = arch.stem
        for blocks, cout in zip(arch.stage_blocks, arch.stage_planes):
            stages.append(nn.Sequential(separable(cin, cout, 2), *[separable(cout, cout) for _ in range(blocks - 1)]))
            cin = cout
        self.stages = nn.ModuleList(stages)


class PAFPN(nn.Module):
    def __init__(self, in_channels: Tuple[int, ...], width: int):
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, width, 1) for c in in_channels)
        self.fpn = nn.ModuleList(nn.Conv2d(width, width, 3, padding=1) for _ in in_channels)
        self.down = nn.ModuleList(nn.Conv2d(width, width, 3, stride=2, padding=1)
                                  for _ in in_channels[1:])
        self.pafpn = nn.ModuleList(nn.Conv2d(width, width, 3, padding=1) for _ in in_channels[1:])

    def forward(self, feats):
        lat = [conv(f) for conv, f in zip(self.lateral, feats)]
        for i in range(len(lat) - 1, 0, -1):
            lat[i - 1] = lat[i - 1] + F.interpolate(lat[i], size=lat[i - 1].shape[2:], mode="nearest")
        inter = [conv(x) for conv, x in zip(self.fpn, lat)]
        for i in range(len(inter) - 1):
            inter[i + 1] = inter[i + 1] + self.down[i](inter[i])
        return [inter[0]] + [conv(x) for conv, x in zip(self.pafpn, inter[1:])]


class Scale(nn.Module):
    """mmcv's Scale: one learned scalar multiplying the box regression."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(1.0))

    def forward(self, x):
        return x * self.scale


class HeadLevel(nn.Module):
    def __init__(self, cin: int, feat: int, convs: int, mobile: bool = False):
        super().__init__()
        layers = []
        for i in range(convs):
            c = cin if i == 0 else feat
            layers += [separable(c, feat)] if mobile else [conv_bn(c, feat, 3), nn.ReLU()]
        self.convs = nn.Sequential(*layers)
        self.cls = nn.Conv2d(feat, ANCHORS, 3, padding=1)
        self.reg = nn.Conv2d(feat, 4 * ANCHORS, 3, padding=1)
        self.kps = nn.Conv2d(feat, 10 * ANCHORS, 3, padding=1)
        self.scale = Scale()

    def forward(self, x):
        f = self.convs(x)
        return self.cls(f), self.scale(self.reg(f)), self.kps(f)


def _rows(x: torch.Tensor, per_anchor: int) -> torch.Tensor:
    """[1, A*k, H, W] -> [H*W*A, k]: NHWC, then one row per anchor."""
    return x.permute(0, 2, 3, 1).reshape(-1, per_anchor)


class Scrfd(nn.Module):
    def __init__(self, arch: ScrfdArch):
        super().__init__()
        self.arch = arch
        self.backbone = MobileBackbone(arch) if arch.mobile else Backbone(arch)
        self.neck = PAFPN(arch.stage_planes[1:], arch.neck)
        self.heads = nn.ModuleList(HeadLevel(arch.neck, arch.head_feat, arch.head_convs, arch.mobile)
                                   for _ in STRIDES)

    def raw(self, x):
        """Per level (cls logits, scaled reg, kps) before the output reshapes."""
        return [head(f) for head, f in zip(self.heads, self.neck(self.backbone(x)))]

    def forward(self, x):
        levels = self.raw(x)
        scores = [_rows(cls, 1).sigmoid() for cls, _, _ in levels]
        boxes = [_rows(reg, 4) for _, reg, _ in levels]
        kps = [_rows(k, 10) for _, _, k in levels]
        return tuple(scores + boxes + kps)


def default_input(arch: ScrfdArch) -> np.ndarray:
    return seeded_images(1, arch.size, arch.size, arch.seed)


def build(arch: ScrfdArch) -> Scrfd:
    """The seeded replica, calibrated on seeded images, in eval mode."""
    gen = torch.Generator().manual_seed(arch.seed)
    model = Scrfd(arch)
    for p in model.parameters():
        p.requires_grad_(False)
    init_layers(model, gen)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d) and m.groups > 1:
                # Depthwise kernels as smoothing filters (non-negative taps), as a trained
                # MobileNet's mostly are. Sign-random 3x3 kernels on smooth images make
                # the 30-layer network chaotic: fp32 and fp64 PyTorch then differ by
                # 4e-4 of an output's spread, more than the runtime comparisons allow.
                m.weight.abs_()
    calibration = torch.from_numpy(seeded_images(2, arch.size, arch.size, arch.seed + 1))
    calibrate_batchnorm(model, calibration)
    with torch.no_grad():
        # Logits spread around 0 so that the scores are neither all 0 nor all 1; a
        # learned box scale away from 1 so that a dropped Mul is noticed.
        levels = model.raw(torch.from_numpy(default_input(arch)))
        for head, (cls, _, _) in zip(model.heads, levels):
            k = round_sig(torch.tensor(LOGIT_STD / float(cls.std())))
            head.cls.weight *= k
            head.cls.bias.copy_(round_sig(head.cls.bias * k - cls.mean(dim=(0, 2, 3)) * k))
        for i, head in enumerate(model.heads):
            head.scale.scale.fill_(0.8 + 0.2 * i)
    return model.eval()
