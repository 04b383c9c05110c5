// Fast fused instance normalization + modulation + activation (+ residual).
//
// One task per (n, c) plane, so a plane's statistics are never split across
// threads. With a simd::Table (AVX2 / AVX-512): one pass for the mean and variance
// (shifted sums in double) and one fused pass that writes
// y = act((x - mean) * a + shift) (+ residual) with a = scale / std.
// The portable path makes separate mean and variance passes.
#include <cmath>
#include <cstdint>

#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
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

void plane_simd(const simd::Table& t, const AdainParams& p, const float* x, float scale,
                float shift, const float* residual, float* y, int64_t count) {
    double mean = 0.0, var = 0.0;
    t.moments(x, count, &mean, &var);
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(p.epsilon));
    const double a = static_cast<double>(scale) * inv_std;
    // Centered on the float nearest the mean: x - center is exact for x near the
    // mean, and the rounding of the centre is folded into the shift in double.
    const float center = static_cast<float>(mean);
    const double b = static_cast<double>(shift) - (mean - static_cast<double>(center)) * a;
    t.adain_apply(p.activation, x, center, static_cast<float>(a), static_cast<float>(b), residual,
                  y, count);
}

}  // namespace

void adain(const AdainParams& p, const float* input, const float* scale, const float* shift,
           const float* residual, float* output) {
    const int64_t planes = p.batch * p.channels;
    const int64_t count = p.height * p.width;
    if (planes <= 0 || count <= 0) return;
    const simd::Table* t = simd::table();
    // Every plane costs the same, so each thread takes one contiguous share. Handing
    // them out one at a time (schedule(dynamic, 1)) made a live_base block's AdaIN
    // three times slower on 2 threads than static shares, slower than 1 thread.
#pragma omp parallel for schedule(static) if (planes * count >= 32768)
    for (int64_t pl = 0; pl < planes; ++pl) {
        const int64_t c = pl % p.channels;
        const int64_t mod = p.broadcast_batch ? c : pl;
        const float* x = input + pl * count;
        const float* r = residual != nullptr ? residual + pl * count : nullptr;
        float* y = output + pl * count;
        if (t != nullptr) {
            plane_simd(*t, p, x, scale[mod], shift[mod], r, y, count);
        } else {
            plane_generic(p, x, scale[mod], shift[mod], r, y, count);
        }
    }
}

}  // namespace swaprun::kernels
