// AVX-512 instantiation of the direct convolution micro-kernels. Compiled with
// -mavx512f and friends (kernels/CMakeLists.txt); used only after the run-time
// CPU check.
#include "kernels/conv2d_direct.h"

#if SWAPRUN_DIRECT_X86
// g++ 12's avx512fintrin.h builds its "undefined" vectors by self-initialization,
// which -Wuninitialized reports wherever xsimd inlines them; never read.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // GCC only: clang has no such warning (and -Werror flags the name)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "kernels/conv2d_direct_impl.h"

namespace swaprun::kernels::direct {

// Column tiles of 8 x 2 accumulators of 16 lanes, 6 x 4 for long rows (12 x 2, the
// other 24-accumulator shape, spilled: live_base_down2_s2 took 2.8 times as long), and
// 3 x 3 for two output rows at once (the narrow one fits the 3-channel image tails: 18
// accumulators, the 4 vectors of a row and its shifted taps in 32 registers); pixel
// tiles of 16 output channels by 16 columns; row-transform tiles of 8 output channels by
// 2 vectors of tiles, and of 3 by 3 for two output rows at once for the image tails (18
// accumulators). On a Xeon (kernel_bench, 2 threads, two alternating runs) the tails'
// 3 x 8 on one row took 3.34 ms for live_tail and 6.72-6.75 for
// conv2d_pair/live_up3_tail; 3 x 3 on two rows 2.78-3.09 and 6.11-6.13; 3 x 4 on two
// rows spilled accumulators (no faster), 3 x 2 on three rows 3.03-3.04 and 6.37-6.50.
// On AVX2 (SWAPRUN_DISABLE_AVX512=1) two rows of 3 x 2 were no faster: live_tail
// 5.82-6.17 ms against 5.68-5.91 for one row of 3 x 4.
const Kernels kAvx512 =
    detail::make_kernels<xsimd::avx512f, 8, 2, 6, 4, 3, 3, 2, 8, 2, 3, 3, 2>("avx512");

}  // namespace swaprun::kernels::direct
#endif
