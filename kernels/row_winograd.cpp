// Kernel packing for the row transforms (row_winograd.h).
#include "kernels/row_winograd.h"

namespace swaprun::kernels::row_winograd {

int64_t packed_weight_floats(const Conv2dParams& p, int mr) {
    const int64_t blocks = (p.out_channels + mr - 1) / mr;
    return blocks * kPoints * p.in_channels * kTaps * mr;
}

void pack_weights(const Conv2dParams& p, const float* weight, int mr, float* u) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t blocks = (out_c + mr - 1) / mr;
    // In double, once: the kernels may as well be exact to float rounding.
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < blocks; ++b) {
        for (int xi = 0; xi < kPoints; ++xi) {
            float* dst = u + (b * kPoints + xi) * in_c * kTaps * mr;
            for (int64_t c = 0; c < in_c; ++c) {
                for (int ky = 0; ky < kTaps; ++ky) {
                    for (int r = 0; r < mr; ++r) {
                        const int64_t k = b * mr + r;
                        double sum = 0.0;
                        if (k < out_c) {
                            const float* row = weight + ((k * in_c + c) * kTaps + ky) * kTaps;
                            for (int kx = 0; kx < kTaps; ++kx) {
                                sum += kTransforms.g[xi][kx] * row[kx];
                            }
                        }
                        dst[(c * kTaps + ky) * mr + r] = static_cast<float>(sum);
                    }
                }
            }
        }
    }
}

}  // namespace swaprun::kernels::row_winograd
