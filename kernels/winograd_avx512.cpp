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
};

template <>
struct TileColumns<xsimd::avx512f> : LaneTransposedTileColumns<xsimd::avx512f, Avx512Ops> {};

}  // namespace detail

// 8 x 2 accumulators of 16 lanes: enough independent FMAs to cover the latency,
// few broadcasts per FMA, and out_channels that are multiples of 8 need no padding.
const Kernels kAvx512 = detail::make_kernels<xsimd::avx512f, 8, 2>("avx512");
// 6 x 4: 24 FMAs for 10 loads where 8 x 2 has 16, for the layers of many input
// channels, where it measured faster (conv2d_choice.cpp: wide_winograd_wins).
const Kernels kAvx512Wide = detail::make_kernels<xsimd::avx512f, 6, 4>("avx512_wide");

}  // namespace swaprun::kernels::winograd
#endif
