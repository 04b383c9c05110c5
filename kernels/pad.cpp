// N-d Pad (constant, reflect, edge; negative pads crop).
//
// Output rows along the last axis are independent: each copies the interior of
// one input row (chosen through the pad-mode index function on the outer axes)
// and fills the row's borders, with no per-element index arithmetic inside.
#include <algorithm>
#include <cstdint>

#include "kernels/cpu_common.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {

void pad(const PadParams& p, const float* input, float* output) {
    const Shape& in = p.in_shape;
    if (in.rank == 0) {
        output[0] = input[0];
        return;
    }
    const int r = in.rank;
    int64_t out_dims[kMaxRank] = {};
    int64_t in_strides[kMaxRank] = {};
    int64_t s = 1;
    for (int d = r - 1; d >= 0; --d) {
        out_dims[d] = in.dims[d] + p.begin[d] + p.end[d];
        in_strides[d] = s;
        s *= in.dims[d];
    }
    int64_t rows = 1;
    for (int d = 0; d < r - 1; ++d) rows *= out_dims[d];
    const int64_t width = out_dims[r - 1];
    const int64_t in_width = in.dims[r - 1];
    const int64_t begin = p.begin[r - 1];
    if (rows <= 0 || width <= 0) return;
    // Output columns [lo, hi) read input columns [lo - begin, hi - begin) directly.
    const int64_t lo = std::clamp<int64_t>(begin, 0, width);
    const int64_t hi = std::clamp<int64_t>(begin + in_width, lo, width);

#pragma omp parallel for schedule(static) if (rows * width >= 32768)
    for (int64_t row = 0; row < rows; ++row) {
        float* out = output + row * width;
        int64_t rest = row;
        int64_t offset = 0;
        bool outside = false;
        for (int d = r - 2; d >= 0; --d) {
            const int64_t o = rest % out_dims[d];
            rest /= out_dims[d];
            const int64_t i = cpu::map_index(o - p.begin[d], in.dims[d], p.mode);
            if (i < 0) {
                outside = true;
                break;
            }
            offset += i * in_strides[d];
        }
        if (outside) {
            std::fill(out, out + width, p.value);
            continue;
        }
        const float* src = input + offset;
        std::copy(src + (lo - begin), src + (hi - begin), out + lo);
        for (int64_t x = 0; x < lo; ++x) {
            const int64_t i = cpu::map_index(x - begin, in_width, p.mode);
            out[x] = i < 0 ? p.value : src[i];
        }
        for (int64_t x = hi; x < width; ++x) {
            const int64_t i = cpu::map_index(x - begin, in_width, p.mode);
            out[x] = i < 0 ? p.value : src[i];
        }
    }
}

}  // namespace swaprun::kernels
