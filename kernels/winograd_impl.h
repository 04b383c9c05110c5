// Bodies of the Winograd F(4x4, 3x3) stages, templates over the xsimd
// architecture. Included only by the per-ISA translation units
// (winograd_avx2.cpp, winograd_avx512.cpp, winograd_neon.cpp), each compiled
// for its ISA. See winograd.h for the data layout.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct_impl.h"
#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
#include "kernels/winograd.h"

namespace swaprun::kernels::winograd::detail {

// Columns 0 to 5 of one patch row of the L tiles of a group, in tile_of_lane order:
// c[j] lane 4 * k + q = quad[q][offset + 4 * k + j], where quad[q] is the patch of
// the first of the L / 4 consecutive tiles of quad q (their patches 4 floats apart).
// Reads quad[q][offset .. offset + L + 3]. This is the portable version; an ISA
// file specializes it with its transposes before it instantiates Impl.
template <class A>
struct TileColumns {
    using B = xsimd::batch<float, A>;
    static void load(const float* const (&quad)[4], int64_t offset, B (&c)[6]) {
        constexpr int L = static_cast<int>(B::size);
        alignas(64) float lanes[L];
        for (int j = 0; j < 6; ++j) {
            for (int l = 0; l < L; ++l) lanes[l] = quad[l % 4][offset + 4 * (l / 4) + j];
            c[j] = B::load_aligned(lanes);
        }
    }
    // The inverse, for output rows: quad[q][offset + 4 * k + j] = c[j] lane 4 * k + q
    // for j < 4 (writes quad[q][offset .. offset + L - 1]).
    static void store(const B (&c)[4], float* const (&quad)[4], int64_t offset) {
        constexpr int L = static_cast<int>(B::size);
        alignas(64) float lanes[4][L];
        for (int j = 0; j < 4; ++j) c[j].store_aligned(lanes[j]);
        for (int l = 0; l < L; ++l) {
            for (int j = 0; j < 4; ++j) quad[l % 4][offset + 4 * (l / 4) + j] = lanes[j][l];
        }
    }
};

// TileColumns by 4x4 transposes within 128-bit lanes, for ISAs whose vectors are
// whole 128-bit lanes with per-lane unpack and shuffle (AVX2, AVX-512). Each load of
// L floats from a quad holds L / 4 tiles, one per lane, four columns each; after
// unpacking pairs of loads and shuffling the pairs, column j of tile k of quad q sits
// in lane 4 * k + q, the order tile_of_lane gives. Columns 4 and 5 are columns 0 and
// 1 of the same loads 4 floats on. The transpose is its own inverse, so store() puts
// output rows back with it. Ops supplies the ISA's register type and intrinsics:
// loadu, storeu, unpacklo, unpackhi, and shuffle<imm> (imm as _MM_SHUFFLE gives it).
template <class A, class Ops>
struct LaneTransposedTileColumns {
    using B = xsimd::batch<float, A>;
    using R = typename Ops::Register;

    // (a0, a1, a2, a3) -> the columns (c0, c1, c2, c3), lane by lane.
    static SWAPRUN_ALWAYS_INLINE void transpose(const R (&a)[4], R (&c)[4]) {
        const R lo01 = Ops::unpacklo(a[0], a[1]), lo23 = Ops::unpacklo(a[2], a[3]);
        const R hi01 = Ops::unpackhi(a[0], a[1]), hi23 = Ops::unpackhi(a[2], a[3]);
        c[0] = Ops::template shuffle<0x44>(lo01, lo23);  // _MM_SHUFFLE(1, 0, 1, 0)
        c[1] = Ops::template shuffle<0xEE>(lo01, lo23);  // _MM_SHUFFLE(3, 2, 3, 2)
        c[2] = Ops::template shuffle<0x44>(hi01, hi23);
        c[3] = Ops::template shuffle<0xEE>(hi01, hi23);
    }

    static void load(const float* const (&quad)[4], int64_t offset, B (&c)[6]) {
        R a[4], next[4], cols[4], next_cols[4];
        for (int q = 0; q < 4; ++q) {
            a[q] = Ops::loadu(quad[q] + offset);
            next[q] = Ops::loadu(quad[q] + offset + 4);
        }
        transpose(a, cols);
        transpose(next, next_cols);  // (its columns 2 and 3 go unused)
        for (int j = 0; j < 4; ++j) c[j] = B(cols[j]);
        c[4] = B(next_cols[0]);
        c[5] = B(next_cols[1]);
    }

