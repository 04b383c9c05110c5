// The direct convolution's pixel tiles (Kernels::pixels), templates over the xsimd
// architecture. Included only through conv2d_direct_impl.h by the per-ISA translation
// units.
#pragma once

#include <algorithm>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct.h"
#include "kernels/conv2d_direct_rows.h"

namespace swaprun::kernels::direct::detail {

// An L x L tile transposed in place: afterwards v[i] holds lane i of every vector (in
// vector order). Through memory where no shuffle sequence is written for the
// architecture.
template <class A>
struct Transpose {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static SWAPRUN_ALWAYS_INLINE void apply(B (&v)[L]) {
        alignas(64) float t[L * L];
        for (int i = 0; i < L; ++i) v[i].store_aligned(t + i * L);
        for (int i = 0; i < L; ++i) {
            alignas(64) float column[L];
            for (int j = 0; j < L; ++j) column[j] = t[j * L + i];
            v[i] = B::load_aligned(column);
        }
    }
};
#if defined(__AVX2__)
// 8 x 8: 4 x 4 transposes inside each 128-bit half (unpacks of 32- then 64-bit
// pairs), then the halves exchanged.
template <>
struct Transpose<xsimd::avx2> {
    using B = xsimd::batch<float, xsimd::avx2>;
    static SWAPRUN_ALWAYS_INLINE void apply(B (&v)[8]) {
        __m256 t[8], u[8];
        for (int i = 0; i < 8; i += 4) {
            t[i + 0] = _mm256_unpacklo_ps(v[i], v[i + 1]);
            t[i + 1] = _mm256_unpackhi_ps(v[i], v[i + 1]);
            t[i + 2] = _mm256_unpacklo_ps(v[i + 2], v[i + 3]);
            t[i + 3] = _mm256_unpackhi_ps(v[i + 2], v[i + 3]);
        }
        for (int i = 0; i < 8; i += 4) {
            u[i + 0] = pairs(t[i], t[i + 2], false);
            u[i + 1] = pairs(t[i], t[i + 2], true);
            u[i + 2] = pairs(t[i + 1], t[i + 3], false);
            u[i + 3] = pairs(t[i + 1], t[i + 3], true);
        }
        // u[4i + k], half l: column 4l + k of rows 4i .. 4i + 3.
        for (int k = 0; k < 4; ++k) {
            v[k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x20);
            v[4 + k] = _mm256_permute2f128_ps(u[k], u[4 + k], 0x31);
        }
    }
    // The low (or high) 64-bit pairs of a and b, interleaved.
    static SWAPRUN_ALWAYS_INLINE __m256 pairs(__m256 a, __m256 b, bool high) {
        const __m256d x = _mm256_castps_pd(a), y = _mm256_castps_pd(b);
        return _mm256_castpd_ps(high ? _mm256_unpackhi_pd(x, y) : _mm256_unpacklo_pd(x, y));
    }
};
#endif
#if defined(__AVX512F__)
// 16 x 16: 4 x 4 transposes inside each 128-bit block, then the blocks gathered in
// two rounds of block shuffles.
template <>
struct Transpose<xsimd::avx512f> {
    using B = xsimd::batch<float, xsimd::avx512f>;
    static SWAPRUN_ALWAYS_INLINE void apply(B (&v)[16]) {
        __m512 t[16], u[16];
        for (int i = 0; i < 16; i += 4) {
            t[i + 0] = _mm512_unpacklo_ps(v[i], v[i + 1]);
            t[i + 1] = _mm512_unpackhi_ps(v[i], v[i + 1]);
            t[i + 2] = _mm512_unpacklo_ps(v[i + 2], v[i + 3]);
            t[i + 3] = _mm512_unpackhi_ps(v[i + 2], v[i + 3]);
        }
        for (int i = 0; i < 16; i += 4) {
            u[i + 0] = pairs(t[i], t[i + 2], false);
            u[i + 1] = pairs(t[i], t[i + 2], true);
            u[i + 2] = pairs(t[i + 1], t[i + 3], false);
            u[i + 3] = pairs(t[i + 1], t[i + 3], true);
        }
        // u[4i + k], block l: column 4l + k of rows 4i .. 4i + 3; column 4l + k is
        // block l of u[k], u[4 + k], u[8 + k], u[12 + k].
        for (int k = 0; k < 4; ++k) {
            const __m512 low01 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x44);
            const __m512 high01 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xEE);
            const __m512 low23 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x44);
            const __m512 high23 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xEE);
            v[k] = _mm512_shuffle_f32x4(low01, low23, 0x88);
            v[4 + k] = _mm512_shuffle_f32x4(low01, low23, 0xDD);
            v[8 + k] = _mm512_shuffle_f32x4(high01, high23, 0x88);
            v[12 + k] = _mm512_shuffle_f32x4(high01, high23, 0xDD);
        }
    }
    // The low (or high) 64-bit pairs of a and b, interleaved.
    static SWAPRUN_ALWAYS_INLINE __m512 pairs(__m512 a, __m512 b, bool high) {
        const __m512d x = _mm512_castps_pd(a), y = _mm512_castps_pd(b);
        return _mm512_castpd_ps(high ? _mm512_unpackhi_pd(x, y) : _mm512_unpacklo_pd(x, y));
    }
};
#endif

