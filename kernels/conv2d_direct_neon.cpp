// AArch64 NEON instantiation of the direct convolution micro-kernels.
#include "kernels/conv2d_direct.h"

#if SWAPRUN_DIRECT_NEON
#include "kernels/conv2d_direct_impl.h"

namespace swaprun::kernels::direct {

// Column tiles of 8 x 2 and 3 x 4 accumulators of 4 lanes (16 of the 32 vector
// registers); pixel tiles of 4 x 4, which Auto does not pick here (unmeasured);
// row-transform tiles of 8 x 2 and 3 x 4, which Auto does not pick either. 8 x 2 is
// also long_columns (a longer shape is unmeasured).
const Kernels kNeon = detail::make_kernels<xsimd::neon64, 8, 2, 8, 2, 3, 4, 1, 8, 2, 3, 4>("neon");

}  // namespace swaprun::kernels::direct
#endif
