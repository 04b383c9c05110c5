// Bodies of the simd::Table functions, templates over the xsimd architecture.
// Included only by the per-ISA translation units (elementwise_avx2.cpp,
// elementwise_avx512.cpp, elementwise_neon.cpp), each compiled for its ISA.
//
// Remainders shorter than a vector go through the same vector code on a padded
// copy, so every element gets exactly the same arithmetic wherever it falls.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/bilinear_rgb8_impl.h"
#include "kernels/elementwise_simd.h"
#include "kernels/lane_shift.h"

// Everything here has internal linkage: each ISA's translation unit gets its own
// copies, so the linker can never fold, say, the AVX-512 build of a helper into
// the AVX2 table (one out-of-line inline function would suffice to do that).
namespace swaprun::kernels::simd::detail {
namespace {

template <class A>
using Batch = xsimd::batch<float, A>;

// out[i] = f(in[i]) over n values; out may equal in.
template <class A, class F>
SWAPRUN_ALWAYS_INLINE void map1(const float* in, float* out, int64_t n, F f) {
    using B = Batch<A>;
    constexpr int64_t kL = static_cast<int64_t>(B::size);
    int64_t i = 0;
    for (; i + kL <= n; i += kL) f(B::load_unaligned(in + i)).store_unaligned(out + i);
    if (i < n) {
        alignas(64) float buf[kL] = {};
        std::memcpy(buf, in + i, static_cast<size_t>(n - i) * sizeof(float));
        f(B::load_aligned(buf)).store_aligned(buf);
        std::memcpy(out + i, buf, static_cast<size_t>(n - i) * sizeof(float));
    }
}

// out[i] = f(a[i], b[i]) over n values; out may equal a or b.
template <class A, class F>
SWAPRUN_ALWAYS_INLINE void map2(const float* a, const float* b, float* out, int64_t n, F f) {
    using B = Batch<A>;
    constexpr int64_t kL = static_cast<int64_t>(B::size);
    int64_t i = 0;
    for (; i + kL <= n; i += kL) {
        f(B::load_unaligned(a + i), B::load_unaligned(b + i)).store_unaligned(out + i);
    }
    if (i < n) {
        const size_t bytes = static_cast<size_t>(n - i) * sizeof(float);
        alignas(64) float ba[kL] = {};
        alignas(64) float bb[kL] = {};
        std::memcpy(ba, a + i, bytes);
        std::memcpy(bb, b + i, bytes);
        f(B::load_aligned(ba), B::load_aligned(bb)).store_aligned(ba);
        std::memcpy(out + i, ba, bytes);
    }
}

// tanh with a few ulp of error (Cephes tanhf): an odd polynomial below 0.625,
// where 1 - 2 / (e^2|x| + 1) would cancel, and the exp form above it, both on |x|
// with the sign of x put back last (so tanh(-0) = -0). Large |x| overflows e^2|x|
// to inf, giving exactly 1; NaN stays NaN.
template <class A>
SWAPRUN_ALWAYS_INLINE Batch<A> tanh(Batch<A> x) {
    using B = Batch<A>;
    const B ax = xsimd::abs(x);
    const B z = ax * ax;
    B poly = xsimd::fma(B(-5.70498872745e-3f), z, B(2.06390887954e-2f));
    poly = xsimd::fma(poly, z, B(-5.37397155531e-2f));
    poly = xsimd::fma(poly, z, B(1.33314422036e-1f));
    poly = xsimd::fma(poly, z, B(-3.33332819422e-1f));
    const B small = xsimd::fma(poly * z, ax, ax);
    const B e = xsimd::exp(ax + ax);
    const B big = B(1.0f) - B(2.0f) / (e + B(1.0f));
    return xsimd::copysign(xsimd::select(ax < B(0.625f), small, big), x);
}

// 1 / (1 + e^-x): e^-x overflows to inf for very negative x, giving exactly 0.
template <class A>
SWAPRUN_ALWAYS_INLINE Batch<A> sigmoid(Batch<A> x) {
    using B = Batch<A>;
    return B(1.0f) / (B(1.0f) + xsimd::exp(-x));
}

template <class A, Activation kAct>
SWAPRUN_ALWAYS_INLINE Batch<A> activate(Batch<A> x, float alpha) {
    using B = Batch<A>;
    if constexpr (kAct == Activation::Relu) return xsimd::select(x > B(0.0f), x, B(0.0f));
    if constexpr (kAct == Activation::LeakyRelu) {
        return xsimd::select(x < B(0.0f), x * B(alpha), x);
    }
    if constexpr (kAct == Activation::Tanh) return tanh<A>(x);
    // (tanh(x) + 1) / 2 is exactly sigmoid(2x); this form has no cancellation near
    // 0 for very negative x and costs one exp.
    if constexpr (kAct == Activation::TanhUnit) return sigmoid<A>(x + x);
    if constexpr (kAct == Activation::Sigmoid) return sigmoid<A>(x);
    return x;
}

template <class A, Activation kAct>
void unary_act(float alpha, const float* in, float* out, int64_t n) {
    map1<A>(in, out, n, [alpha](Batch<A> x) { return activate<A, kAct>(x, alpha); });
}

template <class A>
bool unary(UnaryOp op, float alpha, const float* in, float* out, int64_t n) {
    using B = Batch<A>;
    switch (op) {
        case UnaryOp::Identity:
            if (in != out) std::memmove(out, in, static_cast<size_t>(n) * sizeof(float));
            return true;
        case UnaryOp::Relu:
            unary_act<A, Activation::Relu>(alpha, in, out, n);
            return true;
        case UnaryOp::LeakyRelu:
            unary_act<A, Activation::LeakyRelu>(alpha, in, out, n);
            return true;
        case UnaryOp::Tanh:
            unary_act<A, Activation::Tanh>(alpha, in, out, n);
            return true;
        case UnaryOp::TanhUnit:
            unary_act<A, Activation::TanhUnit>(alpha, in, out, n);
            return true;
        case UnaryOp::Sigmoid:
            unary_act<A, Activation::Sigmoid>(alpha, in, out, n);
            return true;
        case UnaryOp::Sqrt:
            map1<A>(in, out, n, [](B x) { return xsimd::sqrt(x); });
            return true;
        case UnaryOp::Neg:
            map1<A>(in, out, n, [](B x) { return -x; });
            return true;
        case UnaryOp::Abs:
            map1<A>(in, out, n, [](B x) { return xsimd::abs(x); });
            return true;
        case UnaryOp::Exp:
            map1<A>(in, out, n, [](B x) { return xsimd::exp(x); });
            return true;
        case UnaryOp::Log:
            map1<A>(in, out, n, [](B x) { return xsimd::log(x); });
            return true;
    }
    return false;
}

template <class A, class F>
SWAPRUN_ALWAYS_INLINE void binary_run(const float* a, int64_t sa, const float* b, int64_t sb,
                                      float* out, int64_t n, F f) {
    using B = Batch<A>;
    if (sa == 1 && sb == 1) {
        map2<A>(a, b, out, n, f);
    } else if (sa == 1) {
        const B bv(b[0]);
        map1<A>(a, out, n, [&](B x) { return f(x, bv); });
    } else if (sb == 1) {
        const B av(a[0]);
        map1<A>(b, out, n, [&](B x) { return f(av, x); });
    } else {
        alignas(64) float one[B::size];
        f(B(a[0]), B(b[0])).store_aligned(one);
        for (int64_t i = 0; i < n; ++i) out[i] = one[0];
    }
}

template <class A>
bool binary(BinaryOp op, const float* a, int64_t sa, const float* b, int64_t sb, float* out,
            int64_t n) {
    using B = Batch<A>;
    switch (op) {
        case BinaryOp::Add:
            binary_run<A>(a, sa, b, sb, out, n, [](B x, B y) { return x + y; });
            return true;
        case BinaryOp::Sub:
            binary_run<A>(a, sa, b, sb, out, n, [](B x, B y) { return x - y; });
            return true;
        case BinaryOp::Mul:
            binary_run<A>(a, sa, b, sb, out, n, [](B x, B y) { return x * y; });
            return true;
        case BinaryOp::Div:
            binary_run<A>(a, sa, b, sb, out, n, [](B x, B y) { return x / y; });
            return true;
        case BinaryOp::Max:  // a < b ? b : a, as the portable loop (NaN in a wins)
            binary_run<A>(a, sa, b, sb, out, n,
                          [](B x, B y) { return xsimd::select(x < y, y, x); });
            return true;
        case BinaryOp::Min:  // b < a ? b : a
            binary_run<A>(a, sa, b, sb, out, n,
                          [](B x, B y) { return xsimd::select(y < x, y, x); });
            return true;
        case BinaryOp::PRelu:  // a < 0 ? a * b : a
            binary_run<A>(a, sa, b, sb, out, n,
                          [](B x, B y) { return xsimd::select(x < B(0.0f), x * y, x); });
            return true;
        case BinaryOp::Pow:
            return false;
    }
    return false;
}

// One pass, in double, on values shifted by the first one: the shift keeps the
// sum of squares from cancelling when the mean is large against the spread.
inline void moments(const float* x, int64_t n, double* mean, double* var) {
    const double k = static_cast<double>(x[0]);
    double s = 0.0, q = 0.0;
#pragma omp simd reduction(+ : s, q)
    for (int64_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(x[i]) - k;
        s += d;
        q += d * d;
    }
    const double inv_n = 1.0 / static_cast<double>(n);
    const double ds = s * inv_n;
    *mean = k + ds;
    const double v = q * inv_n - ds * ds;
    *var = v > 0.0 ? v : 0.0;
}

template <class A, Activation kAct, bool kResidual>
void adain_apply_t(float alpha, const float* x, float center, float a, float b,
                   const float* residual, float* y, int64_t n) {
    using B = Batch<A>;
    const B vc(center), va(a), vb(b);
    auto f = [&](B v) { return activate<A, kAct>(xsimd::fma(v - vc, va, vb), alpha); };
    if constexpr (kResidual) {
        map2<A>(x, residual, y, n, [&](B v, B r) { return f(v) + r; });
    } else {
        map1<A>(x, y, n, f);
    }
}

template <class A, Activation kAct>
void adain_apply_r(float alpha, const float* x, float center, float a, float b,
                   const float* residual, float* y, int64_t n) {
    if (residual != nullptr) {
        adain_apply_t<A, kAct, true>(alpha, x, center, a, b, residual, y, n);
    } else {
        adain_apply_t<A, kAct, false>(alpha, x, center, a, b, residual, y, n);
    }
}

template <class A>
void adain_apply(const ActivationParams& act, const float* x, float center, float a, float b,
                 const float* residual, float* y, int64_t n) {
    const float al = act.alpha;
    switch (act.kind) {
        case Activation::None:
            return adain_apply_r<A, Activation::None>(al, x, center, a, b, residual, y, n);
        case Activation::Relu:
            return adain_apply_r<A, Activation::Relu>(al, x, center, a, b, residual, y, n);
        case Activation::LeakyRelu:
            return adain_apply_r<A, Activation::LeakyRelu>(al, x, center, a, b, residual, y, n);
        case Activation::Tanh:
            return adain_apply_r<A, Activation::Tanh>(al, x, center, a, b, residual, y, n);
        case Activation::TanhUnit:
            return adain_apply_r<A, Activation::TanhUnit>(al, x, center, a, b, residual, y, n);
        case Activation::Sigmoid:
            return adain_apply_r<A, Activation::Sigmoid>(al, x, center, a, b, residual, y, n);
    }
}

// Stores the lanes of even and odd interleaved: out = e0 o0 e1 o1 ...
template <class A>
SWAPRUN_ALWAYS_INLINE void store_interleaved(float* out, Batch<A> even, Batch<A> odd) {
#if defined(__x86_64__) || defined(__i386__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
        // xsimd 8's zip_lo / zip_hi interleave within 128-bit lanes only.
        const __m512i lo =
            _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const __m512i hi =
            _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        const __m512 e = even, o = odd;
        _mm512_storeu_ps(out, _mm512_permutex2var_ps(e, lo, o));
        _mm512_storeu_ps(out + 16, _mm512_permutex2var_ps(e, hi, o));
    } else if constexpr (std::is_base_of_v<xsimd::avx, A>) {
        const __m256 e = even, o = odd;
        const __m256 lo = _mm256_unpacklo_ps(e, o);  // e0 o0 e1 o1 | e4 o4 e5 o5
        const __m256 hi = _mm256_unpackhi_ps(e, o);  // e2 o2 e3 o3 | e6 o6 e7 o7
        _mm256_storeu_ps(out, _mm256_permute2f128_ps(lo, hi, 0x20));
        _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
    } else
#elif defined(__aarch64__)
    if constexpr (std::is_base_of_v<xsimd::neon64, A>) {
        vst2q_f32(out, float32x4x2_t{{even, odd}});  // the interleaving store
    } else
#endif
    {
        alignas(64) float e[Batch<A>::size], o[Batch<A>::size];
        even.store_aligned(e);
        odd.store_aligned(o);
        for (size_t i = 0; i < Batch<A>::size; ++i) {
            out[2 * i] = e[i];
            out[2 * i + 1] = o[i];
        }
    }
}

#if defined(__AVX512F__)
// resize2x_row for rows of whole vectors on AVX-512: each vector of the vertical mix v
// stays in a register, and its neighbours v[j - 1 ..] and v[j + 1 ..] are made from it
// and the vectors before and after by lane shifts (valignd), where the general path
// stores v to tmp and reads it back unaligned at j - 1 and j + 1, each load straddling
// two of the stores just made. The same arithmetic, so the same bits. On a Xeon
// (kernel_bench resize/live_base_up1, 64-wide rows, 1 thread, two alternating runs)
// 0.89-0.90 -> 0.58-0.59 ms; live_base's upsampling convolutions up.0 and up.1, which
// make their input rows with it, 3.39-3.48 -> 3.33-3.36 and 5.04-5.15 -> 4.91-5.02 ms
// (swaprun infer --profile, 2 threads, three alternating runs).
SWAPRUN_ALWAYS_INLINE void resize2x_row_avx512(const float* far, const float* near, int64_t iw,
                                               float* out) {
    using B = Batch<xsimd::avx512f>;
    constexpr int64_t kL = static_cast<int64_t>(B::size);
    using Shift = LaneShift<xsimd::avx512f>;
    const B q(0.25f), t(0.75f);
    auto mix = [&](int64_t j) __attribute__((always_inline)) {
        return xsimd::fma(B::load_unaligned(near + j), t, B::load_unaligned(far + j) * q);
    };
    B cur = mix(0);
    // v clamped at the left edge: lane 15 of the vector before the first is v[0].
    B prev = _mm512_broadcastss_ps(_mm512_castps512_ps128(cur));
    for (int64_t j = 0; j < iw; j += kL) {
        // ... and at the right edge: lane 0 of the vector after the last is v[iw - 1].
        const B next =
            j + kL < iw ? mix(j + kL) : B(_mm512_permutexvar_ps(_mm512_set1_epi32(kL - 1), cur));
        const B left = Shift::shift<kL - 1>(prev, cur);
        const B right = Shift::shift<1>(cur, next);
        const B c = cur * t;
        store_interleaved<xsimd::avx512f>(out + 2 * j, xsimd::fma(left, q, c),
                                          xsimd::fma(right, q, c));
        prev = cur;
        cur = next;
    }
}
#endif

template <class A>
void resize2x_row(const float* far, const float* near, int64_t iw, float* tmp, float* out) {
    using B = Batch<A>;
    constexpr int64_t kL = static_cast<int64_t>(B::size);
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, A>) {
        if (iw > 0 && iw % kL == 0) return resize2x_row_avx512(far, near, iw, out);
    }
#endif
    const B q(0.25f), t(0.75f);
    float* v = tmp + 1;
    int64_t j = 0;
    for (; j + kL <= iw; j += kL) {
        xsimd::fma(B::load_unaligned(near + j), t, B::load_unaligned(far + j) * q)
            .store_unaligned(v + j);
    }
    for (; j < iw; ++j) v[j] = std::fma(near[j], 0.75f, far[j] * 0.25f);
    v[-1] = v[0];
    v[iw] = v[iw - 1];
    j = 0;
    for (; j + kL <= iw; j += kL) {
        const B c = B::load_unaligned(v + j) * t;
        const B even = xsimd::fma(B::load_unaligned(v + j - 1), q, c);
        const B odd = xsimd::fma(B::load_unaligned(v + j + 1), q, c);
        store_interleaved<A>(out + 2 * j, even, odd);
    }
    for (; j < iw; ++j) {
        const float c = v[j] * 0.75f;
        out[2 * j] = std::fma(v[j - 1], 0.25f, c);
        out[2 * j + 1] = std::fma(v[j + 1], 0.25f, c);
    }
}