    static void store(const B (&c)[4], float* const (&quad)[4], int64_t offset) {
        const R columns[4] = {c[0], c[1], c[2], c[3]};
        R rows[4];
        transpose(columns, rows);
        for (int q = 0; q < 4; ++q) Ops::storeu(quad[q] + offset, rows[q]);
    }
};

template <class A, int MR, int NR>
struct Impl {
    static int64_t point_stride(int64_t floats) { return floats + kSlicePad; }

    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);

    // Which tile of its group lane l carries (winograd.h): lane 4 * k + q holds tile
    // k of quad q, the quads being the group's 4 runs of L / 4 tiles.
    static_assert(L % 4 == 0, "a group of tiles is 4 quads");
    static constexpr int64_t tile_of_lane(int l) { return (L / 4) * (l % 4) + l / 4; }

    // The rows of the tile block starting at tile t0 (count tiles) of one input
    // channel, padded: band row r, column b is input (y0 + r, b - pad_left), where
    // y0 is the block's first tile row's first input row; the pad mode's values
    // outside the input (map_index, as a direct read would give them); zeros in the
    // columns past the patches. With a.upsample_row, `plane` is the half-size
    // channel, and each row is made in place from the two rows it mixes (tmp: the row
    // function's temporary).
    static void fill_band(const Args& a, const float* plane, int64_t tiles_w, int64_t t0,
                          int64_t count, float* band, float* tmp) {
        const Conv2dParams& p = *a.p;
        const int64_t h = p.in_height, w = p.in_width;
        const int64_t stride = band_stride(tiles_w), cols = 4 * tiles_w + 2;
        const int64_t first_row = t0 / tiles_w, last_row = (t0 + count - 1) / tiles_w;
        const int64_t rows = (last_row - first_row) * kTile + 6;
        const int64_t y0 = first_row * kTile - p.pad_top;
        // Columns [left, right) of the band hold input columns [0, w).
        const int64_t left = std::min(cols, std::max<int64_t>(0, p.pad_left));
        const int64_t right = std::max(left, std::min(cols, w + p.pad_left));
        for (int64_t r = 0; r < rows; ++r) {
            float* dst = band + r * stride;
            const int64_t y = cpu::map_index(y0 + r, h, p.pad_mode);
            if (y < 0) {
                std::fill(dst, dst + stride, 0.0f);
                continue;
            }
            const float* src = nullptr;
            if (a.upsample_row != nullptr) {
                // (reads_upsampled_input: the whole row fits at pad_left.)
                const int64_t half_h = h / 2, half_w = w / 2;
                float* row = dst + p.pad_left;
                a.upsample_row(plane + simd::resize2x_far_row(y, half_h) * half_w,
                               plane + y / 2 * half_w, half_w, tmp, row);
                src = row;
            } else {
                src = plane + y * w;
                std::copy(src + (left - p.pad_left), src + (right - p.pad_left), dst + left);
            }
            for (int64_t b = 0; b < left; ++b) {
                const int64_t x = cpu::map_index(b - p.pad_left, w, p.pad_mode);
                dst[b] = x < 0 ? 0.0f : src[x];
            }
            for (int64_t b = right; b < cols; ++b) {
                const int64_t x = cpu::map_index(b - p.pad_left, w, p.pad_mode);
                dst[b] = x < 0 ? 0.0f : src[x];
            }
            std::fill(dst + cols, dst + stride, 0.0f);
        }
    }

    // The 6x6 input patches of the group of L tiles from t_first, as
    // d[(i * 6 + j) * L + lane], read from the band of the block that starts at tile
    // row first_row and ends before tile block_end; lanes past it read zeros (the
    // band holds no rows for them).
    static void gather(const float* band, int64_t stride, int64_t tiles_w, int64_t first_row,
                       int64_t block_end, int64_t t_first, float* d) {
        auto patch = [&](int64_t t) {
            return band + (t / tiles_w - first_row) * kTile * stride + (t % tiles_w) * kTile;
        };
        // The common case: every quad of tiles lies in one tile row, so each quad's
        // patch rows are contiguous in the band, and the ISA transposes them.
        constexpr int64_t kQuad = L / 4;
        bool whole_quads = t_first + L <= block_end;
        const float* quad[4];
        for (int q = 0; q < 4 && whole_quads; ++q) {
            const int64_t t = t_first + q * kQuad;
            whole_quads = t % tiles_w + kQuad <= tiles_w;
            quad[q] = patch(t);
        }
        if (whole_quads) {
            for (int i = 0; i < 6; ++i) {
                B c[6];
                TileColumns<A>::load(quad, i * stride, c);
                for (int j = 0; j < 6; ++j) c[j].store_aligned(d + (i * 6 + j) * L);
            }
            return;
        }
        for (int l = 0; l < L; ++l) {
            const int64_t t = t_first + tile_of_lane(l);
            const float* src = t < block_end ? patch(t) : nullptr;
            for (int i = 0; i < 6; ++i) {
                for (int j = 0; j < 6; ++j) {
                    d[(i * 6 + j) * L + l] = src == nullptr ? 0.0f : src[i * stride + j];
                }
            }
        }
    }

