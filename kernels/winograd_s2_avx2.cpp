// AVX2+FMA instantiation of the stride-2 Winograd convolution. Compiled with -mavx2
// -mfma (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/winograd_s2.h"

#if SWAPRUN_WINOGRAD_S2_X86
#include "kernels/tile_columns_avx2.h"
#include "kernels/winograd_s2_impl.h"

namespace swaprun::kernels::winograd_s2 {

// The F(4x4, 3x3) GEMMs' tile (winograd_avx2.cpp): 6 x 2 accumulators of 8 lanes, 12 of
// the 16 registers.
const Kernels kAvx2 = detail::make_kernels<xsimd::avx2, 6, 2>("avx2");

}  // namespace swaprun::kernels::winograd_s2
#endif
