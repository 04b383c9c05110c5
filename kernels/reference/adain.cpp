// Naive fused instance normalization + modulation + activation (+ residual).
#include <cmath>
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference/detail.h"

namespace swaprun::kernels::reference {

void adain(const AdainParams& p, const float* input, const float* scale, const float* shift,
           const float* residual, float* output) {
    const int64_t plane = p.height * p.width;
    for (int64_t n = 0; n < p.batch; ++n) {
        for (int64_t c = 0; c < p.channels; ++c) {
            const int64_t base = (n * p.channels + c) * plane;
            double mean = 0.0;
            for (int64_t i = 0; i < plane; ++i) mean += input[base + i];
            mean /= static_cast<double>(plane);
            double var = 0.0;
            for (int64_t i = 0; i < plane; ++i) {
                const double d = input[base + i] - mean;
                var += d * d;
            }
            var /= static_cast<double>(plane);
            const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(p.epsilon));
            const int64_t mod = p.broadcast_batch ? c : n * p.channels + c;
            const double s = scale[mod];
            const double t = shift[mod];
            for (int64_t i = 0; i < plane; ++i) {
                double y =
                    detail::activate((input[base + i] - mean) * inv_std * s + t, p.activation);
                if (residual != nullptr) y += residual[base + i];
                output[base + i] = static_cast<float>(y);
            }
        }
    }
}

}  // namespace swaprun::kernels::reference
