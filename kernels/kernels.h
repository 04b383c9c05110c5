// CPU kernel entry points: one per op family. The executor calls only these; each
// picks the best implementation for the parameters and the machine. Every entry
// point has a naive twin in reference.h that tests compare it against.
//
// Contract for all of them: buffers are dense float32, outputs do not alias inputs
// unless stated, and results do not depend on the OpenMP thread count (each output
// element is computed by one thread, in a fixed order).
#pragma once

#include <cstdint>

#include "kernel_types.h"

namespace swaprun::kernels {

// NCHW input, weight [out_c, in_c / groups, kh, kw], optional bias [out_c].
void conv2d(const Conv2dParams& p, const float* input, const float* weight, const float* bias,
            float* output);

// Fused instance norm + modulation + activation, then + residual when given
// (residual has the input's shape). output may alias residual.
void adain(const AdainParams& p, const float* input, const float* scale, const float* shift,
           const float* residual, float* output);

void gemm(const GemmParams& p, const float* a, const float* b, const float* c, float* y);

void resize(const ResizeParams& p, const float* input, float* output);
// Whether p is the bilinear, half-pixel upsampling by exactly 2 on both axes: the one
// the generators use, and the one a prepared convolution can read its input through
// (ConvOptions::upsampled_input).
bool is_bilinear_x2(const ResizeParams& p);

// Numpy-style broadcasting; both shapes are right-aligned against out_shape.
// output may alias a or b when that operand has out_shape.
void binary(BinaryOp op, const Shape& a_shape, const float* a, const Shape& b_shape, const float* b,
            const Shape& out_shape, float* output);

// Elementwise; alpha is LeakyRelu's slope. output may alias input.
void unary(UnaryOp op, float alpha, int64_t count, const float* input, float* output);

// Mean over the axes whose bit is set in axes_mask; the output is laid out as the
// input with those axes reduced to 1 (keepdims or not, the memory is the same).
void reduce_mean(const Shape& in_shape, uint32_t axes_mask, const float* input, float* output);

void pad(const PadParams& p, const float* input, float* output);

void pool2d(const Pool2dParams& p, const float* input, float* output);

// Concatenation along `axis` of `count` tensors of equal rank.
void concat(int count, const Shape* shapes, const float* const* inputs, int axis, float* output);

// output[perm-permuted index] = input[index]; perm has in_shape.rank entries.
void transpose(const Shape& in_shape, const int* perm, const float* input, float* output);

}  // namespace swaprun::kernels
