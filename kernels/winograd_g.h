// Row I of F(4x4, 3x3)'s kernel transform G times (x0, x1, x2), G being
//   [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
// for xsimd batches: the one sequence of operations by which the fp32 kernels
// (winograd_impl.h) and the AMX ones (winograd_amx.cpp) make U per run. Included only by
// per-ISA translation units.
#pragma once

#include <xsimd/xsimd.hpp>

#include "kernels/cpu_common.h"

namespace swaprun::kernels::winograd {

template <int I, class B>
SWAPRUN_ALWAYS_INLINE B g_row(B x0, B x1, B x2) {
    if constexpr (I == 0) return x0 * B(0.25f);
    if constexpr (I == 1) return (x0 + x2 + x1) * B(-1.0f / 6);
    if constexpr (I == 2) return (x0 + x2 - x1) * B(-1.0f / 6);
    if constexpr (I == 3) return xsimd::fma(x0, B(1.0f / 24), x2 * B(1.0f / 6)) + x1 * B(1.0f / 12);
    if constexpr (I == 4) return xsimd::fma(x0, B(1.0f / 24), x2 * B(1.0f / 6)) - x1 * B(1.0f / 12);
    return x2;
}

}  // namespace swaprun::kernels::winograd
