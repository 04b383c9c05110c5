// Bodies of the Winograd F(4x4, 3x3) stages, templates over the xsimd
// architecture. Included only by the per-ISA translation units
// (winograd_avx2.cpp, winograd_avx512.cpp, winograd_neon.cpp), each compiled
// for its ISA. See winograd.h for the data layout.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <type_traits>
#include <xsimd/xsimd.hpp>

#include "kernels/conv2d_direct_impl.h"
#include "kernels/cpu_common.h"
#include "kernels/elementwise_simd.h"
#include "kernels/tile_columns.h"
#include "kernels/winograd.h"
#include "kernels/winograd_amx.h"
#include "kernels/winograd_g.h"
#include "kernels/winograd_gemm.h"

namespace swaprun::kernels::winograd::detail {

// The ISA's transposes of tile columns (tile_columns.h), by their name here.
template <class A>
using TileColumns = tile_columns::TileColumns<A>;

template <class A, int MR, int NR>
struct Impl {
    using B = xsimd::batch<float, A>;
    static constexpr int L = static_cast<int>(B::size);

    // Which tile of its group lane l carries (winograd.h, tile_columns.h).
    static constexpr int64_t kQuad = tile_columns::kQuad<L>;
    static constexpr int64_t tile_of_lane(int l) { return tile_columns::tile_of_lane<L>(l); }
    using OutputGroup = tile_columns::OutputGroup<L>;
    static_assert(OutputGroup::kEdge == kTile);