// Pixel tiles: L output channels (one vector) x L output columns, the input
// broadcast one value at a time, the weights loaded as vectors of output channels.
// A broadcast input value serves every (column, tap) pair that reads it, up to the
// kernel width, so a tile costs about (L + KW - 1) broadcasts and KW aligned weight
// loads per L x KW FMAs of one kernel row, where the column tiles load every tap's
// vectors of columns, most of them across two cache lines. On the generators'
// 16-channel head and up.3 at 512 x 512 (kernel_bench on a Xeon, 1 thread, each layer
// alone) the column tiles ran at 51-59 % of the FMA peak, the pixel tiles at 55-68 %;
// in its pair with down.0, where its rows stay in cache, the head ran at 81 %.
// The accumulators hold the outputs pixel by pixel; one L x L transpose turns them into
// rows of columns for the store.
template <class A>
struct PixelImpl : Rows<A> {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static constexpr int P = L;  // output columns per tile
    static constexpr int64_t kCols = P;
    static constexpr int64_t kRowsPerTask = 1;

    // acc[x] += the taps of one kernel row, for tile columns x = 0 .. P - 1: tap kw of
    // column x reads the buffer at `rows` + x * stride + the tap's offset.
    template <int KW, Taps T>
    static SWAPRUN_ALWAYS_INLINE void kernel_row(const Args& a, const float* __restrict rows,
                                                 const float* __restrict w, B (&acc)[P]) {
        if constexpr (KW > 0 && T == Taps::Unit) {
            B wk[KW];
            for (int kw = 0; kw < KW; ++kw) wk[kw] = B::load_aligned(w + kw * L);
#pragma GCC unroll 32
            for (int j = 0; j < P + KW - 1; ++j) {
                B x(rows[j]);
                keep_in_register<A>(x);
#pragma GCC unroll 8
                for (int kw = 0; kw < KW; ++kw) {
                    if (j - kw >= 0 && j - kw < P) acc[j - kw] = xsimd::fma(wk[kw], x, acc[j - kw]);
                }
            }
        } else if constexpr (KW > 0 && T == Taps::Stride2) {
            // Even taps read phase 0 at column x + kw / 2, odd ones phase 1.
            B wk[KW];
            for (int kw = 0; kw < KW; ++kw) wk[kw] = B::load_aligned(w + kw * L);
            for (int phase = 0; phase < 2; ++phase) {
                const float* src = rows + phase * a.phase_len;
#pragma GCC unroll 32
                for (int j = 0; j < P + (KW - 1) / 2; ++j) {
                    B x(src[j]);
                    keep_in_register<A>(x);
#pragma GCC unroll 8
                    for (int kw = phase; kw < KW; kw += 2) {
                        const int col = j - kw / 2;
                        if (col >= 0 && col < P) acc[col] = xsimd::fma(wk[kw], x, acc[col]);
                    }
                }
            }
        } else {
            // Tap kw of consecutive columns: consecutive values of one phase.
            const int64_t kw_n = KW > 0 ? KW : a.p->kernel_w;
            for (int64_t kw = 0; kw < kw_n; ++kw) {
                const B wk = B::load_aligned(w + kw * L);
                const float* src = rows + a.tap_offset[kw];
#pragma GCC unroll 32
                for (int x = 0; x < P; ++x) {
                    B v(src[x]);
                    keep_in_register<A>(v);
                    acc[x] = xsimd::fma(wk, v, acc[x]);
                }
            }
        }
    }

