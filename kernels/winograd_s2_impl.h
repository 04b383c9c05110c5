// Bodies of the stride-2 Winograd convolution (winograd_s2.h), templates over the
// xsimd architecture. Included only by the per-ISA translation units
// (winograd_s2_avx2.cpp, winograd_s2_avx512.cpp, winograd_s2_neon.cpp).
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct_rows.h"
#include "kernels/cpu_common.h"
#include "kernels/tile_columns.h"
#include "kernels/winograd_gemm.h"
#include "kernels/winograd_s2.h"

namespace swaprun::kernels::winograd_s2::detail {

template <class A, int MR, int NR>
struct Impl {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);
    static constexpr int64_t kCols = static_cast<int64_t>(L) * NR;  // tiles per micro-kernel
    static constexpr int kOutputs = kTile * kTile;

    // sum over i < N of c(i) * x(i), the terms of zero coefficients left out and those of
    // coefficient 1 not multiplied (after unrolling, at compile time: c is constexpr;
    // multiplied by 0 the terms would not fold away, being NaN for an infinite x).
    template <int N, class Coefficient, class Term>
    static SWAPRUN_ALWAYS_INLINE B combine(Coefficient c, Term x) {
        B sum(0.0f);
        bool first = true;
#pragma GCC unroll 9
        for (int i = 0; i < N; ++i) {
            const double k = c(i);
            if (k == 0.0) continue;
            const B term = k == 1.0 ? x(i) : x(i) * B(static_cast<float>(k));
            sum = first ? term : sum + term;
            first = false;
        }
        return sum;
    }

    // out[q] = BT9 along one axis of x[0 .. 8]: F(4, 2)'s points of the even inputs,
    // then the odd inputs.
    static SWAPRUN_ALWAYS_INLINE void axis(const B (&x)[kSpan], B (&out)[kAxisPoints]) {
#pragma GCC unroll 5
        for (int q = 0; q < kEvenPoints; ++q) {
            out[q] = combine<kEvenPoints>([q](int m) { return kEven.bt[q][m]; },
                                          [&x](int m) { return x[2 * m]; });
        }
#pragma GCC unroll 4
        for (int j = 0; j < kTile; ++j) out[kEvenPoints + j] = x[2 * j + 1];
    }

    static constexpr int64_t kQuad = tile_columns::kQuad<L>;
    static constexpr int64_t tile_of_lane(int l) { return tile_columns::tile_of_lane<L>(l); }
    static_assert(tile_columns::OutputGroup<L>::kEdge == kTile);

    // A pass's band (winograd_s2.h) of one channel: padded input rows from
    // 2 * kTile * first_row on, each its two phases of len floats.
    struct Band {
        float* rows;
        int64_t first_row, len;

        float* row(int64_t i) const { return rows + i * 2 * len; }
        // Phase ph of patch row r of the tiles of tile row tile_row, from tile column 0.
        const float* phase(int64_t tile_row, int r, int ph) const {
            return row(2 * kTile * (tile_row - first_row) + r) + ph * len;
        }
    };

    // The band of tile rows [band.first_row, last_row] from one input channel; the same
    // rows of next_plane (the thread's next channel, or null) fetched meanwhile, as the
    // stride-1 layers' fill_band does.
    static void fill_band(const Conv2dParams& p, const float* plane, const float* next_plane,
                          int64_t last_row, const Band& band) {
        const int64_t rows = 2 * kTile * (last_row - band.first_row + 1) + 1;
        for (int64_t i = 0; i < rows; ++i) {
            const int64_t y = 2 * kTile * band.first_row + i - p.pad_top;
            if (y >= 0 && y < p.in_height) {
                if (next_plane != nullptr)
                    cpu::fetch_lines(next_plane + y * p.in_width, p.in_width);
                direct::detail::Rows<A>::split_two_phases(p, plane + y * p.in_width, band.row(i),
                                                          band.len);
            } else {
                std::fill(band.row(i), band.row(i) + 2 * band.len, 0.0f);
            }
        }
    }

    // Where the group of L tiles from t_first reads the band: in the common case every
    // quad of tiles lies in one tile row, so each quad's inputs in each phase of a patch
    // row are one run, from even[q] and odd[q] on in patch row 0 (the rows 2 * len apart),
    // which the ISA transposes; else (whole false) each lane reads its own.
    struct Quads {
        bool whole;
        const float* even[4];
        const float* odd[4];
    };

    static Quads quads_of(const Band& band, int64_t tiles_w, int64_t t_first, int64_t end) {
        Quads quads{t_first + L <= end, {}, {}};
        for (int q = 0; q < 4 && quads.whole; ++q) {
            const int64_t t = t_first + q * kQuad;
            quads.whole = t % tiles_w + kQuad <= tiles_w;
            quads.even[q] = band.phase(t / tiles_w, 0, 0) + kTile * (t % tiles_w);
            quads.odd[q] = band.phase(t / tiles_w, 0, 1) + kTile * (t % tiles_w);
        }
        return quads;
    }

