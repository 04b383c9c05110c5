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
};

template <>
struct TileColumns<xsimd::avx2> : LaneTransposedTileColumns<xsimd::avx2, Avx2Ops> {};

}  // namespace swaprun::kernels::tile_columns
