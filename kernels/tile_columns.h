// Tile columns: one patch row of a group of L tiles, moved between memory (the tiles'
// patches side by side, 4 floats apart) and vectors whose lanes carry the tiles. The
// Winograd convolutions' input and output stages use it (winograd_impl.h,
// winograd_s2_impl.h). Included only by the per-ISA translation units, each of which
// includes its ISA's specialization first (tile_columns_avx2.h, tile_columns_avx512.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <xsimd/xsimd.hpp>

#include "kernels/cpu_common.h"

namespace swaprun::kernels::tile_columns {

// Tiles to a run that one vector load of a quad holds: a group of L tiles is 4 such runs
// (quads), one after the other.
template <int L>
inline constexpr int64_t kQuad = L / 4;

// Which tile of its group lane l carries, the order the transposes leave them in: lane
// 4 * k + q holds tile k of quad q.
template <int L>
constexpr int64_t tile_of_lane(int l) {
    static_assert(L % 4 == 0, "a group of tiles is 4 quads");
    return kQuad<L> * (l % 4) + l / 4;
}

// Where the output tiles of a group of L tiles lie, for the Winograd layers' output
// stages: tiles of kEdge x kEdge pixels, numbered row-major, tiles_w to a row, in an
// output of height x width; the group's from t_first, those from `end` on absent.
template <int L>
struct OutputGroup {
    static constexpr int64_t kEdge = 4;
    int64_t t_first, end, tiles_w, height, width;

    // Whether every quad lies in one tile row and wholly inside the output (then each
    // row of its tiles is L contiguous floats, which store() writes); quad q's first
    // pixel is (y[q], x[q]). One division for the four quads, and every quad's place
    // worked out: with a division per quad and an early exit, which left y and x in
    // memory, two fifths of the stride-1 output stage's samples (perf, live_base) sat on
    // the callers' vector load of the four y just stored one by one, which the stores
    // cannot forward.
    bool whole_quads(int64_t (&y)[4], int64_t (&x)[4]) const {
        if (t_first + L > end) return false;
        int64_t row = t_first / tiles_w, col = t_first % tiles_w;
        bool whole = true;
        for (int q = 0; q < 4; ++q) {
            y[q] = kEdge * row;
            x[q] = kEdge * col;
            whole = whole && x[q] + kEdge * kQuad<L> <= width && y[q] + kEdge <= height;
            // Whole quads end inside their tile row, at its end at most; the places
            // past one that does not are never read.
            col += kQuad<L>;
            if (col >= tiles_w) {
                col -= tiles_w;
                ++row;
            }
        }
        return whole;
    }

    // f(l, y0, x0, rows, cols) for each lane l whose tile is there: the tile's first
    // pixel and how many of its rows and columns lie inside the output.
    template <class F>
    void each_lane(F&& f) const {
        for (int l = 0; l < L; ++l) {
            const int64_t t = t_first + tile_of_lane<L>(l);
            if (t >= end) continue;
            const int64_t y0 = kEdge * (t / tiles_w), x0 = kEdge * (t % tiles_w);
            f(l, y0, x0, std::min(kEdge, height - y0), std::min(kEdge, width - x0));
        }
    }
};

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
    // store()'s rows, left in vectors: r[q] = the L floats store() writes at quad[q].
    static void rows(const B (&c)[4], B (&r)[4]) {
        constexpr int L = static_cast<int>(B::size);
        alignas(64) float lanes[4][L], out[4][L];
        for (int j = 0; j < 4; ++j) c[j].store_aligned(lanes[j]);
        for (int l = 0; l < L; ++l) {
            for (int j = 0; j < 4; ++j) out[l % 4][4 * (l / 4) + j] = lanes[j][l];
        }
        for (int q = 0; q < 4; ++q) r[q] = B::load_aligned(out[q]);
    }
    // The floats of even and odd taken in turn: lo = (even[0], odd[0], even[1], ...),
    // hi the same from even[L / 2] on.
    static void zip(const B& even, const B& odd, B& lo, B& hi) {
        constexpr int L = static_cast<int>(B::size);
        alignas(64) float e[L], o[L], z[2 * L];
        even.store_aligned(e);
        odd.store_aligned(o);
        for (int l = 0; l < L; ++l) {
            z[2 * l] = e[l];
            z[2 * l + 1] = o[l];
        }
        lo = B::load_aligned(z);
        hi = B::load_aligned(z + L);
    }
};

// TileColumns by 4x4 transposes within 128-bit lanes, for ISAs whose vectors are
// whole 128-bit lanes with per-lane unpack and shuffle (AVX2, AVX-512). Each load of
// L floats from a quad holds L / 4 tiles, one per lane, four columns each; after
// unpacking pairs of loads and shuffling the pairs, column j of tile k of quad q sits
// in lane 4 * k + q, the order tile_of_lane gives. Columns 4 and 5 are columns 0 and
// 1 of the same loads 4 floats on. The transpose is its own inverse, so store() puts
// output rows back with it. Ops supplies the ISA's register type and intrinsics:
// loadu, storeu, unpacklo, unpackhi, shuffle<imm> (imm as _MM_SHUFFLE gives it), and
// zip (TileColumns::zip, across the whole register).
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

    static void rows(const B (&c)[4], B (&r)[4]) {
        const R columns[4] = {c[0], c[1], c[2], c[3]};
        R rows[4];
        transpose(columns, rows);
        for (int q = 0; q < 4; ++q) r[q] = B(rows[q]);
    }

    static void zip(const B& even, const B& odd, B& lo, B& hi) {
        R l, h;
        Ops::zip(even, odd, l, h);
        lo = B(l);
        hi = B(h);
    }
};

}  // namespace swaprun::kernels::tile_columns