    // Patch row r of the group of L tiles from t_first, as x[col] (lanes in tile_of_lane
    // order), from the band; lanes of tiles from `end` on read zeros.
    static void patch_row(const Band& band, const Quads& quads, int64_t tiles_w, int64_t t_first,
                          int64_t end, int r, B (&x)[kSpan]) {
        if (quads.whole) {
            B e[6], o[6];
            tile_columns::TileColumns<A>::load(quads.even, r * 2 * band.len, e);
            tile_columns::TileColumns<A>::load(quads.odd, r * 2 * band.len, o);
            for (int m = 0; m < kEvenPoints; ++m) x[2 * m] = e[m];
            for (int j = 0; j < kTile; ++j) x[2 * j + 1] = o[j];
            return;
        }
        alignas(64) float lanes[kSpan][L];
        for (int l = 0; l < L; ++l) {
            const int64_t t = t_first + tile_of_lane(l);
            for (int col = 0; col < kSpan; ++col) {
                lanes[col][l] =
                    t < end ? band.phase(t / tiles_w, r, col % 2)[kTile * (t % tiles_w) + col / 2]
                            : 0.0f;
            }
        }
        for (int col = 0; col < kSpan; ++col) x[col] = B::load_aligned(lanes[col]);
    }

    // V for the group of L tiles from t_first: v[xi * v_stride] for point xi (rows: the
    // thread's, the tiles transformed along their rows).
    static void input_transform(const Band& band, int64_t tiles_w, int64_t t_first, int64_t end,
                                float* __restrict rows, float* v, int64_t v_stride) {
        const Quads quads = quads_of(band, tiles_w, t_first, end);
        // The next line of each of the 81 slices this call stores to (where the
        // thread's next group, or its next channel's first, goes), fetched now. In a
        // model's run a pass's V (2 MiB for live_base's down.3) has left the cache since
        // the pass that last wrote it, and 81 streams of stores are more than the
        // prefetchers follow: each store waited for its line.
        // live_base's down.3 (swaprun infer --profile, 2 threads, 5 alternating runs)
        // 2.78-2.96 -> 2.28-2.39 ms, with SWAPRUN_DISABLE_AVX512=1 (3 runs) 3.97-4.12
        // -> 3.73-3.80; inswapper_128's down.1 and down.2, whose V outgrows L2 either
        // way, no different. Where V stays in cache from one call to the next, as in
        // kernel_bench's conv2d/live_base_down3_s2, the fetches cost: 2.17 -> 2.35 ms
        // on 2 threads.
        cpu::fetch_next_in_slices(v, kPoints, v_stride);
        // Along each row: rows[r * 9 + q].
        for (int r = 0; r < kSpan; ++r) {
            B x[kSpan], y[kAxisPoints];
            patch_row(band, quads, tiles_w, t_first, end, r, x);
            axis(x, y);
            for (int q = 0; q < kAxisPoints; ++q)
                y[q].store_aligned(rows + (r * kAxisPoints + q) * L);
        }
        // Down each column of points.
        for (int q = 0; q < kAxisPoints; ++q) {
            B x[kSpan], y[kAxisPoints];
            for (int r = 0; r < kSpan; ++r)
                x[r] = B::load_aligned(rows + (r * kAxisPoints + q) * L);
            axis(x, y);
            for (int i = 0; i < kAxisPoints; ++i) {
                y[i].store_aligned(v + (i * kAxisPoints + q) * v_stride);
            }
        }
    }

    // Row P of U (points P * 9 .. P * 9 + 8) of one block of kernels: row P of G9 g, then
    // G9 along it, for every (input channel, kernel) pair of the tap planes g at once;
    // point (P, q) into u[q * slice].
    template <int P>
    static void u_row(const float* __restrict g, int64_t plane, float* __restrict u,
                      int64_t slice) {
        for (int64_t e = 0; e < plane; e += L) {
            B h[3];  // (G9 g)[P][b]
#pragma GCC unroll 3
            for (int b = 0; b < 3; ++b) {
                h[b] =
                    combine<3>([](int a) { return g9(P, a); },
                               [&](int a) { return B::load_aligned(g + (a * 3 + b) * plane + e); });
            }
#pragma GCC unroll 9
            for (int q = 0; q < kAxisPoints; ++q) {
                combine<3>([q](int b) { return g9(q, b); }, [&h](int b) { return h[b]; })
                    .store_aligned(u + q * slice + e);
            }
        }
    }

