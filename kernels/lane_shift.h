// A vector made of the lanes of two neighbouring ones, shifted by a constant: AVX-512's
// valignd. The direct convolution's shifted taps (conv2d_direct_rows.h) and the x2
// upsampling's neighbours (elementwise_simd_impl.h) take it. Included only by the
// per-ISA translation units, through those headers.
#pragma once

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <xsimd/xsimd.hpp>

#include "kernels/cpu_common.h"

namespace swaprun::kernels {

// Where the architecture has the shift (available); elsewhere callers load instead.
template <class A>
struct LaneShift {
    static constexpr bool available = false;
};
#if defined(__AVX512F__)
template <>
struct LaneShift<xsimd::avx512f> {
    static constexpr bool available = true;
    // Lanes S .. S + 15 of lo followed by hi.
    template <int S>
    static SWAPRUN_ALWAYS_INLINE xsimd::batch<float, xsimd::avx512f> shift(
        xsimd::batch<float, xsimd::avx512f> lo, xsimd::batch<float, xsimd::avx512f> hi) {
        return _mm512_castsi512_ps(
            _mm512_alignr_epi32(_mm512_castps_si512(hi.data), _mm512_castps_si512(lo.data), S));
    }
};
#endif

}  // namespace swaprun::kernels
