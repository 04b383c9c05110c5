// Concat and Transpose.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/cpu_common.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {

void concat(int count, const Shape* shapes, const float* const* inputs, int axis, float* output) {
    if (count <= 0) return;
    const Shape& s0 = shapes[0];
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= s0.dims[d];
    int64_t inner = 1;
    for (int d = axis + 1; d < s0.rank; ++d) inner *= s0.dims[d];
    int64_t out_axis = 0;
    for (int t = 0; t < count; ++t) out_axis += shapes[t].dims[axis];
    const int64_t out_row = out_axis * inner;
    if (outer <= 0 || out_row <= 0) return;

#pragma omp parallel for schedule(static) if (outer * out_row >= 65536 && outer > 1)
    for (int64_t o = 0; o < outer; ++o) {
        int64_t offset = 0;
        for (int t = 0; t < count; ++t) {
            const int64_t len = shapes[t].dims[axis] * inner;
            if (len > 0) {
                std::memcpy(output + o * out_row + offset, inputs[t] + o * len,
                            static_cast<size_t>(len) * sizeof(float));
            }
            offset += len;
        }
    }
}

void transpose(const Shape& in_shape, const int* perm, const float* input, float* output) {
    const int r = in_shape.rank;
    if (r == 0) {
        output[0] = input[0];
        return;
    }
    int64_t in_strides[kMaxRank] = {};
    int64_t s = 1;
    for (int d = r - 1; d >= 0; --d) {
        in_strides[d] = s;
        s *= in_shape.dims[d];
    }
    // Output axes with their input strides; merge output axes that are also
    // adjacent (in order) in the input, and drop size-1 axes.
    int64_t dims[kMaxRank] = {};
    int64_t strides[kMaxRank] = {};
    int n = 0;
    for (int d = 0; d < r; ++d) {
        const int64_t len = in_shape.dims[perm[d]];
        const int64_t st = in_strides[perm[d]];
        if (len == 1) continue;
        if (n > 0 && strides[n - 1] == st * len) {
            dims[n - 1] *= len;
            strides[n - 1] = st;
        } else {
            dims[n] = len;
            strides[n] = st;
            ++n;
        }
    }
    const int64_t total = in_shape.elements();
    if (total <= 0) return;
    if (n == 0 || (n == 1 && strides[0] == 1)) {
        std::memcpy(output, input, static_cast<size_t>(total) * sizeof(float));
        return;
    }
    const int64_t inner = dims[n - 1];
    const int64_t inner_stride = strides[n - 1];
    const int64_t rows = total / inner;
#pragma omp parallel for schedule(static) if (total >= 65536)
    for (int64_t row = 0; row < rows; ++row) {
        int64_t rest = row;
        int64_t offset = 0;
        for (int d = n - 2; d >= 0; --d) {
            offset += (rest % dims[d]) * strides[d];
            rest /= dims[d];
        }
        const float* src = input + offset;
        float* dst = output + row * inner;
        if (inner_stride == 1) {
            std::memcpy(dst, src, static_cast<size_t>(inner) * sizeof(float));
        } else {
            for (int64_t i = 0; i < inner; ++i) dst[i] = src[i * inner_stride];
        }
    }
}

}  // namespace swaprun::kernels
