// A 3x3 convolution of an input upsampled by 2 (bilinear, half-pixel, edges clamped:
// ConvOptions::upsampled_input), run as one convolution on the input at its own size
// (private to kernels/; PreparedConv2d's Polyphase algorithm).
//
// Output pixel (2i + a, 2j + b) reads upsampled rows 2i + a - 1 .. 2i + a + 1, and
// each upsampled row is a fixed blend of input rows i - 1, i, i + 1. So each of the
// four output phases (a, b) is a 3x3 convolution of the input itself, with the kernel
// K_ab = P_a w P_b^T (P below): the four stack into one convolution with four times
// the output channels, at a quarter of the pixels: Winograd's input transform then
// runs on a quarter of the tiles, which pays where the input channels far outnumber
// the output ones (the generators' 64 -> 16 layer at 256 x 256; polyphase_wins in
// conv2d_choice.cpp).
//
// The stacked convolution reads the input edge-padded, which is the upsampled image
// edge-padded; the layer pads the upsampled image with zeros. The two differ only in
// the taps that fall outside the image, on the output's first and last rows and
// columns: finish() subtracts those taps' products from the border pixels before the
// activation.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace swaprun::kernels::polyphase {

// Whether p (at the upsampled size) can run this way: 3x3, stride and dilation 1, one
// group, one pixel of zero padding on each side, even height and width.
bool applies(const Conv2dParams& p);

// The stacked convolution: in_channels -> 4 * out_channels at half p's height and
// width, edge padding, no activation (finish() applies it). Phase (a, b)'s output
// channel o is channel (2 * a + b) * out_channels + o.
Conv2dParams stacked_params(const Conv2dParams& p);

// The stacked kernels [4 * out_c][in_c][3][3] from p's [out_c][in_c][3][3].
void stack_weights(const Conv2dParams& p, const float* weight, float* stacked);

// Floats of finish()'s scratch (the upsampled border lines, the values under the corners'
// outside taps, and the corrections).
int64_t finish_scratch_floats(const Conv2dParams& p);

// output = p's convolution of input (half size) upsampled, from the stacked
// convolution's output `phases`: interleaves the phases, subtracts the outside taps
// at the borders (weight: p's plain kernels), applies p's activation.
void finish(const Conv2dParams& p, const float* weight, const float* input, const float* phases,
            float* output, float* scratch, int threads);

}  // namespace swaprun::kernels::polyphase
