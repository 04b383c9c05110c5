// Bodies of the register-tiled direct convolution, templates over the xsimd
// architecture. Included only by the per-ISA translation units
// (conv2d_direct_avx2.cpp, conv2d_direct_avx512.cpp, conv2d_direct_neon.cpp).
// See conv2d_direct.h for the scheme.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct.h"
#include "kernels/conv2d_direct_pixels.h"
#include "kernels/conv2d_direct_rows.h"
#include "kernels/conv2d_row_winograd.h"
#include "kernels/cpu_common.h"

namespace swaprun::kernels::direct::detail {

// One output row's NR vectors of columns from x0: bias, activation, then a store; the
// vector that passes the row's end stores only its columns inside it.
template <class A, int NR>
SWAPRUN_ALWAYS_INLINE void store_columns(const xsimd::batch<float, A> (&acc)[NR],
                                         xsimd::batch<float, A> bias, const ActivationParams& act,
                                         int64_t x0, int64_t width, float* out) {
    using B = xsimd::batch<float, A>;
    constexpr int L = static_cast<int>(B::size);
    for (int n = 0; n < NR; ++n) {
        const int64_t x = x0 + n * L;
        if (x >= width) break;
        const B v = activate<A>(acc[n] + bias, act);
        if (x + L <= width) {
            v.store_unaligned(out + x);
        } else {
            alignas(64) float tmp[L];
            v.store_aligned(tmp);
            std::copy(tmp, tmp + (width - x), out + x);
        }
    }
}

// Column tiles: MR output channels x NR vectors of output columns, the weights
// broadcast, the input loaded as vectors of columns. RR output rows per task
// (Variant::rows_per_task): 2 where the shifted taps (kShiftTaps) can serve two rows.
template <class A, int MR, int NR, int RR = 1>
struct Impl : Rows<A> {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static constexpr int64_t kCols = static_cast<int64_t>(L) * NR;
    static constexpr int64_t kRowsPerTask = RR;
    // Shifted taps (LaneShift) for the narrow kernel only: with 3 output channels a
    // loaded vector feeds 3 FMAs, and the unaligned loads of the taps, most of them
    // across two cache lines, bound the 7x7 image tail (kernel_bench live_tail on a
    // Xeon, alternating with the build before the shifts and the row padding of
    // direct_phase_len, which alone left the tail as it was: 11.5 -> 10.6 ms on 1
    // thread, 5.45 -> 4.9 ms on 2). The wide kernel's 8 FMAs per vector hide the
    // loads; there the shifts were no faster.
    static constexpr bool kShiftTaps = LaneShift<A>::available && MR < 4;

    // Taps kw .. KW - 1 of one kernel row from the vectors v of the row at tap 0 (and
    // one more): tap kw's vectors are v shifted by kw lanes.
    template <int KW, int kw = 0>
    static SWAPRUN_ALWAYS_INLINE void shifted_taps(const B (&v)[NR + 1], const float* __restrict w,
                                                   B (&acc)[MR][NR]) {
        if constexpr (kw < KW) {
            B x[NR];
            for (int n = 0; n < NR; ++n) {
                if constexpr (kw == 0) {
                    x[n] = v[n];
                } else {
                    x[n] = LaneShift<A>::template shift<kw>(v[n], v[n + 1]);
                }
            }
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                const B wr(w[kw * MR + r]);
                for (int n = 0; n < NR; ++n) acc[r][n] = xsimd::fma(wr, x[n], acc[r][n]);
            }
            shifted_taps<KW, kw + 1>(v, w, acc);
        }
    }