    template <int P = 0>
    static void u_row(int p, const float* g, int64_t plane, float* u, int64_t slice) {
        if constexpr (P < kAxisPoints) {
            if (p != P) return u_row<P + 1>(p, g, plane, u, slice);
            u_row<P>(g, plane, u, slice);
        }
    }

    // y[i * 4 + j] += AT9[i][P] * (AT9 along the row of points P of m)[j], for one vector
    // of tiles: m[q * m_stride] holds point (P, q), y[e * y_stride] output e.
    template <int P>
    static SWAPRUN_ALWAYS_INLINE void accumulate(const float* m, int64_t m_stride, float* y,
                                                 int64_t y_stride) {
        B z[kTile];
#pragma GCC unroll 4
        for (int j = 0; j < kTile; ++j) {
            z[j] = combine<kAxisPoints>([j](int q) { return at9(j, q); },
                                        [&](int q) { return B::load_aligned(m + q * m_stride); });
        }
#pragma GCC unroll 4
        for (int i = 0; i < kTile; ++i) {
            const double c = at9(i, P);
            if (c == 0.0) continue;
#pragma GCC unroll 4
            for (int j = 0; j < kTile; ++j) {
                float* dst = y + (i * kTile + j) * y_stride;
                const B term = c == 1.0 ? z[j] : z[j] * B(static_cast<float>(c));
                (B::load_aligned(dst) + term).store_aligned(dst);
            }
        }
    }

    template <int P = 0>
    static void accumulate_row(int p, const float* m, int64_t m_stride, float* y,
                               int64_t y_stride) {
        if constexpr (P < kAxisPoints) {
            if (p != P) return accumulate_row<P + 1>(p, m, m_stride, y, y_stride);
            accumulate<P>(m, m_stride, y, y_stride);
        }
    }

    // Output tiles Y (16 slices of y_stride) of output channel k for the group of L tiles
    // from t0 (lanes in tile_of_lane order), plus the bias, activated, into image n's output.
    static void output(const Conv2dParams& p, const float* y, int64_t y_stride, float bias,
                       int64_t t0, int64_t end, float* plane, float* __restrict tmp) {
        const B b(bias);
        B o[kOutputs];
        for (int e = 0; e < kOutputs; ++e) {
            o[e] = direct::detail::activate<A>(B::load_aligned(y + e * y_stride) + b, p.activation);
        }
        // The common case: every quad of tiles lies whole in one tile row of the output,
        // and the ISA transposes each output row of the quads back into it.
        const tile_columns::OutputGroup<L> group{t0, end, tiles_wide(p), p.out_height, p.out_width};
        int64_t quad_y[4], quad_x[4];
        if (group.whole_quads(quad_y, quad_x)) {
            float* quad[4];
            for (int q = 0; q < 4; ++q) quad[q] = plane + quad_y[q] * p.out_width + quad_x[q];
            for (int i = 0; i < kTile; ++i) {
                const B row[kTile] = {o[i * kTile], o[i * kTile + 1], o[i * kTile + 2],
                                      o[i * kTile + 3]};
                tile_columns::TileColumns<A>::store(row, quad, i * p.out_width);
            }
            return;
        }
        for (int e = 0; e < kOutputs; ++e) o[e].store_aligned(tmp + e * L);
        group.each_lane([&](int l, int64_t oy, int64_t ox, int64_t rows, int64_t cols) {
            for (int64_t i = 0; i < rows; ++i) {
                float* dst = plane + (oy + i) * p.out_width + ox;
                for (int64_t j = 0; j < cols; ++j) dst[j] = tmp[(i * kTile + j) * L + l];
            }
        });
    }

    // One pass's tiles [t0, end) of one image, and where its buffers are.
    struct Pass {
        const Args& a;
        const Scratch& s;
        const float* in;  // the image's input
        float* out;       // and output
        int64_t t0, end;

        int64_t count() const { return end - t0; }
        int64_t col_blocks() const { return (count() + kCols - 1) / kCols; }
        int64_t groups() const { return col_blocks() * NR; }  // zero tiles to whole columns
        float* v() const { return a.scratch; }
        float* y(int64_t k) const { return a.scratch + s.y_at() + k * kOutputs * a.block; }
    };

    // V for input channel c, all the pass's tiles (rows, band: the thread's).
    static void transform_channel(const Pass& pass, int64_t c, float* rows, float* band_rows) {
        const Conv2dParams& p = *pass.a.p;
        const int64_t tiles_w = tiles_wide(p);
        const Band band{band_rows, pass.t0 / tiles_w, phase_len(p)};
        const int64_t plane = p.in_height * p.in_width;
        const float* in = pass.in + c * plane;
        fill_band(p, in, c + 1 < p.in_channels ? in + plane : nullptr, (pass.end - 1) / tiles_w,
                  band);
        for (int64_t g = 0; g < pass.groups(); ++g) {
            input_transform(band, tiles_w, pass.t0 + g * L, pass.end, rows,
                            pass.v() + c * pass.a.block + g * L, pass.s.v_stride);
        }
    }