    template <int KW, Taps T>
    static SWAPRUN_ALWAYS_INLINE void tile(const Args& a, const float* __restrict buf,
                                           const float* __restrict w, int64_t x0,
                                           int64_t first_slot, B (&acc)[P]) {
        const Conv2dParams& p = *a.p;
        const int64_t icg_n = p.in_channels / p.groups;
        const int64_t kw_n = KW > 0 ? KW : p.kernel_w;
        const int64_t row_stride = p.stride_w * a.phase_len;
        const int64_t ring = a.ring;
        const int64_t slot_step = p.dilation_h % ring;
        for (int x = 0; x < P; ++x) acc[x] = B(0.0f);
        for (int64_t c = 0; c < icg_n; ++c) {
            const float* channel = buf + x0 + c * ring * row_stride;
            int64_t slot = first_slot;
            for (int64_t kh = 0; kh < p.kernel_h; ++kh, w += kw_n * L) {
                kernel_row<KW, T>(a, channel + slot * row_stride, w, acc);
                slot += slot_step;
                if (slot >= ring) slot -= ring;
            }
        }
    }

    static SWAPRUN_ALWAYS_INLINE void tile_any(const Args& a, const float* buf, const float* w,
                                               int64_t x0, int64_t first_slot, B (&acc)[P]) {
        with_taps(
            *a.p, [&]<int KW, Taps T>() __attribute__((always_inline)) {
                tile<KW, T>(a, buf, w, x0, first_slot, acc);
            });
    }

    // Output rows [oy, oy + count) of group g, as Impl::rows (count is 1: kRowsPerTask).
    static void rows(const Args& a, const float* buf, int64_t g, float* out, int64_t channel_stride,
                     int64_t first_slot, int64_t count) {
        if (count > 0) row(a, buf, g, out, channel_stride, first_slot);
    }

    // One output row of group g, as Impl::row.
    static void row(const Args& a, const float* buf, int64_t g, float* out, int64_t channel_stride,
                    int64_t first_slot) {
        const Conv2dParams& p = *a.p;
        const int64_t icg_n = p.in_channels / p.groups, ocg_n = p.out_channels / p.groups;
        const int64_t blocks = (ocg_n + L - 1) / L;
        const int64_t taps = icg_n * p.kernel_h * p.kernel_w;
        const int64_t ow = p.out_width;
        for (int64_t x0 = 0; x0 < ow; x0 += kCols) {
            const int64_t columns = std::min<int64_t>(P, ow - x0);
            for (int64_t b = 0; b < blocks; ++b) {
                const int64_t k0 = b * L;
                const int64_t valid = std::min<int64_t>(L, ocg_n - k0);
                B acc[P];
                tile_any(a, buf, a.w + (g * blocks + b) * taps * L, x0, first_slot, acc);
                const B bias = load_bias(a.bias + g * ocg_n + k0, valid);
                for (int x = 0; x < P; ++x) acc[x] = activate<A>(acc[x] + bias, p.activation);
                Transpose<A>::apply(acc);  // acc[r]: the columns of output channel k0 + r
                for (int64_t r = 0; r < valid; ++r) {
                    float* dst = out + (k0 + r) * channel_stride + x0;
                    if (columns == P) {
                        acc[r].store_unaligned(dst);
                    } else {
                        alignas(64) float tmp[P];
                        acc[r].store_aligned(tmp);
                        std::copy(tmp, tmp + columns, dst);
                    }
                }
            }
        }
    }

    // The bias of output channels k0 .. k0 + valid - 1, zeros past them.
    static SWAPRUN_ALWAYS_INLINE B load_bias(const float* bias, int64_t valid) {
        if (valid == L) return B::load_unaligned(bias);
        alignas(64) float tmp[L] = {};
        std::copy(bias, bias + valid, tmp);
        return B::load_aligned(tmp);
    }
};

}  // namespace swaprun::kernels::direct::detail
