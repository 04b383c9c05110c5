// Bodies of simd::Table's bilinear_rgb8 and paste_rgb8: bilinear sampling of interleaved
// RGB8 pixels, vectorized over output pixels with 32-bit gathers. Included only by
// elementwise_simd_impl.h, in the x86 per-ISA translation units (AVX2, AVX-512):
// the gathers that make this pay do not exist on NEON, so there the callers' scalar
// loops run.
//
// The results are the scalar loops' bits (pipeline/bilinear.h), which tests hold them
// to: the same float operations in the same order, each product rounded on its own
// (`separate` keeps the compiler from fusing it into the following add, which -mfma
// would otherwise allow), and the same half-away-from-zero rounding.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/cpu_common.h"

namespace swaprun::kernels::simd::detail {
namespace {

template <class A>
using Floats = xsimd::batch<float, A>;
template <class A>
using Ints = xsimd::batch<int32_t, A>;

template <class A>
constexpr int64_t kLanes = static_cast<int64_t>(Floats<A>::size);

template <class A>
constexpr bool kIsAvx512 = std::is_same_v<A, xsimd::avx512f>;

// A value the optimizer cannot see into: a product passed through it is rounded to
// float before it is added, as the scalar code rounds it.
template <class A>
SWAPRUN_ALWAYS_INLINE Floats<A> separate(Floats<A> x) {
    typename Floats<A>::register_type r = x;
    __asm__("" : "+v"(r));
    return r;
}

// The 32-bit little-endian words at base + offset[i] (byte offsets).
template <class A>
SWAPRUN_ALWAYS_INLINE Ints<A> gather_words(const uint8_t* base, Ints<A> offset) {
    if constexpr (kIsAvx512<A>) {
        return _mm512_i32gather_epi32(offset, base, 1);
    } else {
        return _mm256_i32gather_epi32(reinterpret_cast<const int*>(base), offset, 1);
    }
}

// The floats at base[index[i]].
template <class A>
SWAPRUN_ALWAYS_INLINE Floats<A> gather_floats(const float* base, Ints<A> index) {
    if constexpr (kIsAvx512<A>) {
        return _mm512_i32gather_ps(index, base, 4);
    } else {
        return _mm256_i32gather_ps(base, index, 4);
    }
}

template <class A>
SWAPRUN_ALWAYS_INLINE Floats<A> byte_at(Ints<A> word, int shift) {
    return xsimd::to_float((word >> shift) & Ints<A>(0xff));
}

// pipeline::detail::blend_taps.
template <class A>
SWAPRUN_ALWAYS_INLINE Floats<A> blend(Floats<A> wx, Floats<A> wy, Floats<A> v00, Floats<A> v10,
                                      Floats<A> v01, Floats<A> v11) {
    const Floats<A> top = v00 + separate<A>(wx * (v10 - v00));
    const Floats<A> bottom = v01 + separate<A>(wx * (v11 - v01));
    return top + separate<A>(wy * (bottom - top));
}

// pipeline::detail::to_u8: 0 for v <= 0 (and NaN), 255 from 255 up, otherwise v rounded
// half away from zero. trunc(v) and v - trunc(v) are exact in float, so this is the
// scalar code's double-precision floor(v + 0.5) without leaving float.
template <class A>
SWAPRUN_ALWAYS_INLINE Ints<A> round_to_byte(Floats<A> v) {
    using F = Floats<A>;
    const F whole = xsimd::trunc(v);
    const F rounded = whole + xsimd::select(v - whole >= F(0.5f), F(1.0f), F(0.0f));
    return xsimd::to_int(xsimd::min(xsimd::select(v > F(0.0f), rounded, F(0.0f)), F(255.0f)));
}

// Writes the low three bytes of each word as one pixel, `count` of them.
template <class A>
SWAPRUN_ALWAYS_INLINE void store_pixels(Ints<A> rgb, int64_t count, uint8_t* out) {
    alignas(64) int32_t words[kLanes<A>];
    rgb.store_aligned(words);
    for (int64_t i = 0; i < count; ++i) std::memcpy(out + 3 * i, &words[i], 3);
}

// Calls body(i, lanes) for each group of lanes starting at i, the last one partial: its
// missing lanes repeat pixel 0's inputs (valid, ignored) so every lane reads in bounds.
template <class A, class Body>
SWAPRUN_ALWAYS_INLINE void for_each_group(int64_t n, const int32_t* const* index_inputs,
                                          int index_count, const float* wx, const float* wy,
                                          Body body) {
    constexpr int64_t kL = kLanes<A>;
    int64_t i = 0;
    for (; i + kL <= n; i += kL) {
        Ints<A> idx[2];
        for (int k = 0; k < index_count; ++k) idx[k] = Ints<A>::load_unaligned(index_inputs[k] + i);
        body(i, kL, idx, Floats<A>::load_unaligned(wx + i), Floats<A>::load_unaligned(wy + i));
    }
    if (i == n) return;
    alignas(64) int32_t tail_idx[2][kL];
    alignas(64) float tail_wx[kL], tail_wy[kL];
    for (int64_t j = 0; j < kL; ++j) {
        const int64_t from = i + j < n ? i + j : 0;
        for (int k = 0; k < index_count; ++k) tail_idx[k][j] = index_inputs[k][from];
        tail_wx[j] = wx[from];
        tail_wy[j] = wy[from];
    }
    Ints<A> idx[2];
    for (int k = 0; k < index_count; ++k) idx[k] = Ints<A>::load_aligned(tail_idx[k]);
    body(i, n - i, idx, Floats<A>::load_aligned(tail_wx), Floats<A>::load_aligned(tail_wy));
}

template <class A>
void bilinear_rgb8(const uint8_t* src, int64_t stride, const int32_t* offset, const float* wx,
                   const float* wy, int64_t n, uint8_t* out) {
    using I = Ints<A>;
    const I row(static_cast<int32_t>(stride));
    const int32_t* inputs[] = {offset};
    for_each_group<A>(n, inputs, 1, wx, wy,
                      [&](int64_t i, int64_t count, const I* idx, Floats<A> fx, Floats<A> fy) {
                          // Bytes 0-3 of a 2x2 block's row hold the left tap's RGB; bytes
                          // 2-5, shifted down by 8, the right tap's.
                          const I top_left = gather_words<A>(src, idx[0]);
                          const I top_right = gather_words<A>(src, idx[0] + I(2));
                          const I bottom_left = gather_words<A>(src, idx[0] + row);
                          const I bottom_right = gather_words<A>(src, idx[0] + row + I(2));
                          I rgb(0);
                          for (int c = 0; c < 3; ++c) {
                              const Floats<A> v = blend<A>(fx, fy, byte_at<A>(top_left, 8 * c),
                                                           byte_at<A>(top_right, 8 * c + 8),
                                                           byte_at<A>(bottom_left, 8 * c),
                                                           byte_at<A>(bottom_right, 8 * c + 8));
                              rgb = rgb | (round_to_byte<A>(v) << (8 * c));
                          }
                          store_pixels<A>(rgb, count, out + 3 * i);
                      });
}

template <class A>
void paste_rgb8(const uint8_t* crop, int64_t crop_stride, const int32_t* crop_offset,
                const float* mask, int64_t mask_stride, const int32_t* mask_offset, const float* wx,
                const float* wy, int64_t n, uint8_t* frame) {
    using I = Ints<A>;
    using F = Floats<A>;
    constexpr int64_t kL = kLanes<A>;
    const I crop_row(static_cast<int32_t>(crop_stride));
    const I mask_row(static_cast<int32_t>(mask_stride));
    alignas(64) int32_t lanes[kL];
    for (int64_t j = 0; j < kL; ++j) lanes[j] = static_cast<int32_t>(3 * j);
    const I pixel_offsets = I::load_aligned(lanes);
    const int32_t* inputs[] = {crop_offset, mask_offset};
    for_each_group<A>(
        n, inputs, 2, wx, wy, [&](int64_t i, int64_t count, const I* idx, F fx, F fy) {
            const F w = blend<A>(fx, fy, gather_floats<A>(mask, idx[1]),
                                 gather_floats<A>(mask, idx[1] + I(1)),
                                 gather_floats<A>(mask, idx[1] + mask_row),
                                 gather_floats<A>(mask, idx[1] + mask_row + I(1)));
            const I top_left = gather_words<A>(crop, idx[0]);
            const I top_right = gather_words<A>(crop, idx[0] + I(2));
            const I bottom_left = gather_words<A>(crop, idx[0] + crop_row);
            const I bottom_right = gather_words<A>(crop, idx[0] + crop_row + I(2));
            // The frame's pixels, read through a copy one word longer so the last
            // pixel's 32-bit read stays inside it.
            alignas(64) uint8_t old_bytes[3 * kLanes<A> + 4] = {};
            std::memcpy(old_bytes, frame + 3 * i, static_cast<size_t>(3 * count));
            const I old = gather_words<A>(old_bytes, pixel_offsets);
            const auto keep = !(w > F(0.0f));  // the feathered mask's zero border
            const F rest = F(1.0f) - w;
            I rgb(0);
            for (int c = 0; c < 3; ++c) {
                const F value =
                    blend<A>(fx, fy, byte_at<A>(top_left, 8 * c), byte_at<A>(top_right, 8 * c + 8),
                             byte_at<A>(bottom_left, 8 * c), byte_at<A>(bottom_right, 8 * c + 8));
                const F before = byte_at<A>(old, 8 * c);
                const F mixed = separate<A>(w * value) + separate<A>(rest * before);
                const F out = xsimd::select(keep, before, xsimd::to_float(round_to_byte<A>(mixed)));
                rgb = rgb | (xsimd::to_int(out) << (8 * c));
            }
            store_pixels<A>(rgb, count, frame + 3 * i);
        });
}

}  // namespace
}  // namespace swaprun::kernels::simd::detail
#endif
