// AVX-512F instantiation of the simd::Table loops. Compiled with -mavx512f -mfma
// (kernels/CMakeLists.txt); used only after the run-time CPU check in simd::table().
#include "kernels/elementwise_simd.h"

#if SWAPRUN_X86_DISPATCH
// g++ 12's avx512fintrin.h builds its "undefined" vectors by self-initialization
// (__m512 __Y = __Y), which -Wuninitialized reports wherever xsimd's math inlines
// them; the values are never read.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // GCC only: clang has no such warning (and -Werror flags the name)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "kernels/elementwise_simd_impl.h"

namespace swaprun::kernels::simd {

const Table kAvx512 = detail::make_table<xsimd::avx512f>("avx512");

}  // namespace swaprun::kernels::simd
#endif
