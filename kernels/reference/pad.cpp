// Naive N-d Pad (constant, reflect, edge; negative pads crop).
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {

void pad(const PadParams& p, const float* input, float* output) {
    const Shape& in = p.in_shape;
    Shape out = in;
    for (int d = 0; d < in.rank; ++d) out.dims[d] = in.dims[d] + p.begin[d] + p.end[d];
    int64_t in_strides[kMaxRank] = {};
    detail::strides_of(in, in_strides);

    const int64_t total = out.elements();
    for (int64_t e = 0; e < total; ++e) {
        int64_t rest = e;
        int64_t offset = 0;
        bool outside = false;
        for (int d = out.rank - 1; d >= 0; --d) {
            const int64_t o = rest % out.dims[d];
            rest /= out.dims[d];
            const int64_t i = detail::map_index(o - p.begin[d], in.dims[d], p.mode);
            if (i < 0) {
                outside = true;
                break;
            }
            offset += i * in_strides[d];
        }
        output[e] = outside ? p.value : input[offset];
    }
}

}  // namespace swaprun::kernels::reference
