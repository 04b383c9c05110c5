// The GEMMs of the Winograd F(4x4, 3x3) convolution on AMX tiles, in bf16x3
// (ConvPrecision::Bf16x3; private to kernels/).
//
// Precision. Each float x is split as hi + lo: hi x rounded to bf16 (x - hi is then
// exact in float), lo that remainder rounded to bf16; together they keep about 16 of
// float's 24 significant bits. Rounding hi, not truncating it, keeps lo centred on
// zero, so the lo * lo term left out below has no sign of its own to pile up over a
// sum (amx_bf16x3.h). A product u * v is taken as
// hi(u) hi(v) + hi(u) lo(v) + lo(u) hi(v): three bf16 products, each exact in float,
// summed by the tiles in float. What is left out (lo * lo and the bits past lo) is
// about 2^-16 of the product, where fp32's own rounding is 2^-24: the error grows by
// about 2^8, from far below the 1e-3 / 60 dB fidelity budget of the fast kernels to
// within it (the model tests measure it). AMX multiplies bf16 at 16 times the rate of
// AVX-512's fp32 FMAs, so the GEMMs' arithmetic can go up to 16 / 3 times as fast;
// whole layers, whose transforms are as in fp32, gain less (runtime/README.md).
//
// Layout. A tile is 16 rows of 64 bytes (32 bf16 values). For one Winograd point:
//   A (U, the weights): per 16 output channels kt and step of 32 input channels cs,
//     a hi tile then a lo tile, row r = output channel 16 kt + r, its 32 channels'
//     values in order ([kt][cs][hi, lo][16][32]).
//   B (V, the transformed input): per 16 Winograd tiles tt and step cs, a hi tile then
//     a lo tile, row r = input channels 32 cs + 2r and 2r + 1, column n = tile 16 tt + n,
//     the two channels' values side by side ([tt][cs][hi, lo][16][16][2]): the pairs
//     that one dot-product instruction takes.
// Input channels past in_channels are zeros in both. Each M element is one sum over
// the steps in order (per step hi hi, then hi lo, then lo hi), whatever the threads.
#pragma once

#include <cstdint>

namespace swaprun::kernels::winograd_amx {

inline constexpr int64_t kTileRows = 16;    // output channels of an A tile, tiles of a B tile
inline constexpr int64_t kStep = 32;        // input channels per tile step
inline constexpr int64_t kTileWords = 512;  // bf16 values in a 1 KiB tile
inline constexpr int64_t kChunk = 32;       // output channels per GEMM work item

// Whether this process may run AMX-BF16 tiles: the CPU has them and AVX512-BF16 (whose
// conversions split the floats), the OS saves their state, Linux granted the
// permission, and SWAPRUN_DISABLE_AMX is unset (or "0").
bool available();

inline int64_t steps(int64_t in_channels) { return (in_channels + kStep - 1) / kStep; }
// bf16 words of A for one point and `out_channels` (a multiple of kTileRows), and of B
// for one point and `tiles` (a multiple of 2 * kTileRows).
inline int64_t a_words(int64_t out_channels, int64_t in_channels) {
    return out_channels / kTileRows * steps(in_channels) * 2 * kTileWords;
}
inline int64_t b_words(int64_t in_channels, int64_t tiles) {
    return tiles / kTileRows * steps(in_channels) * 2 * kTileWords;
}
// Floats per tap plane of the 3x3 kernels kept for U made per run: [k][c], the input
// channels padded to whole steps.
inline int64_t g_plane_floats(int64_t out_channels, int64_t in_channels) {
    return out_channels * steps(in_channels) * kStep;
}

// Loads the tile configuration into the calling thread for its lifetime and releases
// the tiles after (the OS then stops saving their 8 KiB on every switch).
class TileSession {
  public:
    TileSession();
    ~TileSession();
    TileSession(const TileSession&) = delete;
    TileSession& operator=(const TileSession&) = delete;
};

// B from V's slice of one point: v[c * ldv + t] for c < in_channels, t < tiles.
void pack_v(const float* v, int64_t in_channels, int64_t ldv, int64_t tiles, uint16_t* b);

// A from U of one point as floats, u[k * ldk + c * ldc] for k < out_channels (at load).
void pack_u(const float* u, int64_t out_channels, int64_t in_channels, int64_t ldk, int64_t ldc,
            uint16_t* a);

// A for the 6 points of row `row` of U (points 6 row .. 6 row + 5) and output channels
// k0 .. k0 + count (count a multiple of kTileRows), made from the 3x3 kernels g
// ([tap][k][c], planes of g_plane_floats(out_channels, in_channels)): point j's at
// a + j * a_words(count, in_channels).
void make_u_row(const float* g, int64_t out_channels, int64_t in_channels, int row, int64_t k0,
                int64_t count, uint16_t* a);

// m[k * ldm + t] = sum over c of U[k][c] V[c][t] for k < out_channels (a multiple of
// kTileRows; A holds them), t < tiles (a multiple of 2 * kTileRows; B holds them).
// Runs inside a TileSession.
void gemm(const uint16_t* a, int64_t out_channels, const uint16_t* b, int64_t in_channels,
          int64_t tiles, float* m, int64_t ldm);

}  // namespace swaprun::kernels::winograd_amx
