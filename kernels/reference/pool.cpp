// Naive 2-D max and average pooling, straight from the definition in kernel_types.h.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/reference.h"

namespace swaprun::kernels::reference {

void pool2d(const Pool2dParams& p, const float* input, float* output) {
    for (int64_t plane = 0; plane < p.batch * p.channels; ++plane) {
        const float* x = input + plane * p.in_height * p.in_width;
        float* y = output + plane * p.out_height * p.out_width;
        for (int64_t oy = 0; oy < p.out_height; ++oy) {
            for (int64_t ox = 0; ox < p.out_width; ++ox) {
                const int64_t y0 = oy * p.stride_h - p.pad_top;
                const int64_t x0 = ox * p.stride_w - p.pad_left;
                const int64_t y1 = std::min(y0 + p.kernel_h, p.in_height + p.pad_bottom);
                const int64_t x1 = std::min(x0 + p.kernel_w, p.in_width + p.pad_right);
                const int64_t padded_cells = (y1 - y0) * (x1 - x0);
                double sum = 0.0;
                float max = -std::numeric_limits<float>::infinity();
                int64_t cells = 0;
                for (int64_t iy = std::max<int64_t>(y0, 0); iy < std::min(y1, p.in_height); ++iy) {
                    for (int64_t ix = std::max<int64_t>(x0, 0); ix < std::min(x1, p.in_width);
                         ++ix) {
                        const float v = x[iy * p.in_width + ix];
                        sum += v;
                        max = std::max(max, v);
                        ++cells;
                    }
                }
                if (p.kind == PoolKind::Max) {
                    y[oy * p.out_width + ox] = max;
                } else {
                    const int64_t divisor = p.count_include_pad ? padded_cells : cells;
                    y[oy * p.out_width + ox] =
                        static_cast<float>(sum / static_cast<double>(divisor));
                }
            }
        }
    }
}

}  // namespace swaprun::kernels::reference
