// Packing a convolution's weights, once at load, into the layouts its micro-kernels
// read (private to kernels/; PreparedConv2d sizes the storage: conv2d_choice.h).
// Weights come as ONNX lays them out, [out_c][in_c / groups][kh][kw].
#pragma once

#include <cstdint>

#include "kernels/kernel_types.h"

namespace swaprun::kernels {

// The direct kernels' [group][block of mr output channels][c][kh][kw][mr] (c: the
// group's input channels). Writes the real channels only: out comes zeroed, so a last
// block's missing channels stay zero.
void pack_direct_weights(const Conv2dParams& p, int64_t mr, const float* weight, float* out);

// A Winograd layer whose U is made per run (winograd.h): per block of mr output
// channels, 9 tap planes of [c][mr] (winograd::g_plane_floats each); every float
// written, zeros past out_channels and in the planes' padding.
void pack_winograd_kernels(const Conv2dParams& p, int64_t mr, int64_t k_blocks, const float* weight,
                           float* out);

// A Winograd layer's U = G g G^T, from load: [point][block][c][mr], in double, rounded
// once to float; every float written.
void pack_winograd_u(const Conv2dParams& p, int64_t mr, int64_t k_blocks, const float* weight,
                     float* out);

// The weights of a Winograd layer whose GEMMs run on AMX tiles (winograd_amx.h). U made
// per run: the 3x3 kernels as [tap][k][c], the channels padded with zeros to whole
// steps. U from load: U = G g G^T, in double, packed.
void pack_amx_weights(const Conv2dParams& p, const float* weight, bool per_run, float* out);

}  // namespace swaprun::kernels
