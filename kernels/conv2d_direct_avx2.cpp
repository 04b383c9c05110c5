// AVX2+FMA instantiation of the direct convolution micro-kernels. Compiled with
// -mavx2 -mfma (kernels/CMakeLists.txt); used only after the run-time CPU check.
#include "kernels/conv2d_direct.h"

#if SWAPRUN_DIRECT_X86
#include "kernels/conv2d_direct_impl.h"

namespace swaprun::kernels::direct {

// Column tiles of 4 x 2 and 3 x 3 accumulators of 8 lanes: 4 x 2 measured fastest on
// Zen 4 (4 x 3 and 6 x 2 leave too few of the 16 ymm registers and spill); pixel tiles
// of 8 output channels by 8 columns; row-transform tiles of 4 x 2 and 3 x 4. No
// longer column tiles: 4 x 2 is also long_columns.
const Kernels kAvx2 = detail::make_kernels<xsimd::avx2, 4, 2, 4, 2, 3, 3, 1, 4, 2, 3, 4>("avx2");

}  // namespace swaprun::kernels::direct
#endif