// Vector registers: AVX2's 16, AVX-512's and NEON's 32.
template <class A>
inline constexpr int kRegisters = std::is_same_v<A, xsimd::fma3<xsimd::avx2>> ? 16 : 32;

// The sums of Table::correlate3 for kOutputs outputs by kVectors vectors of positions,
// from out + at[v], kept in registers over all rows: each vector of a row's line is
// loaded once for all kOutputs outputs (one output at a time read the lines, 96 KB for
// live_base's up.1, from L2 for each), and a row's three products go into each sum one
// after the other, so the sums are the independent chains that keep the FMA units busy.
template <class A, int kOutputs, int kVectors>
void correlate3_block(int64_t rows, int64_t n, const float* lines, const float* taps,
                      int64_t tap_stride, int64_t output_taps, int64_t step, const int64_t* at,
                      float* out, int64_t out_stride) {
    using B = Batch<A>;
    B acc[kOutputs][kVectors];
    for (int o = 0; o < kOutputs; ++o) {
        for (int v = 0; v < kVectors; ++v) acc[o][v] = B(0.0f);
    }
    for (int64_t r = 0; r < rows; ++r) {
        const float* x = lines + r * n;
        B w[kOutputs][3];
        for (int o = 0; o < kOutputs; ++o) {
            const float* t = taps + o * output_taps + r * tap_stride;
            for (int k = 0; k < 3; ++k) w[o][k] = B(t[k * step]);
        }
        for (int v = 0; v < kVectors; ++v) {
            const B x0 = B::load_unaligned(x + at[v] - 1), x1 = B::load_unaligned(x + at[v]),
                    x2 = B::load_unaligned(x + at[v] + 1);
            for (int o = 0; o < kOutputs; ++o) {
                acc[o][v] = xsimd::fma(w[o][0], x0, acc[o][v]);
                acc[o][v] = xsimd::fma(w[o][1], x1, acc[o][v]);
                acc[o][v] = xsimd::fma(w[o][2], x2, acc[o][v]);
            }
        }
    }
    for (int o = 0; o < kOutputs; ++o) {
        for (int v = 0; v < kVectors; ++v) acc[o][v].store_unaligned(out + o * out_stride + at[v]);
    }
}

