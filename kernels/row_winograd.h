// Winograd F(4, 7) along rows: the 7x7 stride-1 convolutions of the generators' image
// head and tail (3 -> 16 and 16 -> 3 channels at 512 x 512) as 1-D minimal filtering
// across each row and a plain sum down the kernel's rows.
//
// Those layers have too few channels for the 2-D transforms to pay: an 8 x 8 tile's
// input transform per channel costs about what its 3- or 16-channel GEMM saves. Along
// one dimension the transforms are cheap: each padded input row of each channel is
// transformed once (10 points per 4 columns) and then serves the 7 output rows whose
// windows hold it, through 7 kernel rows transformed at load; each output row sums
// its 7 kernel rows' products in the transformed domain and transforms back once.
// Multiplications per output: 10 / 4 * 7 = 17.5 per input and output channel,
// against 49 direct.
//
// The matrices come from Cook-Toom interpolation at 0, +-1, +-2, +-1/2, +-3/4 and
// infinity (cook_toom.h: at compile time, in double):
//   y = AT [(G g) . (BT d)],  d: 10 padded inputs, g: 7 taps, y: 4 outputs.
// Of the point sets tried (numpy, fp32 inputs and transforms, 100 random tiles) +-3/4
// as the last pair gave the smallest error: 1.4e-6 of the kernel's norm on average,
// 4.8e-6 at most (+-3: 3.4e-6 / 2.5e-5).
// ConvFast.RowWinogradTransformsReproduceTheCorrelation measures it for these points.
#pragma once

#include <cstdint>

#include "kernels/cook_toom.h"
#include "kernels/kernel_types.h"

namespace swaprun::kernels::row_winograd {

inline constexpr int kTaps = 7;                   // the kernel width it serves
inline constexpr int kOut = 4;                    // output columns per tile
inline constexpr int kPoints = kOut + kTaps - 1;  // transformed values per tile

// The finite interpolation points; the last one is infinity.
inline constexpr double kFinitePoints[kPoints - 1] = {0.0, 1.0,  -1.0, 2.0,  -2.0,
                                                      0.5, -0.5, 0.75, -0.75};

// Whether points r and r + 1 are a pair a, -a: then row r + 1 of BT is row r with its odd
// columns negated (so both come from one even and one odd sum), and column r + 1 of AT
// is column r with its odd rows negated.
constexpr bool mirrors(int r) {
    return r >= 0 && r + 1 < kPoints - 1 && kFinitePoints[r] != 0.0 &&
           kFinitePoints[r + 1] == -kFinitePoints[r];
}

using Transforms = cook_toom::Transforms<kOut, kTaps>;

inline constexpr Transforms kTransforms = cook_toom::make<kOut, kTaps>(kFinitePoints);

namespace detail {
// The symmetry mirrors() promises, checked on the matrices as computed.
constexpr bool mirrored_as_promised() {
    for (int r = 0; r < kPoints; ++r) {
        if (!mirrors(r)) continue;
        for (int i = 0; i < kPoints; ++i) {
            const double sign = i % 2 == 0 ? 1.0 : -1.0;
            if (cook_toom::detail::abs_of(kTransforms.bt[r + 1][i] - sign * kTransforms.bt[r][i]) >
                1e-12)
                return false;
        }
        for (int j = 0; j < kOut; ++j) {
            const double sign = j % 2 == 0 ? 1.0 : -1.0;
            if (kTransforms.at[j][r + 1] != sign * kTransforms.at[j][r]) return false;
        }
    }
    return true;
}
static_assert(mirrored_as_promised());
}  // namespace detail

// Whether a convolution of this shape can run on the row transforms: a 7x7 kernel at
// stride and dilation 1, one group, padding within the kernel's reach.
inline bool applies(const Conv2dParams& p) {
    return p.kernel_w == kTaps && p.kernel_h == kTaps && p.stride_w == 1 && p.stride_h == 1 &&
           p.dilation_w == 1 && p.dilation_h == 1 && p.groups == 1 && p.pad_left >= 0 &&
           p.pad_left < kTaps && p.pad_top >= 0 && p.pad_top < kTaps && p.out_width > 0;
}

// Output tiles of a row, rounded up to whole vectors of `lanes` tiles.
inline int64_t padded_tiles(const Conv2dParams& p, int lanes) {
    const int64_t tiles = (p.out_width + kOut - 1) / kOut;
    return (tiles + lanes - 1) / lanes * lanes;
}

// U for blocks of `mr` output channels, in the order the micro-kernel reads it:
// [block][point][input channel][kernel row][mr], zeros past out_channels.
int64_t packed_weight_floats(const Conv2dParams& p, int mr);
void pack_weights(const Conv2dParams& p, const float* weight, int mr, float* u);

}  // namespace swaprun::kernels::row_winograd
