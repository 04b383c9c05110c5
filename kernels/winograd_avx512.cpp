// AVX-512 instantiation of the Winograd stages. Compiled with -mavx512f and
// friends (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/winograd.h"

#if SWAPRUN_WINOGRAD_X86
// g++ 12's avx512fintrin.h builds its "undefined" vectors by self-initialization,
// which -Wuninitialized reports wherever xsimd inlines them; never read.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // GCC only: clang has no such warning (and -Werror flags the name)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/winograd_impl.h"

namespace swaprun::kernels::winograd {
namespace detail {

// Each load holds four tiles, one per 128-bit lane, four columns each; a 4x4 transpose
// within the lanes (unpack, then shuffle) leaves column j of tile k of quad q in lane
// 4 * k + q, the order tile_of_lane gives. Columns 4 and 5 are columns 0 and 1 of
// the same loads 4 floats on.
template <>
struct TileColumns<xsimd::avx512f> {
    using B = xsimd::batch<float, xsimd::avx512f>;
    static void load(const float* const (&quad)[4], int64_t offset, B (&c)[6]) {
        __m512 a[4], b[4];
        for (int q = 0; q < 4; ++q) {
            a[q] = _mm512_loadu_ps(quad[q] + offset);
            b[q] = _mm512_loadu_ps(quad[q] + offset + 4);
        }
        const __m512 lo01 = _mm512_unpacklo_ps(a[0], a[1]), lo23 = _mm512_unpacklo_ps(a[2], a[3]);
        const __m512 hi01 = _mm512_unpackhi_ps(a[0], a[1]), hi23 = _mm512_unpackhi_ps(a[2], a[3]);
        const __m512 next01 = _mm512_unpacklo_ps(b[0], b[1]),
                     next23 = _mm512_unpacklo_ps(b[2], b[3]);
        c[0] = B(_mm512_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0)));
        c[1] = B(_mm512_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2)));
        c[2] = B(_mm512_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0)));
        c[3] = B(_mm512_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2)));
        c[4] = B(_mm512_shuffle_ps(next01, next23, _MM_SHUFFLE(1, 0, 1, 0)));
        c[5] = B(_mm512_shuffle_ps(next01, next23, _MM_SHUFFLE(3, 2, 3, 2)));
    }
    // The same transpose undoes itself: output rows of four columns back in place.
    static void store(const B (&c)[4], float* const (&quad)[4], int64_t offset) {
        const __m512 lo01 = _mm512_unpacklo_ps(c[0], c[1]), lo23 = _mm512_unpacklo_ps(c[2], c[3]);
        const __m512 hi01 = _mm512_unpackhi_ps(c[0], c[1]), hi23 = _mm512_unpackhi_ps(c[2], c[3]);
        _mm512_storeu_ps(quad[0] + offset, _mm512_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0)));
        _mm512_storeu_ps(quad[1] + offset, _mm512_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2)));
        _mm512_storeu_ps(quad[2] + offset, _mm512_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0)));
        _mm512_storeu_ps(quad[3] + offset, _mm512_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2)));
    }
};

}  // namespace detail

// 8 x 2 accumulators of 16 lanes: enough independent FMAs to cover the latency,
// few broadcasts per FMA, and out_channels that are multiples of 8 need no padding.
const Kernels kAvx512 = detail::make_kernels<xsimd::avx512f, 8, 2>("avx512");

}  // namespace swaprun::kernels::winograd
#endif