    // acc[r][n] = sum over taps of w[tap][r] * row(tap)[x0 + n * L ..]. KW is the
    // kernel width when it is one of the unrolled ones, else 0.
    template <int KW, Taps T>
    static SWAPRUN_ALWAYS_INLINE void tile(const Args& a, const float* __restrict buf,
                                           const float* __restrict w, int64_t x0,
                                           int64_t first_slot, B (&acc)[MR][NR]) {
        const Conv2dParams& p = *a.p;
        const int64_t icg_n = p.in_channels / p.groups;
        const int64_t kw_n = KW > 0 ? KW : p.kernel_w;
        const int64_t row_stride = p.stride_w * a.phase_len;
        const int64_t ring = a.ring;
        const int64_t slot_step = p.dilation_h % ring;
        const int64_t* off = a.tap_offset;
        for (int r = 0; r < MR; ++r) {
            for (int n = 0; n < NR; ++n) acc[r][n] = B(0.0f);
        }
        // 3x3 kernels, but for the rows that shifted_taps serves (below).
        if constexpr (KW == 3 && !(kShiftTaps && T == Taps::Unit)) {
            if (p.kernel_h == 3) {
                // Where each kernel row starts in a channel's ring, the same for every
                // channel: worked out once here, not per channel and row as below, whose
                // slot arithmetic took issue slots from the FMAs. On a Xeon, live_base's
                // stride-2 pair down.1 + down.2 took 4.25 ms against 4.55 (swaprun infer
                // --profile, 2 threads, medians of 8 alternating runs, twice); on AVX2
                // (SWAPRUN_DISABLE_AVX512=1, 6 runs) 7.45 against 8.18.
                int64_t row_at[3];
                for (int64_t kh = 0, slot = first_slot; kh < 3; ++kh) {
                    row_at[kh] = slot * row_stride;
                    slot += slot_step;
                    if (slot >= ring) slot -= ring;
                }
                for (int64_t c = 0; c < icg_n; ++c) {
                    const float* channel = buf + x0 + c * ring * row_stride;
#pragma GCC unroll 3
                    for (int kh = 0; kh < 3; ++kh) {
                        taps<KW, T>(a, channel + row_at[kh], off, w, acc);
                        w += KW * MR;
                    }
                }
                return;
            }
        }
        for (int64_t c = 0; c < icg_n; ++c) {
            const float* channel = buf + x0 + c * ring * row_stride;
            int64_t slot = first_slot;
            for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
                const float* rows = channel + slot * row_stride;
                slot += slot_step;
                if (slot >= ring) slot -= ring;
                if constexpr (kShiftTaps && T == Taps::Unit && KW > 1 && KW <= L) {
                    // The vector past the tile's last one lies inside the row
                    // (direct_phase_len leaves at least a vector after the last tile).
                    B v[NR + 1];
                    for (int n = 0; n <= NR; ++n) v[n] = B::load_unaligned(rows + n * L);
                    shifted_taps<KW>(v, w, acc);
                    w += KW * MR;
                    continue;
                }
                if constexpr (KW > 0) {
                    taps<KW, T>(a, rows, off, w, acc);
                    w += KW * MR;
                } else {
                    for (int64_t kw = 0; kw < kw_n; ++kw, w += MR) tap<T>(a, rows, off, kw, w, acc);
                }
            }
        }
    }

    // Tap kw of one kernel row, whose input row starts at rows (w: its MR weights).
    template <Taps T>
    static SWAPRUN_ALWAYS_INLINE void tap(const Args& a, const float* __restrict rows,
                                          const int64_t* off, int64_t kw, const float* __restrict w,
                                          B (&acc)[MR][NR]) {
        const float* src = rows + (T == Taps::Unit      ? kw
                                   : T == Taps::Stride2 ? (kw & 1) * a.phase_len + (kw >> 1)
                                                        : off[kw]);
        B x[NR];
        load_pinned<A>(src, x);
#pragma GCC unroll 8
        for (int r = 0; r < MR; ++r) {
            const B wr(w[r]);
            for (int n = 0; n < NR; ++n) acc[r][n] = xsimd::fma(wr, x[n], acc[r][n]);
        }
    }

    // The KW taps of one kernel row, unrolled.
    template <int KW, Taps T>
    static SWAPRUN_ALWAYS_INLINE void taps(const Args& a, const float* __restrict rows,
                                           const int64_t* off, const float* __restrict w,
                                           B (&acc)[MR][NR]) {
#pragma GCC unroll 8
        for (int kw = 0; kw < KW; ++kw) tap<T>(a, rows, off, kw, w + kw * MR, acc);
    }

    // shifted_taps for input row i of a two-row window: row 0's accumulators take the
    // taps with kernel row i's weights w0 (where Top), row 1's with kernel row i - 1's,
    // w1 (where Bottom). Each shifted vector serves 2 * MR FMAs instead of MR.
    template <int KW, bool Top, bool Bottom, int kw = 0>
    static SWAPRUN_ALWAYS_INLINE void shifted_taps_two(const B (&v)[NR + 1],
                                                       const float* __restrict w0,
                                                       const float* __restrict w1,
                                                       B (&acc)[2][MR][NR]) {
        if constexpr (kw < KW) {
            B x[NR];
            for (int n = 0; n < NR; ++n) {
                x[n] = v[n];
                if constexpr (kw > 0) x[n] = LaneShift<A>::template shift<kw>(v[n], v[n + 1]);
            }
#pragma GCC unroll 8
            for (int r = 0; r < MR; ++r) {
                if constexpr (Top) {
                    const B wr(w0[kw * MR + r]);
                    for (int n = 0; n < NR; ++n) acc[0][r][n] = xsimd::fma(wr, x[n], acc[0][r][n]);
                }
                if constexpr (Bottom) {
                    const B wr(w1[kw * MR + r]);
                    for (int n = 0; n < NR; ++n) acc[1][r][n] = xsimd::fma(wr, x[n], acc[1][r][n]);
                }
            }
            shifted_taps_two<KW, Top, Bottom, kw + 1>(v, w0, w1, acc);
        }
    }

    // Two output rows at once (stride and dilation 1, shifted taps): the KH + 1 input
    // rows of their window, each loaded and shifted once for both. On one row the
    // shifts (valignd, on an FMA port of Intel's cores) were one per 3 FMAs, which bounds
    // the 7x7 tail at 78 % of the FMA peak; here one per 6 (kernel_bench live_tail on a
    // Xeon, 1 thread, alternating: 9.4-10.3 -> 8.4-8.8 ms; live_up3_tail paired on 2
    // threads 7.7-7.8 -> 7.0-7.4). Each output sums its taps in the order tile gives
    // it, so the rows are the bits of two calls of tile.
    template <int KW>
    static SWAPRUN_ALWAYS_INLINE void tile_two(const Args& a, const float* __restrict buf,
                                               const float* __restrict w, int64_t x0,
                                               int64_t first_slot, B (&acc)[2][MR][NR]) {
        const Conv2dParams& p = *a.p;
        const int64_t icg_n = p.in_channels / p.groups;
        const int64_t kh_n = p.kernel_h;
        const int64_t row_stride = a.phase_len;
        const int64_t ring = a.ring;
        constexpr int64_t kRowWeights = KW * MR;  // one kernel row's
        for (int rr = 0; rr < 2; ++rr) {
            for (int r = 0; r < MR; ++r) {
                for (int n = 0; n < NR; ++n) acc[rr][r][n] = B(0.0f);
            }
        }
        for (int64_t c = 0; c < icg_n; ++c, w += kh_n * kRowWeights) {
            const float* channel = buf + x0 + c * ring * row_stride;
            int64_t slot = first_slot;
            // The vectors of the window's next row (direct_phase_len leaves one vector
            // past the last tile in the row).
            auto next_row = [&](B(&v)[NR + 1]) __attribute__((always_inline)) {
                const float* rows = channel + slot * row_stride;
                for (int n = 0; n <= NR; ++n) v[n] = B::load_unaligned(rows + n * L);
                if (++slot == ring) slot = 0;
            };
            B v[NR + 1];
            next_row(v);
            shifted_taps_two<KW, true, false>(v, w, w, acc);
            for (int64_t i = 1; i < kh_n; ++i) {
                next_row(v);
                // Row 1's weights are row 0's of the last input row: g++ kept their
                // broadcasts from one row to the next, and spilled them.
                const float* w1 = w + (i - 1) * kRowWeights;
                opaque(w1);
                shifted_taps_two<KW, true, true>(v, w + i * kRowWeights, w1, acc);
            }
            next_row(v);
            shifted_taps_two<KW, false, true>(v, w, w + (kh_n - 1) * kRowWeights, acc);
        }
    }

    static SWAPRUN_ALWAYS_INLINE void tile_any(const Args& a, const float* buf, const float* w,
                                               int64_t x0, int64_t first_slot, B (&acc)[MR][NR]) {
        with_taps(
            *a.p, [&]<int KW, Taps T>() __attribute__((always_inline)) {
                tile<KW, T>(a, buf, w, x0, first_slot, acc);
            });
    }

    // Output rows [oy, oy + count) of group g (count <= RR) from the ring, whose window
    // starts at slot first_slot: row oy + i of the group's output channel k goes to out +
    // k * channel_stride + i * out_width.
    static void rows(const Args& a, const float* buf, int64_t g, float* out, int64_t channel_stride,
                     int64_t first_slot, int64_t count) {
        const Conv2dParams& p = *a.p;
        if (count == 2 && p.stride_h == 1 && p.dilation_h == 1) {
            const bool done = with_taps(
                p, [&]<int KW, Taps T>() __attribute__((always_inline)) {
                    if constexpr (RR == 2 && kShiftTaps && T == Taps::Unit && KW > 1 && KW <= L) {
                        two_rows<KW>(a, buf, g, out, channel_stride, first_slot);
                        return true;
                    }
                    return false;
                });
            if (done) return;
        }
        for (int64_t i = 0; i < count; ++i) {
            row(a, buf, g, out + i * p.out_width, channel_stride,
                (first_slot + i * p.stride_h) % a.ring);
        }
    }

    // Output rows [oy, oy + RR2) of group g, as rows: tile(w, x0, acc) fills the RR2
    // rows of accumulators of the column tile at x0 from the weights w of one block of
    // output channels. Columns outer, blocks inner: the blocks of one column tile read
    // the same few KiB of the ring, which stay in L1 from the first block to the last.
    template <int RR2, class Tile>
    static SWAPRUN_ALWAYS_INLINE void tiles(const Args& a, int64_t g, float* out,
                                            int64_t channel_stride, Tile&& tile) {
        const Conv2dParams& p = *a.p;
        const int64_t icg_n = p.in_channels / p.groups, ocg_n = p.out_channels / p.groups;
        const int64_t blocks = (ocg_n + MR - 1) / MR;
        const int64_t taps = icg_n * p.kernel_h * p.kernel_w;
        const int64_t ow = p.out_width;
        for (int64_t x0 = 0; x0 < ow; x0 += kCols) {
            for (int64_t b = 0; b < blocks; ++b) {
                const int64_t valid = std::min<int64_t>(MR, ocg_n - b * MR);
                B acc[RR2][MR][NR];
                tile(a.w + (g * blocks + b) * taps * MR, x0, acc);
                for (int rr = 0; rr < RR2; ++rr) {
                    for (int r = 0; r < valid; ++r) {
                        const int64_t k = b * MR + r;
                        store_columns<A, NR>(acc[rr][r], B(a.bias[g * ocg_n + k]), p.activation, x0,
                                             ow, out + k * channel_stride + rr * ow);
                    }
                }
            }
        }
    }

    // rows for two rows through tile_two.
    template <int KW>
    static void two_rows(const Args& a, const float* buf, int64_t g, float* out,
                         int64_t channel_stride, int64_t first_slot) {
        tiles<2>(
            a, g, out, channel_stride,
            [&](const float* w, int64_t x0, B(&acc)[2][MR][NR])
                __attribute__((always_inline)) { tile_two<KW>(a, buf, w, x0, first_slot, acc); });
    }

    // One output row of group g from the ring, whose window starts at slot first_slot:
    // the group's output channel k goes to out + k * channel_stride.
    static void row(const Args& a, const float* buf, int64_t g, float* out, int64_t channel_stride,
                    int64_t first_slot) {
        tiles<1>(
            a, g, out, channel_stride,
            [&](const float* w, int64_t x0, B(&acc)[1][MR][NR])
                __attribute__((always_inline)) { tile_any(a, buf, w, x0, first_slot, acc[0]); });
    }
};