    // y = B^T x for one 6-vector (of batches).
    static SWAPRUN_ALWAYS_INLINE void bt(const B (&x)[6], B (&y)[6]) {
        const B four(4.0f), five(5.0f), two(2.0f);
        y[0] = xsimd::fma(four, x[0], xsimd::fnma(five, x[2], x[4]));
        y[1] = xsimd::fnma(four, x[1] + x[2], x[3] + x[4]);
        y[2] = xsimd::fma(four, x[1] - x[2], x[4] - x[3]);
        y[3] = xsimd::fma(two, x[3] - x[1], x[4] - x[2]);
        y[4] = xsimd::fma(two, x[1] - x[3], x[4] - x[2]);
        y[5] = xsimd::fma(four, x[1], xsimd::fnma(five, x[3], x[5]));
    }

    // y = A^T x for one 6-vector.
    static SWAPRUN_ALWAYS_INLINE void at(const B (&x)[6], B (&y)[4]) {
        const B s12 = x[1] + x[2], d12 = x[1] - x[2];
        const B s34 = x[3] + x[4], d34 = x[3] - x[4];
        y[0] = x[0] + s12 + s34;
        y[1] = xsimd::fma(B(2.0f), d34, d12);
        y[2] = xsimd::fma(B(4.0f), s34, s12);
        y[3] = xsimd::fma(B(8.0f), d34, d12) + x[5];
    }

    static void input_transform(const float* band, int64_t stride, int64_t tiles_w,
                                int64_t first_row, int64_t block_end, int64_t t_first, float* v,
                                int64_t point_stride) {
        alignas(64) float d[36 * L];
        gather(band, stride, tiles_w, first_row, block_end, t_first, d);
        B t[6][6];
        for (int j = 0; j < 6; ++j) {
            B x[6], y[6];
            for (int i = 0; i < 6; ++i) x[i] = B::load_aligned(d + (i * 6 + j) * L);
            bt(x, y);
            for (int i = 0; i < 6; ++i) t[i][j] = y[i];
        }
        for (int i = 0; i < 6; ++i) {
            B y[6];
            bt(t[i], y);
            for (int j = 0; j < 6; ++j) y[j].store_aligned(v + (i * 6 + j) * point_stride);
        }
    }

    // m[r][n * L ..] = sum_c u[c][r] * v[c][n * L ..] for r < MR, n < NR.
    static void gemm_tile(const float* __restrict u, const float* __restrict v, int64_t channels,
                          int64_t ldv, float* __restrict m, int64_t ldm) {
        B acc[MR][NR];
        for (int r = 0; r < MR; ++r) {
            for (int n = 0; n < NR; ++n) acc[r][n] = B(0.0f);
        }
        for (int64_t c = 0; c < channels; ++c) {
            B x[NR];
            for (int n = 0; n < NR; ++n) x[n] = B::load_aligned(v + c * ldv + n * L);
            const float* uc = u + c * MR;
#pragma GCC unroll 16
            for (int r = 0; r < MR; ++r) {
                const B w(uc[r]);
                for (int n = 0; n < NR; ++n) acc[r][n] = xsimd::fma(w, x[n], acc[r][n]);
            }
        }
        for (int r = 0; r < MR; ++r) {
            for (int n = 0; n < NR; ++n) acc[r][n].store_aligned(m + r * ldm + n * L);
        }
    }

    // U's row i (points i * 6 .. i * 6 + 5) for the mr kernels of one block: row i
    // of G g, then G along it, as G is
    //   [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
    // Every (input channel, kernel) pair takes the same steps, so the loop runs down
    // the tap planes g[tap][c * MR + r] with whole vectors, whatever MR is; point j
    // lands in u[j * slice + c * MR + r], the order the GEMM reads.
    template <int I>
    static void transform_row(const float* __restrict g, int64_t plane, float* __restrict u,
                              int64_t slice) {
        for (int64_t e = 0; e < plane; e += L) {
            B row[3];  // (G g)[I][col]
            for (int col = 0; col < 3; ++col) {
                row[col] = g_row<I>(B::load_aligned(g + col * plane + e),
                                    B::load_aligned(g + (3 + col) * plane + e),
                                    B::load_aligned(g + (6 + col) * plane + e));
            }
            g_row<0>(row[0], row[1], row[2]).store_aligned(u + e);
            g_row<1>(row[0], row[1], row[2]).store_aligned(u + slice + e);
            g_row<2>(row[0], row[1], row[2]).store_aligned(u + 2 * slice + e);
            g_row<3>(row[0], row[1], row[2]).store_aligned(u + 3 * slice + e);
            g_row<4>(row[0], row[1], row[2]).store_aligned(u + 4 * slice + e);
            g_row<5>(row[0], row[1], row[2]).store_aligned(u + 5 * slice + e);
        }
    }

