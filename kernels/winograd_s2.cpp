// The kernel transform of the stride-2 Winograd convolution (winograd_s2.h), in double:
// the weights are transformed once, so they may as well be exact to float rounding.
#include "kernels/winograd_s2.h"

namespace swaprun::kernels::winograd_s2 {

namespace {

// G9[p][a]: axis point p's weight of kernel tap a.
constexpr double g9(int p, int a) {
    if (p < kEvenPoints) return a == 1 ? 0.0 : kEven.g[p][a / 2];
    return a == 1 ? 1.0 : 0.0;
}

}  // namespace

int64_t packed_weight_floats(const Conv2dParams& p, int mr) {
    const int64_t k_padded = (p.out_channels + mr - 1) / mr * mr;
    return kPoints * k_padded * p.in_channels;
}

void pack_weights(const Conv2dParams& p, const float* weight, int mr, float* u) {
    const int64_t in_c = p.in_channels, out_c = p.out_channels;
    const int64_t k_blocks = (out_c + mr - 1) / mr;
    const int64_t point_floats = k_blocks * mr * in_c;
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < k_blocks * mr; ++k) {
        const int64_t kb = k / mr, r = k % mr;
        for (int64_t c = 0; c < in_c; ++c) {
            double g[3][3] = {};
            if (k < out_c) {
                for (int t = 0; t < 9; ++t) g[t / 3][t % 3] = weight[(k * in_c + c) * 9 + t];
            }
            double cols[kAxisPoints][3] = {};  // G9 g
            for (int i = 0; i < kAxisPoints; ++i) {
                for (int b = 0; b < 3; ++b) {
                    for (int a = 0; a < 3; ++a) cols[i][b] += g9(i, a) * g[a][b];
                }
            }
            float* dst = u + (kb * in_c + c) * mr + r;
            for (int i = 0; i < kAxisPoints; ++i) {
                for (int j = 0; j < kAxisPoints; ++j) {
                    double x = 0.0;  // (G9 g G9^T)[i][j]
                    for (int b = 0; b < 3; ++b) x += cols[i][b] * g9(j, b);
                    dst[(i * kAxisPoints + j) * point_floats] = static_cast<float>(x);
                }
            }
        }
    }
}

}  // namespace swaprun::kernels::winograd_s2
