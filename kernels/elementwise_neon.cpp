// AArch64 NEON instantiation of the simd::Table loops (NEON is baseline there, so
// no extra flags); an empty translation unit on other processors.
#include "kernels/elementwise_simd.h"

#if SWAPRUN_NEON_TABLE
#include "kernels/elementwise_simd_impl.h"

namespace swaprun::kernels::simd {

const Table kNeon = detail::make_table<xsimd::neon64>("neon");

}  // namespace swaprun::kernels::simd
#endif
