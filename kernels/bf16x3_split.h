// bf16x3's split of a float into hi + lo bf16 (winograd_amx.h: precision), shared by
// the translation units compiled for AMX (winograd_amx.cpp, strided_amx.cpp) and
// included only there: it needs AVX-512.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

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

}  // namespace swaprun::kernels::bf16x3