// Depthwise convolution (one input and one output channel per group). Impl<A, 1, NR>
// would run it as a task per output row: one short FMA chain per vector of columns,
// and the per-row set-up around 9 taps, left a detector's depthwise layers at 3-12 % of
// the FMA peak. Here a task is a band of output rows of one channel: the band's input
// rows are padded and phase-split once into the thread's buffer (as Impl's ring rows
// are), then R output rows x NR vectors of columns accumulate at once, R * NR
// independent chains. Each output still sums its taps in (kernel row, kernel column)
// order from zero, then adds the bias: the same order for any thread count.
template <class A, int R, int NR>
struct Depthwise {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static constexpr int64_t kCols = static_cast<int64_t>(L) * NR;

    // The buffer columns that copy a run of the input row. Stride 1: columns [lo, hi),
    // whose padded column lies inside the row. Stride 2: the column pairs [pair_lo,
    // pair_hi) of the two phases whose padded columns 2j and 2j + 1 both lie inside.
    struct Interior {
        int64_t lo = 0, hi = 0;
        int64_t pair_lo = 0, pair_hi = 0;
    };

    static Interior interior(const Conv2dParams& p, int64_t len) {
        Interior in;
        const int64_t w = p.in_width, pad = p.pad_left;
        if (p.stride_w == 1) {
            in.lo = std::clamp<int64_t>(pad, 0, len);
            in.hi = std::clamp<int64_t>(pad + w, in.lo, len);
        } else {  // stride 2: the pair loop of Impl::split_two_phases
            in.pair_lo = std::clamp<int64_t>(cpu::ceil_div(pad, 2), 0, len);
            in.pair_hi = std::clamp<int64_t>(cpu::floor_div(pad + w - 2, 2) + 1, in.pair_lo, len);
        }
        return in;
    }

