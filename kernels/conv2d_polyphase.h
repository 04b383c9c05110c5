// A 3x3 convolution of an input upsampled by 2 (bilinear, half-pixel, edges clamped:
// ConvOptions::upsampled_input), run as one convolution on the input at its own size
// (private to kernels/; PreparedConv2d's Polyphase algorithm).
//
// Output pixel (2i + a, 2j + b) reads upsampled rows 2i + a - 1 .. 2i + a + 1, and
// each upsampled row is a fixed blend of input rows i - 1, i, i + 1. So each of the
// four output phases (a, b) is a 3x3 convolution of the input itself, with the kernel
// K_ab = P_a w P_b^T (P below): the four stack into one convolution with four times
// the output channels, at a quarter of the pixels: Winograd's input transform then
// runs on a quarter of the tiles, and nothing upsamples the input, which pays where
// the transforms outweigh the GEMMs (few output channels) or the input channels far
// outnumber the output ones (the generators' 64 -> 16 and 16 -> 16 layers at 256 x
// 256 and 512 x 512; polyphase_wins in conv2d_choice.cpp).
//
// The stacked convolution reads the input edge-padded, which is the upsampled image
// edge-padded; the layer pads the upsampled image with zeros. The two differ only in
// the taps that fall outside the image, on the output's first and last rows and
// columns: border_corrections() computes those taps' products, and the stacked
// convolution's output transform subtracts them from the border pixels before the
// activation, as it writes the phases interleaved into the layer's output
// (winograd::PhaseOutput): the phases are never written apart.
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"
#include "kernels/winograd.h"

namespace swaprun::kernels::polyphase {

// Whether p (at the upsampled size) can run this way: 3x3, stride and dilation 1, one
// group, one pixel of zero padding on each side, even height and width.
bool applies(const Conv2dParams& p);

// The stacked convolution: in_channels -> 4 * out_channels at half p's height and
// width, edge padding, no activation (PhaseOutput applies p's). Phase (a, b)'s output
// channel o is channel (2 * a + b) * out_channels + o.
Conv2dParams stacked_params(const Conv2dParams& p);

// The stacked kernels [4 * out_c][in_c][3][3] from p's [out_c][in_c][3][3].
void stack_weights(const Conv2dParams& p, const float* weight, float* stacked);

// Floats of the corrections of one image (PhaseOutput's four arrays), of every image
// (corrections_floats), and of the scratch border_corrections() works in besides
// (the upsampled border lines and the values under the corners' outside taps).
int64_t image_corrections_floats(const Conv2dParams& p);
int64_t corrections_floats(const Conv2dParams& p);
int64_t corrections_scratch_floats(const Conv2dParams& p);

// The border corrections of every image of input (half size) for p's convolution of it
// upsampled (weight: p's plain kernels), into `corrections`; returns the PhaseOutput
// through which the stacked convolution writes p's output with them.
winograd::PhaseOutput border_corrections(const Conv2dParams& p, const float* weight,
                                         const float* input, float* corrections, float* scratch,
                                         int threads);

}  // namespace swaprun::kernels::polyphase
