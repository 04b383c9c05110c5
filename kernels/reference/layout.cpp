// Naive Concat and Transpose.
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {

void concat(int count, const Shape* shapes, const float* const* inputs, int axis, float* output) {
    if (count <= 0) return;
    const Shape& s0 = shapes[0];
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= s0.dims[d];
    int64_t inner = 1;
    for (int d = axis + 1; d < s0.rank; ++d) inner *= s0.dims[d];

    int64_t out_axis = 0;
    for (int t = 0; t < count; ++t) out_axis += shapes[t].dims[axis];

    for (int64_t o = 0; o < outer; ++o) {
        int64_t axis_offset = 0;
        for (int t = 0; t < count; ++t) {
            const int64_t len = shapes[t].dims[axis];
            for (int64_t a = 0; a < len; ++a) {
                for (int64_t i = 0; i < inner; ++i) {
                    output[(o * out_axis + axis_offset + a) * inner + i] =
                        inputs[t][(o * len + a) * inner + i];
                }
            }
            axis_offset += len;
        }
    }
}

void transpose(const Shape& in_shape, const int* perm, const float* input, float* output) {
    Shape out_shape = in_shape;
    for (int d = 0; d < in_shape.rank; ++d) out_shape.dims[d] = in_shape.dims[perm[d]];
    int64_t in_strides[kMaxRank] = {};
    detail::strides_of(in_shape, in_strides);

    const int64_t total = out_shape.elements();
    for (int64_t e = 0; e < total; ++e) {
        int64_t rest = e;
        int64_t offset = 0;
        for (int d = out_shape.rank - 1; d >= 0; --d) {
            const int64_t o = rest % out_shape.dims[d];
            rest /= out_shape.dims[d];
            offset += o * in_strides[perm[d]];
        }
        output[e] = input[offset];
    }
}

}  // namespace swaprun::kernels::reference
