// The direct convolution's row-transform kernel (Kernels::row_winograd): a row kernel
// like the column and pixel tiles, with the same ring of input rows and the same
// calls from run_rows and run_pair, but its ring holds each padded input row
// transformed by F(4, 7) along the row (row_winograd.h) instead of the row itself.
// Templates over the xsimd architecture, included only through conv2d_direct_impl.h by
// the per-ISA translation units.
//
// A row slot of one channel holds the 10 points of every tile of 4 output columns,
// point-major: point xi of tiles t .. t + L - 1 is one vector at xi * tiles + t. An
// output row is then, per point, a GEMM of MR output channels by NT vectors of tiles
// over the 7 x in_channels (kernel row, input channel) pairs, broadcasting U; the 10
// points of each tile go back through AT to 4 columns, which are interleaved into
// the row. Each output sums its terms in a fixed order (points, then input channel
// and kernel row as listed), so the results do not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct.h"
#include "kernels/conv2d_direct_rows.h"
#include "kernels/cpu_common.h"
#include "kernels/row_winograd.h"

namespace swaprun::kernels::direct::detail {

// Four vectors y[j] of one value of each of L tiles, as the 4 L values of the tiles in
// order: afterwards v[q] holds values 4 l + j = q L + e of y[j][l]. Through memory
// where no shuffle sequence is written for the architecture.
template <class A>
struct Interleave4 {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static SWAPRUN_ALWAYS_INLINE void apply(B (&v)[4]) {
        alignas(64) float in[4][L];
        alignas(64) float out[4 * L];
        for (int j = 0; j < 4; ++j) v[j].store_aligned(in[j]);
        for (int l = 0; l < L; ++l) {
            for (int j = 0; j < 4; ++j) out[4 * l + j] = in[j][l];
        }
        for (int q = 0; q < 4; ++q) v[q] = B::load_aligned(out + q * L);
    }
};
#if defined(__AVX512F__)
// Two rounds of two-source permutes: 32-bit pairs of y0, y1 (and y2, y3), then 64-bit
// pairs of those.
template <>
struct Interleave4<xsimd::avx512f> {
    using B = xsimd::batch<float, xsimd::avx512f>;
    static SWAPRUN_ALWAYS_INLINE void apply(B (&v)[4]) {
        const __m512i lo32 =
            _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const __m512i hi32 =
            _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        const __m512i lo64 =
            _mm512_setr_epi32(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
        const __m512i hi64 =
            _mm512_setr_epi32(8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
        const __m512 a_lo = _mm512_permutex2var_ps(v[0], lo32, v[1]);
        const __m512 a_hi = _mm512_permutex2var_ps(v[0], hi32, v[1]);
        const __m512 b_lo = _mm512_permutex2var_ps(v[2], lo32, v[3]);
        const __m512 b_hi = _mm512_permutex2var_ps(v[2], hi32, v[3]);
        v[0] = _mm512_permutex2var_ps(a_lo, lo64, b_lo);
        v[1] = _mm512_permutex2var_ps(a_lo, hi64, b_lo);
        v[2] = _mm512_permutex2var_ps(a_hi, lo64, b_hi);
        v[3] = _mm512_permutex2var_ps(a_hi, hi64, b_hi);
    }
};
#endif

// The 10 inputs of L consecutive tiles from the 5 L floats at s: d[i] lane l = s[4 l + i].
// Where no shuffle sequence is written for the architecture, the row transform goes
// through the four phases in memory instead (RowWinogradImpl::pad_row).
template <class A>
struct TileInputs {
    static constexpr bool available = false;
};
#if defined(__AVX512F__)
// The first four vectors split into their four phases (64-bit pairs, then 32-bit
// lanes), the fifth's first lanes of each phase gathered, and the phases shifted on by
// one and two tiles across the two (valignd).
template <>
struct TileInputs<xsimd::avx512f> {
    static constexpr bool available = true;
    using B = xsimd::batch<float, xsimd::avx512f>;
    using Shift = LaneShift<xsimd::avx512f>;
    static SWAPRUN_ALWAYS_INLINE void load(const float* s, B (&d)[10]) {
        const __m512d s0 = _mm512_castps_pd(_mm512_loadu_ps(s));
        const __m512d s1 = _mm512_castps_pd(_mm512_loadu_ps(s + 16));
        const __m512d s2 = _mm512_castps_pd(_mm512_loadu_ps(s + 32));
        const __m512d s3 = _mm512_castps_pd(_mm512_loadu_ps(s + 48));
        const __m512 s4 = _mm512_loadu_ps(s + 64);
        const __m512i even64 = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
        const __m512i odd64 = _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15);
        // Phases 0 and 1 (and 2 and 3) of tiles 0 .. 7, then of 8 .. 15.
        const __m512 p01_lo = _mm512_castpd_ps(_mm512_permutex2var_pd(s0, even64, s1));
        const __m512 p23_lo = _mm512_castpd_ps(_mm512_permutex2var_pd(s0, odd64, s1));
        const __m512 p01_hi = _mm512_castpd_ps(_mm512_permutex2var_pd(s2, even64, s3));
        const __m512 p23_hi = _mm512_castpd_ps(_mm512_permutex2var_pd(s2, odd64, s3));
        const __m512i even32 =
            _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        const __m512i odd32 =
            _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
        const __m512 e[4] = {_mm512_permutex2var_ps(p01_lo, even32, p01_hi),
                             _mm512_permutex2var_ps(p01_lo, odd32, p01_hi),
                             _mm512_permutex2var_ps(p23_lo, even32, p23_hi),
                             _mm512_permutex2var_ps(p23_lo, odd32, p23_hi)};
        __m512 f[4];  // lanes 0 and 1: phase j of tiles 16 and 17
        for (int j = 0; j < 4; ++j) {
            f[j] = _mm512_permutexvar_ps(
                _mm512_setr_epi32(j, j + 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), s4);
        }
        for (int j = 0; j < 4; ++j) {
            d[j] = e[j];
            d[4 + j] = Shift::shift<1>(e[j], f[j]);
        }
        d[8] = Shift::shift<2>(e[0], f[0]);
        d[9] = Shift::shift<2>(e[1], f[1]);
    }
};
#endif

// MR output channels by NT vectors of tiles per micro-kernel (Variant::mr, nr), for RR
// output rows at once (Variant::rows_per_task). With RR rows each transformed input
// vector loaded from the ring serves every row whose window holds it: the narrow
// tiles (the 3-channel image tails) do 3 FMAs per vector loaded on one row, up to 6 on
// two (conv2d_direct_avx512.cpp has the measurements).
template <class A, int MR, int NT, int RR = 1>
struct RowWinogradImpl {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static constexpr int64_t kRowsPerTask = RR;
    static constexpr int kP = row_winograd::kPoints;
    static constexpr int kM = row_winograd::kOut;
    static constexpr int kTaps = row_winograd::kTaps;
    static constexpr int64_t kGroup = static_cast<int64_t>(NT) * L;  // tiles per micro-kernel
    static constexpr const row_winograd::Transforms& kT = row_winograd::kTransforms;

