// Fast fused instance normalization + modulation + activation (+ residual).
//
// One task per (n, c) plane: a pass for the mean, a pass for the variance (sum of
// squared deviations, both accumulated in double), and one pass that writes
// y = act((x - mean) * a + shift) (+ residual) with a = scale / std.
#include <cmath>
#include <cstdint>

#include "kernels/cpu_common.h"
#include "kernels/kernels.h"

namespace swaprun::kernels {
namespace {

SWAPRUN_ALWAYS_INLINE void plane_impl(const AdainParams& p, const float* x, float scale,
                                      float shift, const float* residual, float* y, int64_t count) {
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (int64_t i = 0; i < count; ++i) sum += static_cast<double>(x[i]);
    const double mean = sum / static_cast<double>(count);

    double sq = 0.0;
#pragma omp simd reduction(+ : sq)
    for (int64_t i = 0; i < count; ++i) {
        const double d = static_cast<double>(x[i]) - mean;
        sq += d * d;
    }
    const double var = sq / static_cast<double>(count);
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(p.epsilon));
    const float a = static_cast<float>(static_cast<double>(scale) * inv_std);
    // The mean as a float pair: x - hi is exact for x near the mean, so inputs with
    // a large offset keep the precision of their deviations.
    const float m_hi = static_cast<float>(mean);
    const float m_lo = static_cast<float>(mean - static_cast<double>(m_hi));

    constexpr int64_t kStrip = 1024;  // activation applied strip by strip, while hot
    for (int64_t i0 = 0; i0 < count; i0 += kStrip) {
        const int64_t n = count - i0 < kStrip ? count - i0 : kStrip;
        float strip[kStrip];
        for (int64_t i = 0; i < n; ++i) strip[i] = ((x[i0 + i] - m_hi) - m_lo) * a + shift;
        cpu::activate_inplace(strip, n, p.activation);
        if (residual != nullptr) {
            for (int64_t i = 0; i < n; ++i) y[i0 + i] = strip[i] + residual[i0 + i];
        } else {
            for (int64_t i = 0; i < n; ++i) y[i0 + i] = strip[i];
        }
    }
}

void plane_generic(const AdainParams& p, const float* x, float scale, float shift,
                   const float* residual, float* y, int64_t count) {
    plane_impl(p, x, scale, shift, residual, y, count);
}

SWAPRUN_TARGET_AVX2 void plane_avx2(const AdainParams& p, const float* x, float scale, float shift,
                                    const float* residual, float* y, int64_t count) {
    plane_impl(p, x, scale, shift, residual, y, count);
}

}  // namespace

void adain(const AdainParams& p, const float* input, const float* scale, const float* shift,
           const float* residual, float* output) {
    const int64_t planes = p.batch * p.channels;
    const int64_t count = p.height * p.width;
    if (planes <= 0 || count <= 0) return;
    const bool avx2 = cpu::use_avx2();
#pragma omp parallel for schedule(dynamic, 1) if (planes * count >= 32768)
    for (int64_t pl = 0; pl < planes; ++pl) {
        const int64_t c = pl % p.channels;
        const int64_t mod = p.broadcast_batch ? c : pl;
        const float* x = input + pl * count;
        const float* r = residual != nullptr ? residual + pl * count : nullptr;
        float* y = output + pl * count;
        if (avx2) {
            plane_avx2(p, x, scale[mod], shift[mod], r, y, count);
        } else {
            plane_generic(p, x, scale[mod], shift[mod], r, y, count);
        }
    }
}

}  // namespace swaprun::kernels
