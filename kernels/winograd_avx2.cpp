// AVX2+FMA instantiation of the Winograd stages. Compiled with -mavx2 -mfma
// (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/winograd.h"

#if SWAPRUN_WINOGRAD_X86
#include <immintrin.h>

#include "kernels/winograd_impl.h"

namespace swaprun::kernels::winograd {
namespace detail {

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

}  // namespace detail

// 6 x 2 accumulators of 8 lanes: 12 of the 16 ymm registers.
const Kernels kAvx2 = detail::make_kernels<xsimd::avx2, 6, 2>("avx2");

}  // namespace swaprun::kernels::winograd
#endif