    // Padded input row py of the plane, phase-split, into dst. The run inside the row is
    // a plain copy (stride 1) or one pass over column pairs (stride 2); only the padding
    // columns read the precomputed column map. (Impl's fill_row pays divisions and calls
    // per row: more than a narrow map's row of 9 taps costs.)
    static SWAPRUN_ALWAYS_INLINE void fill_row(const Args& a, const Interior& in,
                                               const float* in_plane, int64_t py,
                                               float* __restrict dst) {
        const Conv2dParams& p = *a.p;
        const int64_t len = a.phase_len;
        const int64_t iy = cpu::map_index(py, p.in_height, p.pad_mode);
        if (iy < 0) {
            std::fill(dst, dst + p.stride_w * len, 0.0f);
            return;
        }
        const float* __restrict src = in_plane + iy * p.in_width;
        const int32_t* __restrict map = a.column_source;
        auto gather = [&](int64_t from, int64_t to) {
            for (int64_t k = from; k < to; ++k) dst[k] = map[k] < 0 ? 0.0f : src[map[k]];
        };
        if (p.stride_w == 1) {
            gather(0, in.lo);
            std::copy(src + in.lo - p.pad_left, src + in.hi - p.pad_left, dst + in.lo);
            gather(in.hi, len);
            return;
        }
        split_pairs(src - p.pad_left, dst, dst + len, in.pair_lo, in.pair_hi);
        gather(0, in.pair_lo);
        gather(in.pair_hi, len);
        gather(len, len + in.pair_lo);
        gather(len + in.pair_hi, 2 * len);
    }

