// The portable direct convolution (conv2d.cpp), private to kernels/: what
// PreparedConv2d runs where it has no SIMD micro-kernels for the machine.
#pragma once

#include "kernels/kernel_types.h"

namespace swaprun::kernels {

// Same contract as kernels::conv2d; uses the OpenMP thread count of the caller.
void conv2d_portable(const Conv2dParams& p, const float* input, const float* weight,
                     const float* bias, float* output);

}  // namespace swaprun::kernels
