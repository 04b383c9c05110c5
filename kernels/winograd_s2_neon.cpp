// AArch64 NEON instantiation of the stride-2 Winograd convolution (NEON is baseline
// there).
#include "kernels/winograd_s2.h"

#if SWAPRUN_WINOGRAD_S2_NEON
#include "kernels/winograd_s2_impl.h"

namespace swaprun::kernels::winograd_s2 {

// 8 x 2 accumulators of 4 lanes: 16 of the 32 vector registers.
const Kernels kNeon = detail::make_kernels<xsimd::neon64, 8, 2>("neon");

}  // namespace swaprun::kernels::winograd_s2
#endif
