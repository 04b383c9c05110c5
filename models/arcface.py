"""ArcFace recognition replica: the topology of insightface's w600k_r50.onnx
(IResNet-50 of arcface_torch).

    input.1 [1, 3, 112, 112], RGB aligned crop, (x - 127.5) / 127.5
    Conv3x3 3->64 (no bias), BN, PReLU(64)
    4 stages of IBasicBlock, (3, 4, 14, 3) blocks, widths (64, 128, 256, 512), each
        stage's first block with stride 2:
            y = BN -> Conv3x3 -> BN -> PReLU -> Conv3x3 (stride) -> BN
            out = y + shortcut, shortcut = x or Conv1x1 (stride) + BN
    BN(512) at 7x7, Flatten, Gemm 512*7*7 -> 512, BatchNorm1d(512) (gamma fixed at 1)
    output `embedding` [1, 512]; the pipeline L2-normalises it.
All BatchNorm epsilons are 1e-5 as in arcface_torch.
"""

from dataclasses import dataclass
from typing import Tuple

import numpy as np
import torch
import torch.nn as nn

from face_common import calibrate_batchnorm, init_layers, seeded_images

INPUT_NAME = "input.1"
OUTPUT_NAMES = ("embedding",)
EMBEDDING = 512
BN_EPS = 1e-5


@dataclass(frozen=True)
class ArcfaceArch:
    name: str
    stage_blocks: Tuple[int, ...]
    stage_planes: Tuple[int, ...]
    size: int = 112
    seed: int = 0

    def scaled(self, width_div: int) -> "ArcfaceArch":
        if width_div == 1:
            return self
        return ArcfaceArch(name=f"{self.name}_w{width_div}", stage_blocks=self.stage_blocks,
                           stage_planes=tuple(max(2, c // width_div) for c in self.stage_planes),
                           size=self.size, seed=self.seed)


ARCFACE_R50 = ArcfaceArch("arcface_r50", stage_blocks=(3, 4, 14, 3), stage_planes=(64, 128, 256, 512),
                          seed=5050)


class IBasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin, eps=BN_EPS)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.prelu = nn.PReLU(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride=stride, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(cout, eps=BN_EPS))

    def forward(self, x):
        y = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return y + (x if self.shortcut is None else self.shortcut(x))


class IResNet(nn.Module):
    def __init__(self, arch: ArcfaceArch):
        super().__init__()
        self.arch = arch
        first = arch.stage_planes[0]
        self.conv1 = nn.Conv2d(3, first, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(first, eps=BN_EPS)
        self.prelu = nn.PReLU(first)
        blocks = []
        cin = first
        for count, cout in zip(arch.stage_blocks, arch.stage_planes):
            blocks.append(IBasicBlock(cin, cout, 2))
            blocks += [IBasicBlock(cout, cout, 1) for _ in range(count - 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.bn2 = nn.BatchNorm2d(cin, eps=BN_EPS)
        spatial = arch.size // 16
        self.fc = nn.Linear(cin * spatial * spatial, EMBEDDING)
        self.features = nn.BatchNorm1d(EMBEDDING, eps=BN_EPS)

    def forward(self, x):
        x = self.prelu(self.bn1(self.conv1(x)))
        x = self.bn2(self.blocks(x))
        x = torch.flatten(x, 1)
        return self.features(self.fc(x))


def default_input(arch: ArcfaceArch) -> np.ndarray:
    return seeded_images(1, arch.size, arch.size, arch.seed)


def build(arch: ArcfaceArch) -> IResNet:
    """The seeded replica, BatchNorm statistics measured on 8 seeded crops."""
    gen = torch.Generator().manual_seed(arch.seed)
    model = IResNet(arch)
    for p in model.parameters():
        p.requires_grad_(False)
    init_layers(model, gen, relu_slope=0.25)
    with torch.no_grad():
        model.features.weight.fill_(1.0)  # arcface_torch fixes the embedding norm's gamma at 1
    calibrate_batchnorm(model, torch.from_numpy(seeded_images(8, arch.size, arch.size, arch.seed + 1)))
    return model.eval()
