// 2-D max and average pooling (ONNX MaxPool / AveragePool semantics, kernel_types.h).
//
// Planes (n, c) are independent and split across threads. Each output row's vertical
// window is clipped once; interior columns, whose window lies inside the input, run a
// loop without bounds checks, and only the border columns clip. The common 2x2
// stride-2 unpadded case (SCRFD's stem) has its own loop.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/cpu_common.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {
namespace {

constexpr int64_t kParallelMin = 1 << 14;  // output elements below which a loop stays serial

// One output value from the clipped window rows [y0, y1) x columns [x0, x1).
template <PoolKind kKind>
SWAPRUN_ALWAYS_INLINE float window(const float* x, int64_t width, int64_t y0, int64_t y1,
                                   int64_t x0, int64_t x1, float inverse_divisor) {
    if constexpr (kKind == PoolKind::Max) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t iy = y0; iy < y1; ++iy) {
            const float* row = x + iy * width;
            for (int64_t ix = x0; ix < x1; ++ix) m = std::max(m, row[ix]);
        }
        return m;
    } else {
        float s = 0.0f;
        for (int64_t iy = y0; iy < y1; ++iy) {
            const float* row = x + iy * width;
            for (int64_t ix = x0; ix < x1; ++ix) s += row[ix];
        }
        return s * inverse_divisor;
    }
}

template <PoolKind kKind>
void pool_plane(const Pool2dParams& p, const float* x, float* y) {
    for (int64_t oy = 0; oy < p.out_height; ++oy) {
        const int64_t wy0 = oy * p.stride_h - p.pad_top;
        const int64_t wy1 = std::min(wy0 + p.kernel_h, p.in_height + p.pad_bottom);
        const int64_t y0 = std::max<int64_t>(wy0, 0), y1 = std::min(wy1, p.in_height);
        float* out = y + oy * p.out_width;
        for (int64_t ox = 0; ox < p.out_width; ++ox) {
            const int64_t wx0 = ox * p.stride_w - p.pad_left;
            const int64_t wx1 = std::min(wx0 + p.kernel_w, p.in_width + p.pad_right);
            const int64_t x0 = std::max<int64_t>(wx0, 0), x1 = std::min(wx1, p.in_width);
            const int64_t divisor =
                p.count_include_pad ? (wy1 - wy0) * (wx1 - wx0) : (y1 - y0) * (x1 - x0);
            out[ox] =
                window<kKind>(x, p.in_width, y0, y1, x0, x1, 1.0f / static_cast<float>(divisor));
        }
    }
}

// 2x2, stride 2, no padding: every window is four cells inside the input.
template <PoolKind kKind>
void pool_plane_2x2(const Pool2dParams& p, const float* x, float* y) {
    for (int64_t oy = 0; oy < p.out_height; ++oy) {
        const float* r0 = x + 2 * oy * p.in_width;
        const float* r1 = r0 + p.in_width;
        float* out = y + oy * p.out_width;
        for (int64_t ox = 0; ox < p.out_width; ++ox) {
            const float a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1];
            if constexpr (kKind == PoolKind::Max) {
                out[ox] = std::max(std::max(a, b), std::max(c, d));
            } else {
                out[ox] = ((a + b) + (c + d)) * 0.25f;
            }
        }
    }
}

template <PoolKind kKind>
void pool_all(const Pool2dParams& p, const float* input, float* output) {
    const int64_t planes = p.batch * p.channels;
    const int64_t in_plane = p.in_height * p.in_width, out_plane = p.out_height * p.out_width;
    const bool two_by_two = p.kernel_h == 2 && p.kernel_w == 2 && p.stride_h == 2 &&
                            p.stride_w == 2 && p.pad_top == 0 && p.pad_left == 0 &&
                            p.pad_bottom == 0 && p.pad_right == 0 &&
                            2 * p.out_height <= p.in_height && 2 * p.out_width <= p.in_width;
#pragma omp parallel for schedule(static) if (planes * out_plane >= kParallelMin)
    for (int64_t plane = 0; plane < planes; ++plane) {
        if (two_by_two) {
            pool_plane_2x2<kKind>(p, input + plane * in_plane, output + plane * out_plane);
        } else {
            pool_plane<kKind>(p, input + plane * in_plane, output + plane * out_plane);
        }
    }
}

}  // namespace

void pool2d(const Pool2dParams& p, const float* input, float* output) {
    if (p.kind == PoolKind::Max) {
        pool_all<PoolKind::Max>(p, input, output);
    } else {
        pool_all<PoolKind::Average>(p, input, output);
    }
}

}  // namespace swaprun::kernels
