// AArch64 NEON instantiation of the Winograd stages (NEON is baseline there).
#include "kernels/winograd.h"

#if SWAPRUN_WINOGRAD_NEON
#include "kernels/winograd_impl.h"

namespace swaprun::kernels::winograd {

// 8 x 2 accumulators of 4 lanes: 16 of the 32 vector registers.
const Kernels kNeon = detail::make_kernels<xsimd::neon64, 8, 2>("neon");

}  // namespace swaprun::kernels::winograd
#endif
