"""inswapper_128: the topology of insightface's inswapper_128.onnx.

    ReflectionPad(3) + Conv7x7   3 -> 128   @128x128   LeakyReLU(0.2)
    Conv3x3 pad 1              128 -> 256   @128x128   LeakyReLU(0.2)
    Conv3x3 pad 1 stride 2     256 -> 512   @64x64     LeakyReLU(0.2)
    Conv3x3 pad 1 stride 2     512 -> 1024  @32x32     LeakyReLU(0.2)
    6 x AdaIN residual block  1024          @32x32     (Gemm 512 -> 2048 each stage)
    Resize x2 + Conv3x3       1024 -> 512   @64x64     LeakyReLU(0.2)
    Resize x2 + Conv3x3        512 -> 256   @128x128   LeakyReLU(0.2)
    Conv3x3                    256 -> 128   @128x128   LeakyReLU(0.2)
    ReflectionPad(3) + Conv7x7 128 -> 3     @128x128   Tanh, (x + 1) / 2

plus the unused 512x512 `buff2fs` emap initializer.  138.55M parameters
(138.29M without the emap), 174.56 GMACs per frame.
"""

from common import Arch

INSWAPPER_128 = Arch(
    name="inswapper_128",
    size=128,
    head=128,
    down=((256, 1), (512, 2), (1024, 2)),
    blocks=6,
    up=((512, True), (256, True), (128, False)),
    emap=True,
    seed=128,
)