    // Tiles per row slot, as the prepared layer sized the ring (Args::phase_len holds
    // their 10 points).
    static int64_t padded_tiles(const Args& a) { return a.phase_len / kP; }

    // Padded column x of the row src (in_width floats): the pad mode's value outside it,
    // zeros past the padded row (they feed only columns past the output row's end).
    static float padded(const Conv2dParams& p, const float* src, int64_t x) {
        const int64_t i = x - p.pad_left;
        if (i >= 0 && i < p.in_width) return src[i];
        if (x >= p.pad_left + p.in_width + p.pad_right) return 0.0f;
        const int64_t m = cpu::map_index(i, p.in_width, p.pad_mode);
        return m < 0 ? 0.0f : src[m];
    }

    // The terms I, I + Step, ... of row Xi of BT on the inputs d (Step 2: the even or the
    // odd ones), zeros skipped.
    template <int Xi, int Step, int I>
    static SWAPRUN_ALWAYS_INLINE B bt_terms(const B (&d)[kP], B acc) {
        if constexpr (I >= kP) {
            return acc;
        } else {
            constexpr double c = kT.bt[Xi][I];
            if constexpr (c == 0.0) {
                return bt_terms<Xi, Step, I + Step>(d, acc);
            } else {
                return bt_terms<Xi, Step, I + Step>(
                    d, xsimd::fma(B(static_cast<float>(c)), d[I], acc));
            }
        }
    }

