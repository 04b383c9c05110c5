// TileColumns (tile_columns.h) by the AVX2 transposes. Included only by translation units
// compiled with -mavx2 (kernels/CMakeLists.txt), before the stages that use it.
#pragma once

#include <immintrin.h>

#include "kernels/tile_columns.h"

namespace swaprun::kernels::tile_columns {

// The __m256 intrinsics that LaneTransposedTileColumns builds its transposes from.
struct Avx2Ops {
    using Register = __m256;
    static Register loadu(const float* p) { return _mm256_loadu_ps(p); }
    static void storeu(float* p, Register r) { _mm256_storeu_ps(p, r); }
    static Register unpacklo(Register a, Register b) { return _mm256_unpacklo_ps(a, b); }
    static Register unpackhi(Register a, Register b) { return _mm256_unpackhi_ps(a, b); }
    template <int Imm>
    static Register shuffle(Register a, Register b) {
        return _mm256_shuffle_ps(a, b, Imm);
    }
    static void zip(Register even, Register odd, Register& lo, Register& hi) {
        // unpacklo / unpackhi zip within each 128-bit half; the halves then go in order.
        const Register l = _mm256_unpacklo_ps(even, odd), h = _mm256_unpackhi_ps(even, odd);
        lo = _mm256_permute2f128_ps(l, h, 0x20);
        hi = _mm256_permute2f128_ps(l, h, 0x31);
    }
};

template <>
struct TileColumns<xsimd::avx2> : LaneTransposedTileColumns<xsimd::avx2, Avx2Ops> {};

}  // namespace swaprun::kernels::tile_columns