    // Row I of G times (x0, x1, x2).
    template <int I>
    static SWAPRUN_ALWAYS_INLINE B g_row(B x0, B x1, B x2) {
        if constexpr (I == 0) return x0 * B(0.25f);
        if constexpr (I == 1) return (x0 + x2 + x1) * B(-1.0f / 6);
        if constexpr (I == 2) return (x0 + x2 - x1) * B(-1.0f / 6);
        if constexpr (I == 3)
            return xsimd::fma(x0, B(1.0f / 24), x2 * B(1.0f / 6)) + x1 * B(1.0f / 12);
        if constexpr (I == 4)
            return xsimd::fma(x0, B(1.0f / 24), x2 * B(1.0f / 6)) - x1 * B(1.0f / 12);
        return x2;
    }

    static void transform_row(int i, const float* g, int64_t plane, float* u, int64_t slice) {
        switch (i) {
            case 0:
                return transform_row<0>(g, plane, u, slice);
            case 1:
                return transform_row<1>(g, plane, u, slice);
            case 2:
                return transform_row<2>(g, plane, u, slice);
            case 3:
                return transform_row<3>(g, plane, u, slice);
            case 4:
                return transform_row<4>(g, plane, u, slice);
            default:
                return transform_row<5>(g, plane, u, slice);
        }
    }

    static void output_transform(const Conv2dParams& p, const float* m, int64_t point_stride,
                                 float bias, int64_t tiles_w, int64_t tiles, int64_t t_first,
                                 float* plane) {
        B t[4][6];
        for (int j = 0; j < 6; ++j) {
            B x[6], y[4];
            for (int i = 0; i < 6; ++i) x[i] = B::load_aligned(m + (i * 6 + j) * point_stride);
            at(x, y);
            for (int i = 0; i < 4; ++i) t[i][j] = y[i];
        }
        const int64_t oh = p.out_height, ow = p.out_width;
        // The common case: every quad of tiles lies in one tile row and wholly inside
        // the output, so each row of a quad's tiles is L contiguous floats.
        constexpr int64_t kQuad = L / 4;
        bool whole_quads = t_first + L <= tiles;
        float* quad[4];
        for (int q = 0; q < 4 && whole_quads; ++q) {
            const int64_t t = t_first + q * kQuad;
            const int64_t y0 = (t / tiles_w) * kTile, x0 = (t % tiles_w) * kTile;
            whole_quads = x0 + kQuad * kTile <= ow && y0 + kTile <= oh;
            quad[q] = plane + y0 * ow + x0;
        }
        alignas(64) float o[16 * L];
        const B b(bias);
        for (int i = 0; i < 4; ++i) {
            B y[4];
            at(t[i], y);
            for (int j = 0; j < 4; ++j) y[j] = direct::detail::activate<A>(y[j] + b, p.activation);
            if (whole_quads) {
                TileColumns<A>::store(y, quad, i * ow);
            } else {
                for (int j = 0; j < 4; ++j) y[j].store_aligned(o + (i * 4 + j) * L);
            }
        }
        if (whole_quads) return;
        for (int l = 0; l < L; ++l) {
            const int64_t t = t_first + tile_of_lane(l);
            if (t >= tiles) continue;
            const int64_t y0 = (t / tiles_w) * kTile, x0 = (t % tiles_w) * kTile;
            const int rows = static_cast<int>(std::min<int64_t>(kTile, oh - y0));
            const int cols = static_cast<int>(std::min<int64_t>(kTile, ow - x0));
            float* dst = plane + y0 * ow + x0;
            for (int i = 0; i < rows; ++i) {
                for (int j = 0; j < cols; ++j) dst[i * ow + j] = o[(i * 4 + j) * L + l];
            }
        }
    }