    // Row of points pr of block kb of output channels into its output tiles (u, m: the
    // thread's row of U and of M).
    static void multiply_row(const Pass& pass, int pr, int64_t kb, float* u, float* m) {
        const Conv2dParams& p = *pass.a.p;
        const int64_t block = pass.a.block, in_c = p.in_channels;
        const int64_t plane = g_plane_floats(in_c, MR), slice = u_slice(p, MR);
        u_row(pr, pass.a.g + kb * 9 * plane, plane, u, slice);
        for (int q = 0; q < kAxisPoints; ++q) {
            const float* v = pass.v() + (pr * kAxisPoints + q) * pass.s.v_stride;
            for (int64_t cb = 0; cb < pass.col_blocks(); ++cb) {
                winograd_gemm::gemm_tile<A, MR, NR>(u + q * slice, v + cb * kCols, in_c, block,
                                                    m + q * MR * block + cb * kCols, block);
            }
        }
        for (int r = 0; r < MR; ++r) {
            float* y = pass.y(kb * MR + r);
            for (int64_t g = 0; g < pass.groups(); ++g) {
                accumulate_row(pr, m + r * block + g * L, MR * block, y + g * L, block);
            }
        }
    }

    // The output tiles of block kb into the output (tmp: the thread's, 16 vectors).
    static void write_block(const Pass& pass, int64_t kb, float* tmp) {
        const Conv2dParams& p = *pass.a.p;
        const int64_t out_plane = p.out_height * p.out_width;
        for (int64_t k = kb * MR; k < std::min<int64_t>(p.out_channels, (kb + 1) * MR); ++k) {
            for (int64_t g = 0; g * L < pass.count(); ++g) {
                output(p, pass.y(k) + g * L, pass.a.block, pass.a.bias[k], pass.t0 + g * L,
                       pass.end, pass.out + k * out_plane, tmp);
            }
        }
    }

    static void run(const Args& a) {
        const Conv2dParams& p = *a.p;
        const int64_t in_c = p.in_channels, out_c = p.out_channels;
        const int64_t k_blocks = winograd_s2::k_blocks(p, MR);
        const int64_t all_tiles = tiles(p), block = a.block;
        const Scratch s = scratch_plan(p, block, k_blocks * MR, MR, L);
#pragma omp parallel num_threads(a.threads)
        {
            const int t = omp_get_thread_num(), nt = omp_get_num_threads();
            float* const m = a.scratch + s.thread_at(t);  // [q][r][block]
            float* const u = m + cpu::whole_lines(kAxisPoints * MR * block);
            float* const rows = u + kAxisPoints * u_slice(p, MR);  // [r][q][lane]
            float* const tmp = rows + kPoints * L;                 // [output][lane]
            float* const band = rows + cpu::whole_lines((kPoints + kOutputs) * L);
            // The thread's blocks of output channels: the same in every pass, so that
            // their output tiles stay in its cache from one row of points to the next.
            const int64_t kb_begin = k_blocks * t / nt, kb_end = k_blocks * (t + 1) / nt;
            for (int64_t n = 0; n < p.batch; ++n) {
                for (int64_t t0 = 0; t0 < all_tiles; t0 += block) {
                    const Pass pass{a,
                                    s,
                                    a.input + n * in_c * p.in_height * p.in_width,
                                    a.output + n * out_c * p.out_height * p.out_width,
                                    t0,
                                    std::min(all_tiles, t0 + block)};
#pragma omp for schedule(static)
                    for (int64_t c = 0; c < in_c; ++c) transform_channel(pass, c, rows, band);
                    // (the barrier at the end of the for: V is whole)
                    for (int64_t kb = kb_begin; kb < kb_end; ++kb) {
                        std::memset(pass.y(kb * MR), 0, sizeof(float) * MR * kOutputs * block);
                    }
                    for (int pr = 0; pr < kAxisPoints; ++pr) {
                        for (int64_t kb = kb_begin; kb < kb_end; ++kb) {
                            multiply_row(pass, pr, kb, u, m);
                        }
                    }
                    for (int64_t kb = kb_begin; kb < kb_end; ++kb) write_block(pass, kb, tmp);
#pragma omp barrier  // the next pass's input transform overwrites V
                }
            }
        }
    }
};

template <class A, int MR, int NR>
Kernels make_kernels(const char* name) {
    using I = Impl<A, MR, NR>;
    return Kernels{name, I::L, MR, NR, &I::run};
}

}  // namespace swaprun::kernels::winograd_s2::detail