    // Output rows [oy, oy + RR) (oy counted from the band's first row) of one channel.
    template <int RR>
    static SWAPRUN_ALWAYS_INLINE void rows(const Args& a, const float* __restrict buf,
                                           const float* __restrict w, float bias_value, int64_t oy,
                                           float* out_row0) {
        const Conv2dParams& p = *a.p;
        const int64_t ow = p.out_width;
        const int64_t row_stride = p.stride_w * a.phase_len;
        const int64_t* off = a.tap_offset;
        const B bias(bias_value);
        for (int64_t x0 = 0; x0 < ow; x0 += kCols) {
            B acc[RR][NR];
            for (int r = 0; r < RR; ++r) {
                for (int n = 0; n < NR; ++n) acc[r][n] = B(0.0f);
            }
            const float* wt = w;
            for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
                const float* band_rows =
                    buf + (oy * p.stride_h + kh * p.dilation_h) * row_stride + x0;
                for (int64_t kw = 0; kw < p.kernel_w; ++kw, ++wt) {
                    const B weight(*wt);
                    for (int r = 0; r < RR; ++r) {
                        const float* src = band_rows + r * p.stride_h * row_stride + off[kw];
                        for (int n = 0; n < NR; ++n) {
                            acc[r][n] =
                                xsimd::fma(weight, B::load_unaligned(src + n * L), acc[r][n]);
                        }
                    }
                }
            }
            for (int r = 0; r < RR; ++r) {
                store_columns<A, NR>(acc[r], bias, p.activation, x0, ow, out_row0 + (oy + r) * ow);
            }
        }
    }

    static void run(const Args& a) {
        const Conv2dParams& p = *a.p;
        const int64_t band = kDepthwiseBandRows;
        const int64_t bands = (p.out_height + band - 1) / band;
        const int64_t tasks = p.batch * p.groups * bands;
        const int64_t row_stride = p.stride_w * a.phase_len;
        const int64_t taps = p.kernel_h * p.kernel_w;
        const Interior in = interior(p, a.phase_len);
#pragma omp parallel num_threads(a.threads)
        {
            float* buf = a.scratch + omp_get_thread_num() * a.row_floats;
#pragma omp for schedule(static)
            for (int64_t t = 0; t < tasks; ++t) {
                const int64_t plane = t / bands;  // n * groups + g: the channel's plane
                const int64_t g = plane % p.groups;
                const int64_t oy0 = (t % bands) * band;
                const int64_t oy1 = std::min(p.out_height, oy0 + band);
                const int64_t first = oy0 * p.stride_h - p.pad_top;
                const int64_t window = (oy1 - oy0 - 1) * p.stride_h + ring_rows(p);
                const float* in_plane = a.input + plane * p.in_height * p.in_width;
                for (int64_t i = 0; i < window; ++i) {
                    fill_row(a, in, in_plane, first + i, buf + i * row_stride);
                }
                const float* w = a.w + g * taps;
                float* out_band = a.output + plane * p.out_height * p.out_width + oy0 * p.out_width;
                const int64_t count = oy1 - oy0;
                int64_t oy = 0;
                for (; oy + R <= count; oy += R) rows<R>(a, buf, w, a.bias[g], oy, out_band);
                for (; oy < count; ++oy) rows<1>(a, buf, w, a.bias[g], oy, out_band);
            }
        }
    }
};