    static void run(const Args& a) {
        const Conv2dParams& p = *a.p;
        const int64_t in_c = p.in_channels, out_c = p.out_channels;
        const int64_t tb = a.tile_block, kp = a.k_padded;
        const int64_t tiles_w = (p.out_width + kTile - 1) / kTile;
        const int64_t k_blocks = kp / MR;
        float* const v = a.scratch;
        // Point slices are one cache line more than their size apart: at exact
        // multiples of 4 KiB the 36 stores (and loads) of one transform would all
        // land in the same L1 set.
        const int64_t v_stride = point_stride(in_c * tb), m_stride = point_stride(kp * tb);
        float* const m = v + kPoints * v_stride;
        float* const u_rows = m + kPoints * m_stride;
        float* const bands = u_rows + (a.g != nullptr ? a.threads * u_row_floats(in_c, MR) : 0);
        const int64_t band_size =
            band_floats(p, tb) + (a.upsample_row != nullptr ? upsample_tmp_floats(p) : 0);
        const int64_t stride = band_stride(tiles_w);
        // Floats per channel of the input as given: a quarter when it is read upsampled.
        const int64_t in_plane = a.upsample_row != nullptr ? (p.in_height / 2) * (p.in_width / 2)
                                                           : p.in_height * p.in_width;
        const int64_t out_plane = p.out_height * p.out_width;
        constexpr int64_t kCols = static_cast<int64_t>(L) * NR;  // tiles per micro-kernel

        for (int64_t n = 0; n < p.batch; ++n) {
            const float* in = a.input + n * in_c * in_plane;
            float* out = a.output + n * out_c * out_plane;
            for (int64_t t0 = 0; t0 < a.tiles; t0 += tb) {
                const int64_t count = std::min(tb, a.tiles - t0);
                const int64_t col_blocks = (count + kCols - 1) / kCols;
                const int64_t groups_in = col_blocks * NR;  // zero-filled up to whole blocks
                const int64_t groups_out = (count + L - 1) / L;
                const int64_t first_row = t0 / tiles_w;
#pragma omp parallel num_threads(a.threads)
                {
                    // A thread's items are consecutive, so it fills each of its
                    // channels' band once.
                    float* const band = bands + omp_get_thread_num() * band_size;
                    float* const tmp = band + band_floats(p, tb);  // with upsample_row only
                    int64_t band_channel = -1;
#pragma omp for schedule(static)
                    for (int64_t item = 0; item < in_c * groups_in; ++item) {
                        const int64_t c = item / groups_in, g = item % groups_in;
                        if (c != band_channel) {
                            fill_band(a, in + c * in_plane, tiles_w, t0, count, band, tmp);
                            band_channel = c;
                        }
                        input_transform(band, stride, tiles_w, first_row, t0 + count, t0 + g * L,
                                        v + c * tb + g * L, v_stride);
                    }
                    // M[xi][kb] for one point xi and one block kb of output channels.
                    auto gemm = [&](int64_t xi, int64_t kb, const float* u) {
                        const float* vx = v + xi * v_stride;
                        float* mx = m + xi * m_stride + kb * MR * tb;
                        for (int64_t cb = 0; cb < col_blocks; ++cb) {
                            gemm_tile(u, vx + cb * kCols, in_c, tb, mx + cb * kCols, tb);
                        }
                    };
                    if (a.u != nullptr) {
#pragma omp for schedule(static)
                        for (int64_t item = 0; item < kPoints * k_blocks; ++item) {
                            const int64_t xi = item / k_blocks, kb = item % k_blocks;
                            gemm(xi, kb, a.u + (xi * k_blocks + kb) * in_c * MR);
                        }
                    } else {
                        // One row of U at a time, transformed into this thread's slice.
                        float* const u_row = u_rows + omp_get_thread_num() * u_row_floats(in_c, MR);
                        const int64_t plane = g_plane_floats(in_c, MR);
                        const int64_t slice = u_slice_floats(in_c, MR);
                        // Row-major over (row of U, block), so that a thread's GEMMs
                        // keep reading the same 6 slices of V.
#pragma omp for schedule(static)
                        for (int64_t item = 0; item < 6 * k_blocks; ++item) {
                            const int i = static_cast<int>(item / k_blocks);
                            const int64_t kb = item % k_blocks;
                            transform_row(i, a.g + kb * 9 * plane, plane, u_row, slice);
                            for (int j = 0; j < 6; ++j) gemm(i * 6 + j, kb, u_row + j * slice);
                        }
                    }
#pragma omp for schedule(static)
                    for (int64_t item = 0; item < out_c * groups_out; ++item) {
                        const int64_t k = item / groups_out, g = item % groups_out;
                        output_transform(p, m + k * tb + g * L, m_stride, a.bias[k], tiles_w,
                                         a.tiles, t0 + g * L, out + k * out_plane);
                    }
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

}  // namespace swaprun::kernels::winograd::detail