    // The rows of the tile block starting at tile t0 (count tiles) of one input
    // channel, padded: band row r, column b is input (y0 + r, b - pad_left), where
    // y0 is the block's first tile row's first input row; the pad mode's values
    // outside the input (map_index, as a direct read would give them); zeros in the
    // columns past the patches. With a.upsample_row, `plane` is the half-size
    // channel, and each row is made in place from the two rows it mixes (tmp: the row
    // function's temporary).
    // The same rows of next_plane (the channel whose band the thread fills next, or
    // null) are fetched meanwhile: a band's rows are a few short runs of each channel,
    // too short for the prefetchers to follow, and in a model's run the input comes from
    // memory. live_base (swaprun infer --profile, alternating runs): on 2 threads its
    // up.0 to up.2 together 9.68-9.89 -> 9.54-9.76 ms (5 runs); on 1 thread (3 runs)
    // up.1 8.99-9.07 -> 8.71-8.85, up.2 3.99-4.16 -> 3.83-3.99, and down.3, whose
    // fill_band (winograd_s2_impl.h) does the same, 4.56-4.63 -> 4.43-4.49.
    static void fill_band(const Args& a, const float* plane, const float* next_plane,
                          int64_t tiles_w, int64_t t0, int64_t count, float* band, float* tmp) {
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
            if (next_plane != nullptr) {
                // The row this one reads: the nearer of the two it mixes, upsampled.
                const bool half = a.upsample_row != nullptr;
                const int64_t row_floats = half ? w / 2 : w;
                cpu::fetch_lines(next_plane + (half ? y / 2 : y) * row_floats, row_floats);
            }
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
        // The next line of each of the 36 slices this call stores to, fetched now, as
        // the stride-2 layers' input transform does (winograd_s2_impl.h): where U comes
        // from load, its stream evicts V between passes. live_base (swaprun infer
        // --profile, 2 threads, 6 alternating runs): up.1 4.41-4.70 -> 4.26-4.58 ms, the
        // 16 block convolutions 12.52-13.32 -> 12.57-12.79, up.0 2.89-3.05 -> 2.88-2.94.
        cpu::fetch_next_in_slices(v, 36, point_stride);
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

    // U's row i (points i * 6 .. i * 6 + 5) for the mr kernels of one block: row i
    // of G g, then G along it (winograd_g.h).
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

    // The output tiles of one channel of a group before the activation, A^T m A + bias:
    // tile row i's columns j in y[i][j] (lanes: the group's tiles).
    static SWAPRUN_ALWAYS_INLINE void output_tiles(const float* m, int64_t point_stride, float bias,
                                                   B (&y)[4][4]) {
        B t[4][6];
        for (int j = 0; j < 6; ++j) {
            B x[6], r[4];
            for (int i = 0; i < 6; ++i) x[i] = B::load_aligned(m + (i * 6 + j) * point_stride);
            at(x, r);
            for (int i = 0; i < 4; ++i) t[i][j] = r[i];
        }
        const B b(bias);
        for (int i = 0; i < 4; ++i) {
            at(t[i], y[i]);
            for (int j = 0; j < 4; ++j) y[i][j] += b;
        }
    }

    // The output tiles of group t_first, those before tile `end` (the pass's), into
    // plane, which holds the output's rows from row0 on (all of them: 0; a band of them
    // in a pair: run_band).
    static void output_transform(const Conv2dParams& p, const float* m, int64_t point_stride,
                                 float bias, int64_t tiles_w, int64_t end, int64_t t_first,
                                 float* plane, int64_t row0) {
        B y[4][4];
        output_tiles(m, point_stride, bias, y);
        const int64_t ow = p.out_width;
        // The common case: the quads lie whole in the output, and the ISA transposes
        // each row of their tiles back into it.
        const OutputGroup group{t_first, end, tiles_w, p.out_height, ow};
        int64_t quad_y[4], quad_x[4];
        const bool whole_quads = group.whole_quads(quad_y, quad_x);
        float* quad[4];
        for (int q = 0; q < 4 && whole_quads; ++q) {
            quad[q] = plane + (quad_y[q] - row0) * ow + quad_x[q];
        }
        alignas(64) float o[16 * L];
        for (int i = 0; i < 4; ++i) {
            for (int j = 0; j < 4; ++j)
                y[i][j] = direct::detail::activate<A>(y[i][j], p.activation);
            if (whole_quads) {
                TileColumns<A>::store(y[i], quad, i * ow);
            } else {
                for (int j = 0; j < 4; ++j) y[i][j].store_aligned(o + (i * 4 + j) * L);
            }
        }
        if (whole_quads) return;
        group.each_lane([&](int l, int64_t y0, int64_t x0, int64_t rows, int64_t cols) {
            float* dst = plane + (y0 - row0) * ow + x0;
            for (int64_t i = 0; i < rows; ++i) {
                for (int64_t j = 0; j < cols; ++j) dst[i * ow + j] = o[(i * 4 + j) * L + l];
            }
        });
    }

    // A vector of zeros but for lane l, which holds v. Made in registers: written to
    // memory as a vector of zeros and one float, then loaded whole, it cannot be
    // forwarded from the two stores, and the load waits for both to reach the cache
    // (perf: a third of the Polyphase output stage's samples on the instruction after
    // it, in live_base).
    static SWAPRUN_ALWAYS_INLINE B lane_only(int l, float v) {
        alignas(64) static constexpr float kLaneIndex[] = {0, 1, 2,  3,  4,  5,  6,  7,
                                                           8, 9, 10, 11, 12, 13, 14, 15};
        static_assert(L <= 16);
        const B index = B::load_aligned(kLaneIndex);
        return xsimd::select(index == B(static_cast<float>(l)), B(v), B(0.0f));
    }

    // The output tiles of group t_first (those before tile `end`) of image n of a
    // Polyphase layer's stacked channels (2a) * out_c + o and (2a + 1) * out_c + o, from their M
    // (m0, m1) and biases, into the layer's channel o, whose rows from row0 on plane holds
    // (PhaseOutput): stacked pixel (y, x) of phase (a, b) is the layer's (2y + a,
    // 2x + b). Each value takes the same steps, whichever path stores it, so the
    // output is the same whatever the tile blocks and thread count: the bias, the
    // border corrections (row first, then column), the activation.
    static void output_phases(const Args& args, int64_t n, const float* m0, const float* m1,
                              int64_t point_stride, float bias0, float bias1, int64_t tiles_w,
                              int64_t end, int64_t t_first, int a, int64_t o, float* plane,
                              int64_t row0) {
        const PhaseOutput& ph = *args.phases;
        const Conv2dParams& p = *args.p;  // the stacked convolution's
        const int64_t h = p.out_height, w = p.out_width, oh = 2 * h, ow = 2 * w;
        const int64_t image = n * ph.image_floats;
        const float* top = ph.top + image + o * ow;
        const float* bottom = ph.bottom + image + o * ow;
        const float* left = ph.left + image + o * oh;
        const float* right = ph.right + image + o * oh;
        B y[2][4][4];  // [b][tile row][column]
        output_tiles(m0, point_stride, bias0, y[0]);
        output_tiles(m1, point_stride, bias1, y[1]);
        // The common case, as output_transform's: the quads lie whole in the image.
        const OutputGroup group{t_first, end, tiles_w, h, w};  // in stacked pixels
        int64_t quad_y[4], quad_x[4];
        if (group.whole_quads(quad_y, quad_x)) {
            for (int i = 0; i < 4; ++i) {
                B rows[2][4];  // rows[b][q]: the L stacked pixels of quad q's row i
                TileColumns<A>::rows(y[0][i], rows[0]);
                TileColumns<A>::rows(y[1][i], rows[1]);
                for (int q = 0; q < 4; ++q) {
                    const int64_t oy = 2 * (quad_y[q] + i) + a, ox = 2 * quad_x[q];
                    B lo, hi;  // the layer's pixels ox .. ox + 2L - 1 of row oy
                    TileColumns<A>::zip(rows[0][q], rows[1][q], lo, hi);
                    if (oy == 0 || oy == oh - 1) {
                        const float* fix = (oy == 0 ? top : bottom) + ox;
                        lo -= B::load_unaligned(fix);
                        hi -= B::load_unaligned(fix + L);
                    }
                    if (ox == 0) lo -= lane_only(0, left[oy]);
                    if (ox + 2 * L == ow) hi -= lane_only(L - 1, right[oy]);
                    float* dst = plane + (oy - row0) * ow + ox;
                    direct::detail::activate<A>(lo, ph.activation).store_unaligned(dst);
                    direct::detail::activate<A>(hi, ph.activation).store_unaligned(dst + L);
                }
            }
            return;
        }
        // Lane by lane: the values into v[b][i][j] lane l, corrected there, activated as
        // vectors, then stored.
        alignas(64) float v[2][4][4][L];
        for (int b = 0; b < 2; ++b) {
            for (int i = 0; i < 4; ++i) {
                for (int j = 0; j < 4; ++j) y[b][i][j].store_aligned(v[b][i][j]);
            }
        }
        auto each_pixel = [&](auto&& f) {
            group.each_lane([&](int l, int64_t y0, int64_t x0, int64_t rows, int64_t cols) {
                for (int64_t i = 0; i < rows; ++i) {
                    for (int64_t j = 0; j < cols; ++j) {
                        for (int b = 0; b < 2; ++b) {
                            f(v[b][i][j][l], 2 * (y0 + i) + a, 2 * (x0 + j) + b);
                        }
                    }
                }
            });
        };
        each_pixel([&](float& value, int64_t oy, int64_t ox) {
            if (oy == 0) value -= top[ox];
            if (oy == oh - 1) value -= bottom[ox];
            if (ox == 0) value -= left[oy];
            if (ox == ow - 1) value -= right[oy];
        });
        for (int b = 0; b < 2; ++b) {
            for (int i = 0; i < 4; ++i) {
                for (int j = 0; j < 4; ++j) {
                    direct::detail::activate<A>(B::load_aligned(v[b][i][j]), ph.activation)
                        .store_aligned(v[b][i][j]);
                }
            }
        }
        each_pixel(
            [&](float& value, int64_t oy, int64_t ox) { plane[(oy - row0) * ow + ox] = value; });
    }

    static constexpr int64_t kCols = static_cast<int64_t>(L) * NR;  // tiles per micro-kernel

    // Floats per channel of the input as given: a quarter of p's when it is read
    // upsampled.
    static int64_t input_plane(const Args& a) {
        const Conv2dParams& p = *a.p;
        return a.upsample_row != nullptr ? (p.in_height / 2) * (p.in_width / 2)
                                         : p.in_height * p.in_width;
    }

    // One pass of the three stages over the tiles [t0, t0 + count) of one image, as
    // work items that the two schedules (run) hand out: each item writes its own part
    // of V, M or the output, so items of one stage run in any order and in parallel.
    struct Pass {
        const Args& a;
        const float* in;  // the image's input
        float* out;       // and output: its rows from row0 on, channel_stride apart
        int64_t channel_stride, row0;
        float* v;  // V: kPoints slices of in_c x block, v_stride apart
        float* m;  // M: kPoints slices of k_padded x block, m_stride apart
        int64_t block, v_stride, m_stride;
        int64_t tiles_w, t0, count;
        int64_t image;  // n, of in and out

        int64_t col_blocks() const { return (count + kCols - 1) / kCols; }
        int64_t groups_in() const { return col_blocks() * NR; }  // zero-filled to whole blocks
        int64_t groups_out() const { return (count + L - 1) / L; }
        int64_t k_blocks() const { return a.k_padded / MR; }

        // V for input channel c, tile group g; band holds channel band_channel's rows.
        void input(int64_t c, int64_t g, float* band, float* tmp, int64_t& band_channel) const {
            if (c != band_channel) {
                const int64_t floats = input_plane(a);
                const float* plane = in + c * floats;
                const float* next = c + 1 < a.p->in_channels ? plane + floats : nullptr;
                fill_band(a, plane, next, tiles_w, t0, count, band, tmp);
                band_channel = c;
            }
            input_transform(band, band_stride(tiles_w), tiles_w, t0 / tiles_w, t0 + count,
                            t0 + g * L, v + c * block + g * L, v_stride);
        }

        // M[xi][kb] for one point xi and one block kb of output channels, from U's
        // slice u for them, fetching `ahead` meanwhile.
        void gemm(int64_t xi, int64_t kb, const float* u, Prefetch ahead) const {
            const float* vx = v + xi * v_stride;
            float* mx = m + xi * m_stride + kb * MR * block;
            for (int64_t cb = 0; cb < col_blocks(); ++cb) {
                winograd_gemm::gemm_tile_fetching<A, MR, NR>(u, vx + cb * kCols, a.p->in_channels,
                                                             block, mx + cb * kCols, block,
                                                             ahead.share(col_blocks(), cb));
            }
        }

        // M[xi][kb] from U made per run: row i of U (points i * 6 .. i * 6 + 5) of
        // block kb, transformed into u_row first. The next block's kernels (the next
        // item in every order that calls this) are fetched meanwhile.
        void gemm_row(int i, int64_t kb, float* u_row) const {
            const int64_t in_c = a.p->in_channels;
            const int64_t plane = g_plane_floats(in_c, MR), slice = u_slice_floats(in_c, MR);
            transform_row(i, kernels_of(kb), plane, u_row, slice);
            const auto next =
                Prefetch::of(kernels_of((kb + 1) % k_blocks()), 9 * plane * sizeof(float));
            for (int j = 0; j < 6; ++j) gemm(i * 6 + j, kb, u_row + j * slice, next.share(6, j));
        }

        // The 3x3 kernels of block kb of output channels, for U made per run.
        const float* kernels_of(int64_t kb) const {
            return a.g + kb * 9 * g_plane_floats(a.p->in_channels, MR);
        }

        // M[xi][kb] from U from load. Its slices lie in the order of every loop that
        // calls this, so the slice after (xi, kb)'s (the first after the last) is fetched
        // meanwhile.
        void gemm_u(int64_t xi, int64_t kb) const {
            const int64_t slice = a.p->in_channels * MR, slices = kPoints * k_blocks();
            const int64_t index = xi * k_blocks() + kb;
            gemm(xi, kb, a.u + index * slice,
                 Prefetch::of(a.u + (index + 1) % slices * slice, slice * sizeof(float)));
        }

        // The GEMMs on AMX tiles (Args::amx), in work items of winograd_amx::kChunk
        // output channels; each thread packs B for the points its items read, into
        // b (its scratch), once per point or row of points (packed: which one b holds).
        int64_t amx_chunks() const {
            return (a.p->out_channels + winograd_amx::kChunk - 1) / winograd_amx::kChunk;
        }
        int64_t amx_tiles() const { return col_blocks() * kCols; }
        int64_t amx_b_words() const { return winograd_amx::b_words(a.p->in_channels, amx_tiles()); }
        void amx_pack(int64_t xi, uint16_t* b) const {
            winograd_amx::pack_v(v + xi * v_stride, a.p->in_channels, block, amx_tiles(), b);
        }
        void amx_gemm(int64_t xi, int64_t k0, int64_t count, const uint16_t* u,
                      const uint16_t* b) const {
            winograd_amx::gemm(u, count, b, a.p->in_channels, amx_tiles(),
                               m + xi * m_stride + k0 * block, block);
        }
        // M[xi] for one chunk of output channels, U from load.
        void amx_point(int64_t xi, int64_t chunk, uint16_t* b, int64_t& packed) const {
            const int64_t in_c = a.p->in_channels, out_c = a.p->out_channels;
            const int64_t k0 = chunk * winograd_amx::kChunk;
            if (packed != xi) {
                amx_pack(xi, b);
                packed = xi;
            }
            const uint16_t* u =
                a.u_amx + xi * winograd_amx::a_words(out_c, in_c) + winograd_amx::a_words(k0, in_c);
            amx_gemm(xi, k0, std::min(winograd_amx::kChunk, out_c - k0), u, b);
        }
        // M for the 6 points of row i of U made per run, one chunk of output channels:
        // that chunk's part of the row made into u first.
        void amx_row(int i, int64_t chunk, uint16_t* u, uint16_t* b, int64_t& packed) const {
            const int64_t in_c = a.p->in_channels, out_c = a.p->out_channels;
            const int64_t k0 = chunk * winograd_amx::kChunk;
            const int64_t count = std::min(winograd_amx::kChunk, out_c - k0);
            winograd_amx::make_u_row(a.g, out_c, in_c, i, k0, count, u);
            if (packed != i) {
                for (int j = 0; j < 6; ++j) amx_pack(i * 6 + j, b + j * amx_b_words());
                packed = i;
            }
            for (int j = 0; j < 6; ++j) {
                amx_gemm(i * 6 + j, k0, count, u + j * winograd_amx::a_words(count, in_c),
                         b + j * amx_b_words());
            }
        }

        // The output stage's items per tile group: its output channels, or, for a
        // Polyphase layer's stacked convolution, the layer's channels' two rows of
        // phases (PhaseOutput).
        int64_t output_items() const {
            return a.phases != nullptr ? 2 * a.phases->out_channels : a.p->out_channels;
        }
        // Item k (output channel k, or row of phases k) of tile group g.
        void output(int64_t k, int64_t g) const {
            if (a.phases != nullptr) {
                const int64_t out_c = a.phases->out_channels;
                const int phase_row = static_cast<int>(k / out_c);
                const int64_t o = k % out_c, k0 = 2 * phase_row * out_c + o, k1 = k0 + out_c;
                output_phases(a, image, m + k0 * block + g * L, m + k1 * block + g * L, m_stride,
                              a.bias[k0], a.bias[k1], tiles_w, t0 + count, t0 + g * L, phase_row, o,
                              out + o * channel_stride, row0);
                return;
            }
            output_transform(*a.p, m + k * block + g * L, m_stride, a.bias[k], tiles_w, t0 + count,
                             t0 + g * L, out + k * channel_stride, row0);
        }
    };

    // Output rows per row of stacked rows: 2 for PhaseOutput, else 1.
    static int64_t row_scale(const Args& a) { return a.phases != nullptr ? 2 : 1; }

    static void run(const Args& a) {
        if (a.amx && !kAmx) throw std::logic_error("winograd: AMX tiles on a kernel without them");
        const Conv2dParams& p = *a.p;
        const Scratch s =
            scratch_plan(p, a.tiles, a.tile_block, a.k_padded, MR, kCols, a.g != nullptr,
                         a.upsample_row != nullptr, a.private_tiles, a.amx, a.threads);
        if (a.private_tiles) {
            run_private(a, s);
        } else {
            run_shared(a, s);
        }
    }

    static const float* image_input(const Args& a, int64_t n) {
        return a.input + n * a.p->in_channels * input_plane(a);
    }
    static float* image_output(const Args& a, int64_t n) {
        const Conv2dParams& p = *a.p;
        return a.output + n * p.out_channels * p.out_height * p.out_width;  // PhaseOutput's too
    }
    // Floats of one output channel: of the layer's, for PhaseOutput.
    static int64_t plane_floats(const Args& a) {
        const int64_t scale = row_scale(a);
        return scale * a.p->out_height * scale * a.p->out_width;
    }

    // AMX only for the AVX-512 instantiation, which Args::amx is set for.
#if SWAPRUN_WINOGRAD_X86
    static constexpr bool kAmx = std::is_same_v<A, xsimd::avx512f>;
#else
    static constexpr bool kAmx = false;
#endif

    // The GEMMs on AMX tiles of items [begin, end) of a pass (amx_point's, U from load,
    // or amx_row's), in one thread's scratch: amx at Scratch::amx_at().
    static void amx_items(const Pass& pass, int64_t begin, int64_t end, float* amx) {
        if constexpr (kAmx) {
            const winograd_amx::TileSession tiles;
            const int64_t chunks = pass.amx_chunks();
            int64_t packed = -1;
            if (pass.a.u_amx != nullptr) {
                uint16_t* b = reinterpret_cast<uint16_t*>(amx);
                for (int64_t item = begin; item < end; ++item) {
                    pass.amx_point(item / chunks, item % chunks, b, packed);
                }
            } else {
                uint16_t* u = reinterpret_cast<uint16_t*>(amx);
                uint16_t* b =
                    u + 6 * winograd_amx::a_words(winograd_amx::kChunk, pass.a.p->in_channels);
                for (int64_t item = begin; item < end; ++item) {
                    pass.amx_row(static_cast<int>(item / chunks), item % chunks, u, b, packed);
                }
            }
        }
    }
    static int64_t amx_item_count(const Pass& pass) {
        return (pass.a.u_amx != nullptr ? kPoints : 6) * pass.amx_chunks();
    }

    // The three stages of one pass, by one thread (band, tmp, u_row, amx: its scratch).
    static void run_pass(const Pass& pass, float* band, float* tmp, float* u_row, float* amx) {
        const Conv2dParams& p = *pass.a.p;
        int64_t band_channel = -1;
        for (int64_t c = 0; c < p.in_channels; ++c) {
            for (int64_t g = 0; g < pass.groups_in(); ++g) {
                pass.input(c, g, band, tmp, band_channel);
            }
        }
        // Point-major (row-of-U-major), as run_shared's items go: the slices of V that
        // a point's GEMMs read stay in L1 from one block of output channels to the next.
        if (pass.a.amx) {
            amx_items(pass, 0, amx_item_count(pass), amx);
        } else if (pass.a.u != nullptr) {
            for (int xi = 0; xi < kPoints; ++xi) {
                for (int64_t kb = 0; kb < pass.k_blocks(); ++kb) pass.gemm_u(xi, kb);
            }
        } else {
            for (int i = 0; i < 6; ++i) {
                for (int64_t kb = 0; kb < pass.k_blocks(); ++kb) pass.gemm_row(i, kb, u_row);
            }
        }
        for (int64_t k = 0; k < pass.output_items(); ++k) {
            for (int64_t g = 0; g < pass.groups_out(); ++g) pass.output(k, g);
        }
    }

    // Each thread runs all three stages on its own run of tiles (whole micro-kernel
    // columns; the threads' runs split the image evenly), a block at a time, in its
    // own V and M: no barriers, and nothing another thread wrote is read.
    static void run_private(const Args& a, const Scratch& s) {
        const Conv2dParams& p = *a.p;
        const int64_t tiles_w = (p.out_width + kTile - 1) / kTile;
        const int64_t units = (a.tiles + kCols - 1) / kCols;
#pragma omp parallel num_threads(a.threads)
        {
            const int t = omp_get_thread_num(), nt = omp_get_num_threads();
            float* const mine = a.scratch + s.thread_base(t);
            const int64_t begin = std::min(a.tiles, units * t / nt * kCols);
            const int64_t end = std::min(a.tiles, units * (t + 1) / nt * kCols);
            for (int64_t n = 0; n < p.batch; ++n) {
                for (int64_t t0 = begin; t0 < end; t0 += s.block) {
                    const Pass pass{a,
                                    image_input(a, n),
                                    image_output(a, n),
                                    plane_floats(a),
                                    0,
                                    mine + s.private_v(),
                                    mine + s.private_m(),
                                    s.block,
                                    s.v_stride,
                                    s.m_stride,
                                    tiles_w,
                                    t0,
                                    std::min(s.block, end - t0),
                                    n};
                    run_pass(pass, mine + s.band_at(), mine + s.tmp_at(), mine + s.u_row_at(),
                             mine + s.amx_at());
                }
            }
        }
    }

    // What run_band takes of the thread's scratch: a pass of one row of tiles, in
    // whole micro-kernel columns.
    static Scratch band_plan(const Args& a) {
        const Conv2dParams& p = *a.p;
        const int64_t tiles_w = (p.out_width + kTile - 1) / kTile;
        return scratch_plan(p, a.tiles, (tiles_w + kCols - 1) / kCols * kCols, a.k_padded, MR,
                            kCols, false, a.upsample_row != nullptr, true, a.amx, 1);
    }

    static int64_t band_scratch_floats(const Args& a) { return band_plan(a).per_thread; }

    // Output rows [kTile * tile_row, kTile * tile_row + kTile) of image n, every
    // channel, into out (channel k's first row at out + k * kTile * out_width), by the
    // calling thread alone, in `scratch` (band_scratch_floats). U from load only. With
    // PhaseOutput, the layer's rows from 2 * kTile * tile_row on, twice as many and as
    // long.
    static void run_band(const Args& a, int64_t n, int64_t tile_row, float* out, float* scratch) {
        const Conv2dParams& p = *a.p;
        const Scratch s = band_plan(a);
        const int64_t tiles_w = (p.out_width + kTile - 1) / kTile;
        const int64_t scale = row_scale(a);
        const Pass pass{a,
                        image_input(a, n),
                        out,
                        scale * kTile * scale * p.out_width,
                        scale * kTile * tile_row,
                        scratch + s.private_v(),
                        scratch + s.private_m(),
                        s.block,
                        s.v_stride,
                        s.m_stride,
                        tiles_w,
                        tile_row * tiles_w,
                        tiles_w,
                        n};
        run_pass(pass, scratch + s.band_at(), scratch + s.tmp_at(), nullptr, scratch + s.amx_at());
    }

    // The three stages one after the other with all threads, over tile blocks of the
    // whole image, in V and M that the threads share.
    static void run_shared(const Args& a, const Scratch& s) {
        const Conv2dParams& p = *a.p;
        const int64_t in_c = p.in_channels;
        const int64_t tiles_w = (p.out_width + kTile - 1) / kTile;
        float* const v = a.scratch;
        float* const m = v + kPoints * s.v_stride;
        for (int64_t n = 0; n < p.batch; ++n) {
            for (int64_t t0 = 0; t0 < a.tiles; t0 += s.block) {
                const Pass pass{a,
                                image_input(a, n),
                                image_output(a, n),
                                plane_floats(a),
                                0,
                                v,
                                m,
                                s.block,
                                s.v_stride,
                                s.m_stride,
                                tiles_w,
                                t0,
                                std::min(s.block, a.tiles - t0),
                                n};
                const int64_t groups_in = pass.groups_in(), groups_out = pass.groups_out();
                const int64_t k_blocks = pass.k_blocks(), outputs = pass.output_items();
#pragma omp parallel num_threads(a.threads)
                {
                    float* const mine = a.scratch + s.thread_base(omp_get_thread_num());
                    // A thread's items are consecutive, so it fills each of its
                    // channels' band once.
                    int64_t band_channel = -1;
#pragma omp for schedule(static)
                    for (int64_t item = 0; item < in_c * groups_in; ++item) {
                        pass.input(item / groups_in, item % groups_in, mine + s.band_at(),
                                   mine + s.tmp_at(), band_channel);
                    }
                    if (a.amx) {
                        // The static schedule's split, by hand: each thread's items run
                        // inside one tile session.
                        const int64_t items = amx_item_count(pass);
                        const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
                        amx_items(pass, items * t / nt, items * (t + 1) / nt, mine + s.amx_at());
#pragma omp barrier
                    } else if (a.u != nullptr) {
#pragma omp for schedule(static)
                        for (int64_t item = 0; item < kPoints * k_blocks; ++item) {
                            pass.gemm_u(item / k_blocks, item % k_blocks);
                        }
                    } else {
                        // Row-major over (row of U, block), so that a thread's GEMMs
                        // keep reading the same 6 slices of V.
#pragma omp for schedule(static)
                        for (int64_t item = 0; item < 6 * k_blocks; ++item) {
                            pass.gemm_row(static_cast<int>(item / k_blocks), item % k_blocks,
                                          mine + s.u_row_at());
                        }
                    }
#pragma omp for schedule(static)
                    for (int64_t item = 0; item < outputs * groups_out; ++item) {
                        pass.output(item / groups_out, item % groups_out);
                    }
                }
            }
        }
    }
};

template <class A, int MR, int NR>
Kernels make_kernels(const char* name) {
    using I = Impl<A, MR, NR>;
    return Kernels{.name = name,
                   .lanes = I::L,
                   .mr = MR,
                   .nr = NR,
                   .run = &I::run,
                   .band_scratch_floats = &I::band_scratch_floats,
                   .run_band = &I::run_band,
                   .gemm_tile = &winograd_gemm::gemm_tile<A, MR, NR>};
}

}  // namespace swaprun::kernels::winograd::detail
