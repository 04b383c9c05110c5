// AVX2+FMA instantiation of the Winograd stages. Compiled with -mavx2 -mfma
// (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/winograd.h"

#if SWAPRUN_WINOGRAD_X86

#include "kernels/tile_columns_avx2.h"
#include "kernels/winograd_impl.h"

namespace swaprun::kernels::winograd {

// 6 x 2 accumulators of 8 lanes: 12 of the 16 ymm registers.
const Kernels kAvx2 = detail::make_kernels<xsimd::avx2, 6, 2>("avx2");

}  // namespace swaprun::kernels::winograd
#endif
