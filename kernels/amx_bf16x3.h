// What the translation units compiled for AMX (winograd_amx.cpp, strided_amx.cpp) share,
// included only there (it needs AVX-512 and the tiles): bf16x3's split of a float into
// hi + lo bf16 (winograd_amx.h: precision), and the steps of the tiles' micro-kernel.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/winograd_amx.h"

namespace swaprun::kernels::bf16x3 {

// Rounds the float in each 32-bit lane to bf16, to nearest even, left in the top 16
// bits (the bottom 16 zero).
inline __attribute__((always_inline)) __m512i round_bf16(__m512i bits) {
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    const __m512i rounded =
        _mm512_add_epi32(bits, _mm512_add_epi32(_mm512_set1_epi32(0x7FFF), odd));
    return _mm512_and_si512(rounded, _mm512_set1_epi32(static_cast<int>(0xFFFF0000u)));
}

// x as hi + lo, each a bf16 in the top 16 bits of a 32-bit lane: hi x rounded, lo the
// remainder (exact in float) rounded. Rounding both, not truncating hi, keeps lo
// centred on zero: the lo * lo term the products leave out then has no sign of its
// own to pile up over the channels' sum, and is a quarter the size.
inline __attribute__((always_inline)) void split(__m512 x, __m512i& hi, __m512i& lo) {
    hi = round_bf16(_mm512_castps_si512(x));
    lo = round_bf16(_mm512_castps_si512(_mm512_sub_ps(x, _mm512_castsi512_ps(hi))));
}

// Two channels' hi (or lo) words, as split leaves them, in the 32-bit lanes that one
// dot-product instruction takes as a pair: `first` in the low word, `second` high.
inline __attribute__((always_inline)) __m512i pair_words(__m512i first, __m512i second) {
    return _mm512_or_si512(_mm512_srli_epi32(first, 16), second);
}

inline uint32_t round_bf16(uint32_t bits) {
    return (bits + 0x7FFFu + ((bits >> 16) & 1u)) & 0xFFFF0000u;
}

// The scalar split, as the vector one: hi and lo as bf16 words.
inline void split(float x, uint16_t& hi, uint16_t& lo) {
    uint32_t bits = 0;
    std::memcpy(&bits, &x, sizeof bits);
    const uint32_t hi_bits = round_bf16(bits);
    float hi_value = 0.0f;
    std::memcpy(&hi_value, &hi_bits, sizeof hi_value);
    const float rest = x - hi_value;
    uint32_t rest_bits = 0;
    std::memcpy(&rest_bits, &rest, sizeof rest_bits);
    hi = static_cast<uint16_t>(hi_bits >> 16);
    lo = static_cast<uint16_t>(round_bf16(rest_bits) >> 16);
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