    // Point Xi of the L tiles with inputs d to dst + Xi * tp; a mirrored pair's two
    // points from the sums of its even and odd terms (row_winograd::mirrors).
    template <int Xi>
    static SWAPRUN_ALWAYS_INLINE void transform_point(const B (&d)[kP], float* dst, int64_t tp) {
        if constexpr (row_winograd::mirrors(Xi - 1)) {
            return;  // made with point Xi - 1
        } else if constexpr (row_winograd::mirrors(Xi)) {
            const B even = bt_terms<Xi, 2, 0>(d, B(0.0f));
            const B odd = bt_terms<Xi, 2, 1>(d, B(0.0f));
            (even + odd).store_aligned(dst + Xi * tp);
            (even - odd).store_aligned(dst + (Xi + 1) * tp);
        } else {
            bt_terms<Xi, 1, 0>(d, B(0.0f)).store_aligned(dst + Xi * tp);
        }
    }

    // Row J of AT on the products, a mirrored pair's two as their sum (even J) or
    // difference (odd J) in q (q[I] and q[I + 1] for the pair at I), zeros skipped.
    template <int J, int I = 0>
    static SWAPRUN_ALWAYS_INLINE B at_row(const B (&q)[kP], B acc) {
        if constexpr (I >= kP) {
            return acc;
        } else if constexpr (row_winograd::mirrors(I - 1)) {
            return at_row<J, I + 1>(q, acc);  // taken with I - 1
        } else {
            constexpr double c = kT.at[J][I];
            const B& term = q[row_winograd::mirrors(I) && J % 2 == 1 ? I + 1 : I];
            if constexpr (c == 0.0) {
                return at_row<J, I + 1>(q, acc);
            } else if constexpr (c == 1.0) {
                return at_row<J, I + 1>(q, acc + term);
            } else {
                return at_row<J, I + 1>(q, xsimd::fma(B(static_cast<float>(c)), term, acc));
            }
        }
    }

    // One channel's input row (in_width floats at src), padded and transformed, into a
    // ring slot (phase_len floats at dst). Also run_pair's padding of a second's row.
    static void pad_row(const Args& a, const float* src, float* dst) {
        const Conv2dParams& p = *a.p;
        const int64_t tp = padded_tiles(a);
        const int64_t tiles = (p.out_width + kM - 1) / kM;
        for (int64_t t0 = 0; t0 < tp; t0 += L) {
            if (t0 >= tiles) {  // past the row: never stored, but read by the GEMM
                for (int xi = 0; xi < kP; ++xi) B(0.0f).store_aligned(dst + xi * tp + t0);
                continue;
            }
            const int64_t x0 = kM * t0;
            B d[kP];
            if constexpr (TileInputs<A>::available) {
                if (x0 >= p.pad_left && x0 - p.pad_left + 5 * L <= p.in_width) {
                    TileInputs<A>::load(src + x0 - p.pad_left, d);
                    transform_tiles(d, dst + t0, tp);
                    continue;
                }
            }
            // The four phases of the padded columns the L tiles from t0 read:
            // phase[j][k] = padded column 4 (t0 + k) + j, k up to L + 2.
            constexpr int kReach = L + (kP - 1) / kM + 1;
            alignas(64) float phase[kM][kReach];
            const int64_t lo = std::clamp<int64_t>(cpu::ceil_div(p.pad_left - x0, kM), 0, kReach);
            const int64_t hi = std::clamp<int64_t>(
                cpu::floor_div(p.pad_left + p.in_width - kM - x0, kM) + 1, lo, kReach);
            for (int64_t k = 0; k < lo; ++k) {
                for (int j = 0; j < kM; ++j) phase[j][k] = padded(p, src, x0 + kM * k + j);
            }
            const float* inside = src + x0 - p.pad_left;
            for (int64_t k = lo; k < hi; ++k) {
                for (int j = 0; j < kM; ++j) phase[j][k] = inside[kM * k + j];
            }
            for (int64_t k = hi; k < kReach; ++k) {
                for (int j = 0; j < kM; ++j) phase[j][k] = padded(p, src, x0 + kM * k + j);
            }
            for (int i = 0; i < kP; ++i) d[i] = B::load_unaligned(&phase[i % kM][i / kM]);
            transform_tiles(d, dst + t0, tp);
        }
    }