// One row kernel K (Impl or PixelImpl) over the whole layer: a task is K::kRowsPerTask
// output rows of one group (the last of a plane may have fewer), their input rows padded
// through the thread's ring.
template <class K>
void run_rows(const Args& a) {
    const Conv2dParams& p = *a.p;
    const int64_t per_task = K::kRowsPerTask;
    const int64_t row_tasks = cpu::ceil_div(p.out_height, per_task);  // per plane
    const int64_t tasks = p.batch * p.groups * row_tasks;
    const int64_t icg_n = p.in_channels / p.groups;
    // Floats per channel of the input as given: a quarter when it is read upsampled.
    const int64_t in_plane =
        a.upsample_row != nullptr ? (p.in_height / 2) * (p.in_width / 2) : p.in_height * p.in_width;
#pragma omp parallel num_threads(a.threads)
    {
        float* buf = a.scratch + omp_get_thread_num() * a.row_floats;
        Ring held;
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; ++t) {
            const int64_t oy = t % row_tasks * per_task;
            const int64_t count = std::min(per_task, p.out_height - oy);
            const int64_t plane = t / row_tasks;  // n * groups + g
            const int64_t g = plane % p.groups;
            const int64_t n = plane / p.groups;
            const float* in_group = a.input + (n * p.in_channels + g * icg_n) * in_plane;
            const int64_t first_slot = held.advance(
                p, a.ring, plane, oy, count,
                [&](int64_t py, int64_t slot) { K::fill_channels(a, in_group, py, buf, slot); });
            const int64_t ocg_n = p.out_channels / p.groups;
            float* out =
                a.output + ((n * p.out_channels + g * ocg_n) * p.out_height + oy) * p.out_width;
            K::rows(a, buf, g, out, p.out_height * p.out_width, first_slot, count);
        }
    }
}

