"""inswapper-512-live generators (live_base, live_mini).

The published 512 px "live" swappers are not public, so these are our own
definitions: the inswapper building blocks at 512x512, sized to the advertised
budgets (live_base 9.5M params / 12.1 GMACs, live_mini 4.7M / 6.3 GMACs).
See models/README.md for how the widths were chosen.

Shared layout (widths in the table below):

    ReflectionPad(3) + Conv7x7  3 -> 16    @512   LeakyReLU(0.2)
    Conv3x3 s2                 16 -> 16    @256   LeakyReLU(0.2)
    Conv3x3 s2                 16 -> 64    @128   LeakyReLU(0.2)
    Conv3x3 s2                 64 -> D     @64    LeakyReLU(0.2)
    Conv3x3 s2                  D -> C     @32    LeakyReLU(0.2)
    8 x AdaIN residual block    C          @32
    Resize x2 + Conv3x3         C -> D     @64    LeakyReLU(0.2)
    Resize x2 + Conv3x3         D -> 64    @128   LeakyReLU(0.2)
    Resize x2 + Conv3x3        64 -> 16    @256   LeakyReLU(0.2)
    Resize x2 + Conv3x3        16 -> 16    @512   LeakyReLU(0.2)
    ReflectionPad(3) + Conv7x7 16 -> 3     @512   Tanh, (x + 1) / 2

    live_base: D = 192, C = 192     9.38M params, 12.15 GMACs
    live_mini: D =  64, C = 128     4.71M params,  6.29 GMACs
"""

from common import Arch


def _live(name: str, d: int, c: int, seed: int) -> Arch:
    return Arch(
        name=name,
        size=512,
        head=16,
        down=((16, 2), (64, 2), (d, 2), (c, 2)),
        blocks=8,
        up=((d, True), (64, True), (16, True), (16, True)),
        emap=False,
        seed=seed,
    )


LIVE_BASE = _live("live_base", d=192, c=192, seed=512)
LIVE_MINI = _live("live_mini", d=64, c=128, seed=513)
