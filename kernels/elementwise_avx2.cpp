// AVX2 + FMA instantiation of the simd::Table loops. Compiled with -mavx2 -mfma
// (kernels/CMakeLists.txt); used only after the run-time CPU check in simd::table().
#include "kernels/elementwise_simd.h"

#if SWAPRUN_X86_DISPATCH
#include "kernels/elementwise_simd_impl.h"

namespace swaprun::kernels::simd {

const Table kAvx2 = detail::make_table<xsimd::fma3<xsimd::avx2>>("avx2");

}  // namespace swaprun::kernels::simd
#endif
