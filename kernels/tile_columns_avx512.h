// TileColumns (tile_columns.h) by the AVX-512 transposes. Included only by translation units
// compiled with -mavx512f (kernels/CMakeLists.txt), before the stages that use it.
#pragma once

#include <immintrin.h>

#include "kernels/tile_columns.h"

namespace swaprun::kernels::tile_columns {

// The __m512 intrinsics that LaneTransposedTileColumns builds its transposes from.
struct Avx512Ops {
    using Register = __m512;
    static Register loadu(const float* p) { return _mm512_loadu_ps(p); }
    static void storeu(float* p, Register r) { _mm512_storeu_ps(p, r); }
    static Register unpacklo(Register a, Register b) { return _mm512_unpacklo_ps(a, b); }
    static Register unpackhi(Register a, Register b) { return _mm512_unpackhi_ps(a, b); }
    template <int Imm>
    static Register shuffle(Register a, Register b) {
        return _mm512_shuffle_ps(a, b, Imm);
    }
    static void zip(Register even, Register odd, Register& lo, Register& hi) {
        // Index i < 16 picks even's float i, 16 + i odd's.
        const __m512i lo_index =
            _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const __m512i hi_index =
            _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        lo = _mm512_permutex2var_ps(even, lo_index, odd);
        hi = _mm512_permutex2var_ps(even, hi_index, odd);
    }
};

template <>
struct TileColumns<xsimd::avx512f> : LaneTransposedTileColumns<xsimd::avx512f, Avx512Ops> {};

}  // namespace swaprun::kernels::tile_columns
