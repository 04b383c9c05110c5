// Naive mean over a set of axes.
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {

void reduce_mean(const Shape& in_shape, uint32_t axes_mask, const float* input, float* output) {
    Shape out_shape = in_shape;
    int64_t reduced = 1;
    for (int d = 0; d < in_shape.rank; ++d) {
        if (axes_mask & (1u << d)) {
            out_shape.dims[d] = 1;
            reduced *= in_shape.dims[d];
        }
    }
    int64_t in_strides[kMaxRank] = {};
    detail::strides_of(in_shape, in_strides);

    const int64_t out_total = out_shape.elements();
    int64_t idx[kMaxRank] = {};
    for (int64_t e = 0; e < out_total; ++e) {
        int64_t rest = e;
        for (int d = out_shape.rank - 1; d >= 0; --d) {
            idx[d] = rest % out_shape.dims[d];
            rest /= out_shape.dims[d];
        }
        // Walk every input element that reduces onto this output element.
        double sum = 0.0;
        for (int64_t r = 0; r < reduced; ++r) {
            int64_t rr = r;
            int64_t offset = 0;
            for (int d = in_shape.rank - 1; d >= 0; --d) {
                int64_t i = idx[d];
                if (axes_mask & (1u << d)) {
                    i = rr % in_shape.dims[d];
                    rr /= in_shape.dims[d];
                }
                offset += i * in_strides[d];
            }
            sum += input[offset];
        }
        output[e] = static_cast<float>(sum / static_cast<double>(reduced));
    }
}

}  // namespace swaprun::kernels::reference