    // BT on the inputs d of L tiles: point xi to dst + xi * tp.
    static SWAPRUN_ALWAYS_INLINE void transform_tiles(const B (&d)[kP], float* dst, int64_t tp) {
        [&]<int... Xi>(std::integer_sequence<int, Xi...>) __attribute__((always_inline)) {
            (transform_point<Xi>(d, dst, tp), ...);
        }
        (std::make_integer_sequence<int, kP>{});
    }

    // Input row py of every channel (of the one group) into ring slot `slot`.
    static void fill_channels(const Args& a, const float* input, int64_t py, float* buf,
                              int64_t slot) {
        const Conv2dParams& p = *a.p;
        const int64_t len = a.phase_len;
        const int64_t iy = cpu::map_index(py, p.in_height, p.pad_mode);
        for (int64_t c = 0; c < p.in_channels; ++c) {
            float* dst = buf + (c * a.ring + slot) * len;
            if (iy < 0) {
                std::fill(dst, dst + len, 0.0f);
            } else {
                pad_row(a, input + (c * p.in_height + iy) * p.in_width, dst);
            }
        }
    }

    // Ring slot s's vectors (v) times the taps of rows 0 .. R - 1 that read it: row r's
    // window starts r slots later, so it takes kernel row s - r (w: one input channel's
    // kTaps x MR weights).
    template <int S, int N, int R>
    static SWAPRUN_ALWAYS_INLINE void slot_taps(const float* __restrict v,
                                                const float* __restrict w, B (&acc)[R][MR][N]) {
        B x[N];
        load_pinned<A>(v, x);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) {
            const int ky = S - r;
            if (ky < 0 || ky >= kTaps) continue;
#pragma GCC unroll 8
            for (int k = 0; k < MR; ++k) {
                const B wk(w[ky * MR + k]);
                for (int n = 0; n < N; ++n) acc[r][k][n] = xsimd::fma(wk, x[n], acc[r][k][n]);
            }
        }
    }

    // The R x MR x N accumulators of point xi for output channels b * MR .., tiles from
    // t0, of R consecutive output rows, the first's window starting at slot first_slot.
    // Each row sums over input channels, then kernel rows, in order, whatever R is.
    template <int N, int R>
    static SWAPRUN_ALWAYS_INLINE void gemm(const Args& a, const float* __restrict buf, int64_t b,
                                           int xi, int64_t t0, int64_t tp, int64_t first_slot,
                                           B (&acc)[R][MR][N]) {
        const Conv2dParams& p = *a.p;
        const int64_t len = a.phase_len, ring = a.ring;
        const float* __restrict w = a.w + (b * kP + xi) * p.in_channels * kTaps * MR;
        for (int r = 0; r < R; ++r) {
            for (int k = 0; k < MR; ++k) {
                for (int n = 0; n < N; ++n) acc[r][k][n] = B(0.0f);
            }
        }
        for (int64_t c = 0; c < p.in_channels; ++c, w += kTaps * MR) {
            const float* channel = buf + c * ring * len + xi * tp + t0;
            int64_t slot = first_slot;
            [&]<int... S>(std::integer_sequence<int, S...>) __attribute__((always_inline)) {
                ((slot_taps<S, N, R>(channel + slot * len, w, acc),
                  slot = slot + 1 == ring ? 0 : slot + 1),
                 ...);
            }
            (std::make_integer_sequence<int, kTaps + R - 1>{});
        }
    }