// The First of run_pair where the first convolution makes bands of rows
// (PairArgs::bands) rather than running a row kernel.
struct Banded {};

// PairArgs's scheme, with the first convolution's kernel First (or Banded) and the
// second's Second.
template <class First, class Second>
void run_pair(const PairArgs& pa) {
    constexpr bool kBanded = std::is_same_v<First, Banded>;
    const Args& a = pa.first;
    const Args& b = pa.second;
    const Conv2dParams& p = *a.p;  // the first
    const Conv2dParams& q = *b.p;  // the second: q.in_* is p.out_*
    const int64_t in_plane =
        a.upsample_row != nullptr ? (p.in_height / 2) * (p.in_width / 2) : p.in_height * p.in_width;
    const int64_t q_ring = b.ring, q_row = q.stride_w * b.phase_len;
    const int64_t width = p.out_width;                 // of a row of the first's output
    const int64_t rows = kBanded ? pa.bands.rows : 1;  // of the first's output at a time
    const int64_t first_floats = cpu::whole_lines(kBanded ? pa.bands.scratch_floats : a.row_floats);
#pragma omp parallel num_threads(pa.threads)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        float* const p_buf = pa.scratch + t * pa.thread_floats;
        float* const middle = p_buf + first_floats;  // `rows` rows of the first's output
        float* const q_buf = middle + pair_middle_floats(p, rows);
        // An even run of the second's output rows per thread, in order.
        const int64_t begin = q.out_height * t / nt, end = q.out_height * (t + 1) / nt;
        for (int64_t n = 0; n < q.batch && begin < end; ++n) {
            const float* input = a.input + n * p.in_channels * in_plane;
            Ring p_rows, q_rows;
            int64_t middle_band = -1;  // the band of the first's output in `middle`
            // Band `band` (a row, for a row kernel) of the first's output into `middle`.
            auto first_band = [&](int64_t band) {
                if constexpr (kBanded) {
                    pa.bands.run(pa.bands.context, n, band, middle, p_buf);
                } else {
                    const int64_t slot =
                        p_rows.advance(p, a.ring, n, band, 1, [&](int64_t py, int64_t s) {
                            First::fill_channels(a, input, py, p_buf, s);
                        });
                    First::rows(a, p_buf, 0, middle, width, slot, 1);
                }
                middle_band = band;
            };
            for (int64_t oy = begin, count = 0; oy < end; oy += count) {
                count = std::min(Second::kRowsPerTask, end - oy);
                const int64_t slot =
                    q_rows.advance(q, q_ring, n, oy, count, [&](int64_t py, int64_t s) {
                        float* dst = q_buf + s * q_row;  // channel c at dst + c * q_ring * q_row
                        const int64_t iy = cpu::map_index(py, q.in_height, q.pad_mode);
                        if (iy < 0) {
                            for (int64_t c = 0; c < q.in_channels; ++c) {
                                float* d = dst + c * q_ring * q_row;
                                std::fill(d, d + q_row, 0.0f);
                            }
                            return;
                        }
                        if (iy / rows != middle_band) first_band(iy / rows);
                        const float* row = middle + (iy % rows) * width;
                        for (int64_t c = 0; c < q.in_channels; ++c) {
                            Second::pad_row(b, row + c * rows * width, dst + c * q_ring * q_row);
                        }
                    });
                float* out = b.output + (n * q.out_channels * q.out_height + oy) * q.out_width;
                Second::rows(b, q_buf, 0, out, q.out_height * q.out_width, slot, count);
            }
        }
    }
}

