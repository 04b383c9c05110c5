// Mean over a set of axes.
//
// The input is viewed as alternating kept / reduced axis runs. The common cases
// (a reduced suffix such as H*W, or a reduced prefix) become plain loops; any
// other mask takes the general path. Sums accumulate in double, and each output
// element is summed by one thread in input order.
#include <cstdint>
#include <vector>

#include "kernels/cpu_common.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {

void reduce_mean(const Shape& in_shape, uint32_t axes_mask, const float* input, float* output) {
    const int rank = in_shape.rank;
    // Merge adjacent axes with the same kind (kept or reduced); drop size-1 axes.
    int64_t dims[kMaxRank] = {};
    bool red[kMaxRank] = {};
    int n = 0;
    int64_t reduced = 1;
    for (int d = 0; d < rank; ++d) {
        const bool r = (axes_mask & (1u << d)) != 0;
        if (r) reduced *= in_shape.dims[d];
        if (in_shape.dims[d] == 1) continue;
        if (n > 0 && red[n - 1] == r) {
            dims[n - 1] *= in_shape.dims[d];
        } else {
            dims[n] = in_shape.dims[d];
            red[n] = r;
            ++n;
        }
    }
    int64_t out_total = 1;
    for (int d = 0; d < n; ++d) {
        if (!red[d]) out_total *= dims[d];
    }
    if (out_total <= 0) return;
    const double inv = reduced > 0 ? 1.0 / static_cast<double>(reduced) : 0.0;

    if (n == 0 || (n == 1 && !red[0])) {  // nothing is reduced
        for (int64_t i = 0; i < out_total; ++i) output[i] = input[i];
        return;
    }
    if (n <= 2 && red[n - 1]) {  // [kept] x reduced: contiguous sums
        const int64_t len = dims[n - 1];
#pragma omp parallel for schedule(static) if (out_total * len >= 32768)
        for (int64_t o = 0; o < out_total; ++o) {
            const float* x = input + o * len;
            double s = 0.0;
#pragma omp simd reduction(+ : s)
            for (int64_t i = 0; i < len; ++i) s += static_cast<double>(x[i]);
            output[o] = static_cast<float>(s * inv);
        }
        return;
    }
    if (n <= 2 && red[0]) {  // reduced x kept: column sums, parallel over columns
        const int64_t len = dims[0];
        const int64_t cols = dims[1];
        constexpr int64_t kCols = 256;
        const int64_t col_blocks = (cols + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (len * cols >= 32768)
        for (int64_t cb = 0; cb < col_blocks; ++cb) {
            const int64_t c0 = cb * kCols;
            const int64_t c1 = cols - c0 < kCols ? cols : c0 + kCols;
            double acc[kCols] = {};
            for (int64_t r = 0; r < len; ++r) {
                const float* x = input + r * cols;
                for (int64_t c = c0; c < c1; ++c) acc[c - c0] += static_cast<double>(x[c]);
            }
            for (int64_t c = c0; c < c1; ++c) output[c] = static_cast<float>(acc[c - c0] * inv);
        }
        return;
    }

    // General case: walk the reduced positions of every output element.
    int64_t strides[kMaxRank] = {};
    int64_t s = 1;
    for (int d = n - 1; d >= 0; --d) {
        strides[d] = s;
        s *= dims[d];
    }
#pragma omp parallel for schedule(static) if (out_total * reduced >= 32768)
    for (int64_t o = 0; o < out_total; ++o) {
        int64_t base = 0;
        int64_t rest = o;
        for (int d = n - 1; d >= 0; --d) {
            if (red[d]) continue;
            base += (rest % dims[d]) * strides[d];
            rest /= dims[d];
        }
        double sum = 0.0;
        for (int64_t r = 0; r < reduced; ++r) {
            int64_t off = base;
            int64_t rr = r;
            for (int d = n - 1; d >= 0; --d) {
                if (!red[d]) continue;
                off += (rr % dims[d]) * strides[d];
                rr /= dims[d];
            }
            sum += static_cast<double>(input[off]);
        }
        output[o] = static_cast<float>(sum * inv);
    }
}

}  // namespace swaprun::kernels