    // The points of `vectors` (at most N) vectors of tiles from t0 for output channels
    // b * MR .. of R rows into m: a row's last group may be narrower (a 128-wide row has
    // 2 vectors of 16 tiles, where the narrow tiles take 3).
    template <int N, int R>
    static SWAPRUN_ALWAYS_INLINE void points(const Args& a, const float* buf, int64_t b, int64_t t0,
                                             int64_t tp, int64_t first_slot, int vectors,
                                             float (&m)[RR][MR][kP][kGroup]) {
        if constexpr (N > 1) {
            if (vectors < N) return points<N - 1, R>(a, buf, b, t0, tp, first_slot, vectors, m);
        }
        for (int xi = 0; xi < kP; ++xi) {
            B acc[R][MR][N];
            gemm<N, R>(a, buf, b, xi, t0, tp, first_slot, acc);
            for (int r = 0; r < R; ++r) {
                for (int k = 0; k < MR; ++k) {
                    for (int n = 0; n < N; ++n) acc[r][k][n].store_aligned(&m[r][k][xi][n * L]);
                }
            }
        }
    }

    // Output rows [oy, oy + count) from the ring, whose window for row oy starts at slot
    // first_slot: output channel k goes to out + k * channel_stride (count is at most
    // RR: kRowsPerTask; one group).
    static void rows(const Args& a, const float* buf, int64_t /*g*/, float* out,
                     int64_t channel_stride, int64_t first_slot, int64_t count) {
        const Conv2dParams& p = *a.p;
        const int64_t tp = padded_tiles(a);
        const int64_t ow = p.out_width;
        const int64_t blocks = (p.out_channels + MR - 1) / MR;
        // The points of one micro-kernel's tiles for its MR channels, per row.
        alignas(64) float m[RR][MR][kP][kGroup];
        for (int64_t t0 = 0; t0 < tp; t0 += kGroup) {
            const int vectors = static_cast<int>(std::min<int64_t>(NT, (tp - t0) / L));
            for (int64_t b = 0; b < blocks; ++b) {
                const int64_t valid = std::min<int64_t>(MR, p.out_channels - b * MR);
                // Row r of the task from m[from].
                auto finish = [&](int64_t r, int from) {
                    for (int64_t i = 0; i < valid; ++i) {
                        const int64_t k = b * MR + i;
                        const B bias(a.bias[k]);
                        float* row = out + k * channel_stride + r * ow;
                        for (int n = 0; n < vectors; ++n) {
                            const int64_t x0 = (t0 + n * L) * kM;
                            if (x0 >= ow) break;
                            finish_tiles(p, m[from][i], n * L, bias, row, x0);
                        }
                    }
                };
                if (count == RR) {
                    points<NT, RR>(a, buf, b, t0, tp, first_slot, vectors, m);
                    for (int r = 0; r < RR; ++r) finish(r, r);
                    continue;
                }
                // A plane's last rows, fewer than RR: one at a time (stride 1: row r's
                // window starts r slots on).
                for (int64_t r = 0; r < count; ++r) {
                    points<NT, 1>(a, buf, b, t0, tp, (first_slot + r) % a.ring, vectors, m);
                    finish(r, 0);
                }
            }
        }
    }

    // The L tiles at column `at` of one channel's points back to 4 L output columns
    // from x0: AT, the bias, the activation, stored up to the row's end.
    static SWAPRUN_ALWAYS_INLINE void finish_tiles(const Conv2dParams& p,
                                                   const float (&m)[kP][kGroup], int64_t at, B bias,
                                                   float* row, int64_t x0) {
        B points[kP];
        for (int i = 0; i < kP; ++i) points[i] = B::load_aligned(&m[i][at]);
        for (int i = 0; i + 1 < kP; ++i) {
            if (row_winograd::mirrors(i)) {
                const B sum = points[i] + points[i + 1];
                points[i + 1] = points[i] - points[i + 1];
                points[i] = sum;
            }
        }
        B y[kM];
        [&]<int... J>(std::integer_sequence<int, J...>) __attribute__((always_inline)) {
            ((y[J] = at_row<J>(points, bias)), ...);
        }
        (std::make_integer_sequence<int, kM>{});
        Interleave4<A>::apply(y);
        const int64_t ow = p.out_width;
        for (int q = 0; q < kM; ++q) {
            const int64_t x = x0 + q * L;
            if (x >= ow) break;
            const B v = activate<A>(y[q], p.activation);
            if (x + L <= ow) {
                v.store_unaligned(row + x);
            } else {
                alignas(64) float tmp[L];
                v.store_aligned(tmp);
                std::copy(tmp, tmp + (ow - x), row + x);
            }
        }
    }
};

}  // namespace swaprun::kernels::direct::detail