// correlate3_block for `outputs` <= kOutputs outputs and `count` <= kVectors vectors.
template <class A, int kOutputs, int kVectors>
void correlate3_some(int outputs, int count, int64_t rows, int64_t n, const float* lines,
                     const float* taps, int64_t tap_stride, int64_t output_taps, int64_t step,
                     const int64_t* at, float* out, int64_t out_stride) {
    if constexpr (kOutputs > 1) {
        if (outputs < kOutputs) {
            return correlate3_some<A, kOutputs - 1, kVectors>(outputs, count, rows, n, lines, taps,
                                                              tap_stride, output_taps, step, at,
                                                              out, out_stride);
        }
    }
    if constexpr (kVectors > 1) {
        if (count < kVectors) {
            return correlate3_some<A, kOutputs, kVectors - 1>(outputs, count, rows, n, lines, taps,
                                                              tap_stride, output_taps, step, at,
                                                              out, out_stride);
        }
    }
    correlate3_block<A, kOutputs, kVectors>(rows, n, lines, taps, tap_stride, output_taps, step, at,
                                            out, out_stride);
}

template <class A>
void correlate3(int64_t outputs, int64_t rows, int64_t n, const float* lines, const float* taps,
                int64_t tap_stride, int64_t output_taps, int64_t step, float* out,
                int64_t out_stride) {
    constexpr int64_t kL = static_cast<int64_t>(Batch<A>::size);
    // The sums, 3 weights per output and a row's 3 loads in the registers.
    constexpr int kOutputs = kRegisters<A> == 32 ? 3 : 2;
    constexpr int kVectors = kRegisters<A> == 32 ? 6 : 3;
    if (n <= 0) return;
    for (int64_t o = 0; o < outputs; ++o) {
        out[o * out_stride] = 0.0f;
        out[o * out_stride + n - 1] = 0.0f;
    }
    const int64_t first = 1, end = n - 1;
    if (end - first < kL) {
        // Fewer positions than a vector: the same fused multiply-adds in the same order.
        for (int64_t o = 0; o < outputs; ++o) {
            for (int64_t i = first; i < end; ++i) {
                float sum = 0.0f;
                for (int64_t r = 0; r < rows; ++r) {
                    const float* x = lines + r * n + i;
                    const float* w = taps + o * output_taps + r * tap_stride;
                    sum = std::fma(w[0], x[-1], sum);
                    sum = std::fma(w[step], x[0], sum);
                    sum = std::fma(w[2 * step], x[1], sum);
                }
                out[o * out_stride + i] = sum;
            }
        }
        return;
    }
    // Whole vectors from `first`, the last one moved back to end where it would pass
    // it: the positions it computes again come out the same.
    const int64_t vectors = (end - first + kL - 1) / kL;
    for (int64_t o0 = 0; o0 < outputs; o0 += kOutputs) {
        const int block = static_cast<int>(std::min<int64_t>(kOutputs, outputs - o0));
        for (int64_t v0 = 0; v0 < vectors; v0 += kVectors) {
            const int count = static_cast<int>(std::min<int64_t>(kVectors, vectors - v0));
            int64_t at[kVectors];
            for (int v = 0; v < count; ++v) at[v] = std::min(first + (v0 + v) * kL, end - kL);
            correlate3_some<A, kOutputs, kVectors>(block, count, rows, n, lines,
                                                   taps + o0 * output_taps, tap_stride, output_taps,
                                                   step, at, out + o0 * out_stride, out_stride);
        }
    }
}

template <class A>
constexpr Table make_table(const char* name) {
#if defined(__x86_64__) || defined(__i386__)
    return Table{name,           &unary<A>,         &binary<A>,
                 &moments,       &adain_apply<A>,   &resize2x_row<A>,
                 &correlate3<A>, &bilinear_rgb8<A>, &paste_rgb8<A>};
#else
    return Table{name,           &unary<A>, &binary<A>, &moments, &adain_apply<A>, &resize2x_row<A>,
                 &correlate3<A>, nullptr,   nullptr};
#endif
}

}  // namespace
}  // namespace swaprun::kernels::simd::detail
