// AVX-512 instantiation of the stride-2 Winograd convolution. Compiled with -mavx512f
// and friends (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/winograd_s2.h"

#if SWAPRUN_WINOGRAD_S2_X86
// g++ 12's avx512fintrin.h builds its "undefined" vectors by self-initialization,
// which -Wuninitialized reports wherever xsimd inlines them; never read.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // GCC only: clang has no such warning (and -Werror flags the name)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/tile_columns_avx512.h"
#include "kernels/winograd_s2_impl.h"

namespace swaprun::kernels::winograd_s2 {

// The F(4x4, 3x3) GEMMs' tiles (winograd_avx512.cpp): 8 x 2 accumulators of 16 lanes,
// and 6 x 4 for layers of 64 tiles or more (conv2d_choice.cpp: wide_winograd_s2_wins).
const Kernels kAvx512 = detail::make_kernels<xsimd::avx512f, 8, 2>("avx512");
const Kernels kAvx512Wide = detail::make_kernels<xsimd::avx512f, 6, 4>("avx512_wide");

}  // namespace swaprun::kernels::winograd_s2
#endif
