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
#include "kernels/winograd.h"

namespace swaprun::kernels::winograd::detail {

template <class A, int MR, int NR>
struct Impl {
    static int64_t point_stride(int64_t floats) { return floats + kSlicePad; }

    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);

    // The 6x6 input patch of L consecutive tiles as d[(i * 6 + j) * L + lane].
    // Interior patches are read directly; border ones through the pad-mode index
    // function (so the input is never copied), and lanes past the last tile read
    // zeros.
    static void gather(const Conv2dParams& p, const float* plane, int64_t tiles_w, int64_t tiles,
                       int64_t t_first, float* d) {
        const int64_t h = p.in_height, w = p.in_width;
        // The common case: all L tiles in one tile row and inside the image, so
        // lane l's patch starts 4 * l columns after lane 0's.
        if (t_first + L <= tiles && t_first / tiles_w == (t_first + L - 1) / tiles_w) {
            const int64_t y0 = (t_first / tiles_w) * kTile - p.pad_top;
            const int64_t x0 = (t_first % tiles_w) * kTile - p.pad_left;
            const int64_t x_last = x0 + (L - 1) * kTile;
            if (y0 >= 0 && y0 + 6 <= h && x0 >= 0 && x_last + 6 <= w) {
                for (int i = 0; i < 6; ++i) {
                    const float* src = plane + (y0 + i) * w + x0;
                    for (int j = 0; j < 6; ++j) {
                        float* dst = d + (i * 6 + j) * L;
                        for (int l = 0; l < L; ++l) dst[l] = src[l * kTile + j];
                    }
                }
                return;
            }
        }
        for (int l = 0; l < L; ++l) {
            const int64_t t = t_first + l;
            if (t >= tiles) {
                for (int k = 0; k < 36; ++k) d[k * L + l] = 0.0f;
                continue;
            }
            const int64_t y0 = (t / tiles_w) * kTile - p.pad_top;
            const int64_t x0 = (t % tiles_w) * kTile - p.pad_left;
            if (y0 >= 0 && y0 + 6 <= h && x0 >= 0 && x0 + 6 <= w) {
                const float* src = plane + y0 * w + x0;
                for (int i = 0; i < 6; ++i) {
                    for (int j = 0; j < 6; ++j) d[(i * 6 + j) * L + l] = src[i * w + j];
                }
                continue;
            }
            int64_t rows[6], cols[6];
            for (int i = 0; i < 6; ++i) {
                rows[i] = cpu::map_index(y0 + i, h, p.pad_mode);
                cols[i] = cpu::map_index(x0 + i, w, p.pad_mode);
            }
            for (int i = 0; i < 6; ++i) {
                for (int j = 0; j < 6; ++j) {
                    d[(i * 6 + j) * L + l] =
                        rows[i] < 0 || cols[j] < 0 ? 0.0f : plane[rows[i] * w + cols[j]];
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

    static void input_transform(const Conv2dParams& p, const float* plane, int64_t tiles_w,
                                int64_t tiles, int64_t t_first, float* v, int64_t point_stride) {
        alignas(64) float d[36 * L];
        gather(p, plane, tiles_w, tiles, t_first, d);
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
        alignas(64) float o[16 * L];
        const B b(bias);
        for (int i = 0; i < 4; ++i) {
            B y[4];
            at(t[i], y);
            for (int j = 0; j < 4; ++j) {
                direct::detail::activate<A>(y[j] + b, p.activation)
                    .store_aligned(o + (i * 4 + j) * L);
            }
        }
        const int64_t oh = p.out_height, ow = p.out_width;
        for (int l = 0; l < L; ++l) {
            const int64_t t = t_first + l;
            if (t >= tiles) break;
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
        const int64_t in_plane = p.in_height * p.in_width;
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
#pragma omp parallel num_threads(a.threads)
                {
#pragma omp for schedule(static)
                    for (int64_t item = 0; item < in_c * groups_in; ++item) {
                        const int64_t c = item / groups_in, g = item % groups_in;
                        input_transform(p, in + c * in_plane, tiles_w, a.tiles, t0 + g * L,
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
