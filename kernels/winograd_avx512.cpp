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

#include "kernels/tile_columns_avx512.h"
#include "kernels/winograd_impl.h"

namespace swaprun::kernels::winograd {

// 8 x 2 accumulators of 16 lanes: enough independent FMAs to cover the latency,
// few broadcasts per FMA, and out_channels that are multiples of 8 need no padding.
const Kernels kAvx512 = detail::make_kernels<xsimd::avx512f, 8, 2>("avx512");
// 6 x 4: 24 FMAs for 10 loads where 8 x 2 has 16, for the layers of many input
// channels, where it measured faster (conv2d_choice.cpp: wide_winograd_wins).
const Kernels kAvx512Wide = detail::make_kernels<xsimd::avx512f, 6, 4>("avx512_wide");

}  // namespace swaprun::kernels::winograd
#endif
