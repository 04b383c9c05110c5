// What the translation units compiled for AMX (winograd_amx.cpp, strided_amx.cpp) share,
// included only there (it needs AVX-512 and the tiles): bf16x3's split of a float into
// hi + lo bf16 (winograd_amx.h: precision), and the steps of the tiles' micro-kernel.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/winograd_amx.h"

namespace swaprun::kernels::bf16x3 {

// x rounded to bf16 (to nearest even), as a float whose low 16 bits are zero, so that
// x - hi is exact: Veltkamp's split with 2^16 + 1, three float operations where rounding
// the bits takes five integer ones. Its result is the bits' rounding, ties included,
// for every normal float up to FLT_MAX / (2^16 + 1) in magnitude (a hair under 2^112);
// beyond, where x * (2^16 + 1) overflows, it is NaN, as it is for inf; for a subnormal
// x (below 2^-126) the split underflows and may leave low bits set, which the packers
// below never read (they take the high 16 bits, or read subnormals as zero): an error
// of the order of 2^-126 at most, far below what the products keep. The
// rounding is spelled out so that the compiler cannot contract the product into the
// subtraction, which would break the split.
inline __attribute__((always_inline)) __m512 hi_of(__m512 x) {
    constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    const __m512 gamma = _mm512_mul_round_ps(x, _mm512_set1_ps(65537.0f), kNearest);
    return _mm512_add_round_ps(gamma, _mm512_sub_round_ps(x, gamma, kNearest), kNearest);
}

// x as hi + lo: hi = hi_of(x), and lo the remainder x - hi (exact in float) rounded to
// bf16, to nearest even, when made into words (below). Rounding both, not truncating hi,
// keeps lo centred on zero: the lo * lo term the products leave out then has no sign of
// its own to pile up over the channels' sum, and is a quarter the size.
struct Halves {
    __m512 hi, rest;  // rest: x - hi, not yet rounded
};
inline __attribute__((always_inline)) Halves halves(__m512 x) {
    const __m512 hi = hi_of(x);
    return {hi, _mm512_sub_ps(x, hi)};
}

// The hi (or lo) words of two vectors' halves in an A tile row's order: first's 16 in
// words 0-15, second's in 16-31. One conversion instruction each, which rounds to
// nearest even (hi is exact) and reads subnormal floats as zero.
inline __attribute__((always_inline)) __m512i hi_words(const Halves& first, const Halves& second) {
    return (__m512i)_mm512_cvtne2ps_pbh(second.hi, first.hi);
}
inline __attribute__((always_inline)) __m512i lo_words(const Halves& first, const Halves& second) {
    return (__m512i)_mm512_cvtne2ps_pbh(second.rest, first.rest);
}

// The hi (or lo) words of two vectors' halves side by side, in a B tile row's order:
// first's value i in word 2i, second's in word 2i + 1, the pairs that one dot-product
// instruction takes. The high 16 bits of each, by a shift and a blend of words: an OR
// would let a subnormal's low bits (hi_of) into its partner's word.
inline __attribute__((always_inline)) __m512i bf16_pairs(__m512 first, __m512 second) {
    return _mm512_mask_blend_epi16(0xAAAAAAAAu, _mm512_srli_epi32(_mm512_castps_si512(first), 16),
                                   _mm512_castps_si512(second));
}
inline __attribute__((always_inline)) __m512i hi_pairs(const Halves& first, const Halves& second) {
    return bf16_pairs(first.hi, second.hi);
}
inline __attribute__((always_inline)) __m512i lo_pairs(const Halves& first, const Halves& second) {
    return bf16_pairs(hi_of(first.rest), hi_of(second.rest));
}

// The micro-kernel: KT tiles of 16 output channels (A, 16 rows of 32 bf16) by PT tiles
// of 16 columns (B, 16 rows of 16 pairs), KT and PT 1 or 2, in the tiles that
// winograd_amx::TileSession configures: accumulator 2 kt + pt in tile 0-3, A's in 4 and
// 5, B's in 6 and 7. A 16 x 16 tile of floats is 64 bytes a row, as an A or B tile.
inline constexpr int kTileRowBytes = 64;

template <int KT, int PT>
inline __attribute__((always_inline)) void zero() {
    _tile_zero(0);
    if constexpr (PT == 2) _tile_zero(1);
    if constexpr (KT == 2) {
        _tile_zero(2);
        if constexpr (PT == 2) _tile_zero(3);
    }
}

// The accumulators += A times B.
template <int KT, int PT>
inline __attribute__((always_inline)) void multiply() {
    _tile_dpbf16ps(0, 4, 6);
    if constexpr (PT == 2) _tile_dpbf16ps(1, 4, 7);
    if constexpr (KT == 2) {
        _tile_dpbf16ps(2, 5, 6);
        if constexpr (PT == 2) _tile_dpbf16ps(3, 5, 7);
    }
}

// A's KT tiles, `run` words apart.
template <int KT>
inline __attribute__((always_inline)) void load_a(const uint16_t* a, int64_t run) {
    _tile_loadd(4, a, kTileRowBytes);
    if constexpr (KT == 2) _tile_loadd(5, a + run, kTileRowBytes);
}

// B's PT tiles, at b0 and b1, rows `stride` bytes apart.
template <int PT>
inline __attribute__((always_inline)) void load_b(const void* b0, const void* b1, int64_t stride) {
    _tile_loadd(6, b0, stride);
    if constexpr (PT == 2) _tile_loadd(7, b1, stride);
}

// One step of 32 input channels: hi hi, hi lo, lo hi. A's hi tiles at a_hi (runs `run`
// words apart, each lo tile right after its hi one), B's hi tiles at b0 and b1 (rows
// `stride` bytes apart, their lo tiles `lo` bytes on). With KT = PT = 2, 10 tile loads
// for 12 products: the 4 operand tiles hold one hi or lo of A and of B at a time, so B's
// hi tiles are loaded twice.
template <int KT, int PT>
inline __attribute__((always_inline)) void step(const uint16_t* a_hi, int64_t run, const void* b0,
                                                const void* b1, int64_t lo, int64_t stride) {
    const auto lo_of = [lo](const void* hi) { return static_cast<const char*>(hi) + lo; };
    load_a<KT>(a_hi, run);
    load_b<PT>(b0, b1, stride);
    multiply<KT, PT>();  // hi hi
    load_b<PT>(lo_of(b0), lo_of(b1), stride);
    multiply<KT, PT>();  // hi lo
    load_a<KT>(a_hi + winograd_amx::kTileWords, run);
    load_b<PT>(b0, b1, stride);
    multiply<KT, PT>();  // lo hi
}

// Stores accumulator (kt, pt) at c + kt * kt_floats + pt * pt_floats, rows `stride`
// bytes apart.
template <int KT, int PT>
inline __attribute__((always_inline)) void store(float* c, int64_t kt_floats, int64_t pt_floats,
                                                 int64_t stride) {
    _tile_stored(0, c, stride);
    if constexpr (PT == 2) _tile_stored(1, c + pt_floats, stride);
    if constexpr (KT == 2) {
        _tile_stored(2, c + kt_floats, stride);
        if constexpr (PT == 2) _tile_stored(3, c + kt_floats + pt_floats, stride);
    }
}

}  // namespace swaprun::kernels::bf16x3
