// AVX2+FMA instantiation of the Winograd stages. Compiled with -mavx2 -mfma
// (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/winograd.h"

#if SWAPRUN_WINOGRAD_X86
#include <immintrin.h>

#include "kernels/winograd_impl.h"

namespace swaprun::kernels::winograd {
namespace detail {

// Each load holds two tiles, one per 128-bit lane, four columns each; a 4x4 transpose
// within the lanes (unpack, then shuffle) leaves column j of tile k of quad q in lane
// 4 * k + q, the order tile_of_lane gives. Columns 4 and 5 are columns 0 and 1 of
// the same loads 4 floats on.
template <>
struct TileColumns<xsimd::avx2> {
    using B = xsimd::batch<float, xsimd::avx2>;
    static void load(const float* const (&quad)[4], int64_t offset, B (&c)[6]) {
        __m256 a[4], b[4];
        for (int q = 0; q < 4; ++q) {
            a[q] = _mm256_loadu_ps(quad[q] + offset);
            b[q] = _mm256_loadu_ps(quad[q] + offset + 4);
        }
        const __m256 lo01 = _mm256_unpacklo_ps(a[0], a[1]), lo23 = _mm256_unpacklo_ps(a[2], a[3]);
        const __m256 hi01 = _mm256_unpackhi_ps(a[0], a[1]), hi23 = _mm256_unpackhi_ps(a[2], a[3]);
        const __m256 next01 = _mm256_unpacklo_ps(b[0], b[1]),
                     next23 = _mm256_unpacklo_ps(b[2], b[3]);
        c[0] = B(_mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0)));
        c[1] = B(_mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2)));
        c[2] = B(_mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0)));
        c[3] = B(_mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2)));
        c[4] = B(_mm256_shuffle_ps(next01, next23, _MM_SHUFFLE(1, 0, 1, 0)));
        c[5] = B(_mm256_shuffle_ps(next01, next23, _MM_SHUFFLE(3, 2, 3, 2)));
    }
    // The same transpose undoes itself: output rows of four columns back in place.
    static void store(const B (&c)[4], float* const (&quad)[4], int64_t offset) {
        const __m256 lo01 = _mm256_unpacklo_ps(c[0], c[1]), lo23 = _mm256_unpacklo_ps(c[2], c[3]);
        const __m256 hi01 = _mm256_unpackhi_ps(c[0], c[1]), hi23 = _mm256_unpackhi_ps(c[2], c[3]);
        _mm256_storeu_ps(quad[0] + offset, _mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(1, 0, 1, 0)));
        _mm256_storeu_ps(quad[1] + offset, _mm256_shuffle_ps(lo01, lo23, _MM_SHUFFLE(3, 2, 3, 2)));
        _mm256_storeu_ps(quad[2] + offset, _mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(1, 0, 1, 0)));
        _mm256_storeu_ps(quad[3] + offset, _mm256_shuffle_ps(hi01, hi23, _MM_SHUFFLE(3, 2, 3, 2)));
    }
};

}  // namespace detail

// 6 x 2 accumulators of 8 lanes: 12 of the 16 ymm registers.
const Kernels kAvx2 = detail::make_kernels<xsimd::avx2, 6, 2>("avx2");

}  // namespace swaprun::kernels::winograd
#endif