// The row kernels of one ISA, in Tiling's order.
template <class... K>
struct RowKernels {};

// run_pair for the row kernels the two convolutions run with.
template <class First, class... K>
void run_pair_first(const PairArgs& pa, RowKernels<K...>) {
    int i = 0;
    // The one whose place in the list is second_tiling.
    ((i++ == static_cast<int>(pa.second_tiling) ? run_pair<First, K>(pa) : void()), ...);
}

template <class... K>
void run_any_pair(const PairArgs& pa) {
    if (pa.bands.run != nullptr) return run_pair_first<Banded>(pa, RowKernels<K...>{});
    int i = 0;
    ((i++ == static_cast<int>(pa.first_tiling) ? run_pair_first<K>(pa, RowKernels<K...>{})
                                               : void()),
     ...);
}

// MR1 x NR1, MRL x NRL and MR2 x NR2 (RR2 rows): the wide, long and narrow column
// tiles; RM1 x RN1 and RM2 x RN2 (RR2W rows): the wide and narrow row-transform tiles.
template <class A, int MR1, int NR1, int MRL, int NRL, int MR2, int NR2, int RR2, int RM1, int RN1,
          int RM2, int RN2, int RR2W = 1>
Kernels make_kernels(const char* name) {
    using W = Impl<A, MR1, NR1>;
    using N = Impl<A, MR2, NR2, RR2>;
    using Px = PixelImpl<A>;
    using Rw = RowWinogradImpl<A, RM1, RN1>;
    using RwN = RowWinogradImpl<A, RM2, RN2, RR2W>;
    using Lc = Impl<A, MRL, NRL>;
    // About 32 columns (a detector's last maps are 20 wide) and 8 accumulators.
    constexpr int kDwNr = std::max(1, 32 / W::L);
    constexpr int kDwRows = std::max(1, 8 / kDwNr);
    using D = Depthwise<A, kDwRows, kDwNr>;
    return Kernels{name,
                   W::L,
                   Variant{MR1, NR1, &run_rows<W>},
                   Variant{MR2, NR2, &run_rows<N>, RR2},
                   Variant{Px::L, Px::P / Px::L, &run_rows<Px>},
                   Variant{1, kDwNr, &D::run, kDepthwiseBandRows},
                   Variant{RM1, RN1, &run_rows<Rw>},
                   Variant{RM2, RN2, &run_rows<RwN>, RR2W},
                   Variant{MRL, NRL, &run_rows<Lc>},
                   &run_any_pair<W, N, Px, Rw, RwN, Lc>};
}

}  // namespace swaprun::kernels::direct::detail
