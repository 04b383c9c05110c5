// Packing of the stride-2 Winograd convolution's kernels (winograd_s2.h).
#include "kernels/winograd_s2.h"

#include <algorithm>

namespace swaprun::kernels::winograd_s2 {

int64_t packed_weight_floats(const Conv2dParams& p, int mr) {
    return k_blocks(p, mr) * 9 * g_plane_floats(p.in_channels, mr);
}

void pack_weights(const Conv2dParams& p, const float* weight, int mr, float* g) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t plane = g_plane_floats(in_c, mr);
#pragma omp parallel for schedule(static)
    for (int64_t kb = 0; kb < k_blocks(p, mr); ++kb) {
        for (int t = 0; t < 9; ++t) {
            float* dst = g + (kb * 9 + t) * plane;
            std::fill(dst + in_c * mr, dst + plane, 0.0f);
            for (int64_t c = 0; c < in_c; ++c) {
                for (int64_t r = 0; r < mr; ++r) {
                    const int64_t k = kb * mr + r;
                    dst[c * mr + r] = k < out_c ? weight[(k * in_c + c) * 9 + t] : 0.0f;
                }
            }
        }
    }
}

}  // namespace swaprun::kernels::winograd_s2
