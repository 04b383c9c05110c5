// How PreparedConv2d chooses the way a convolution runs (private to kernels/): the
// ISA, the algorithm, its micro-kernels and what its packed weights take, from the
// shape and options alone, so that storage can be sized before any weight is packed.
// The rules, each with the measurements behind it, are in conv2d_choice.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv2d_direct.h"
#include "kernels/conv2d_prepared.h"
#include "kernels/winograd.h"
#include "kernels/winograd_s2.h"

namespace swaprun::kernels {

// A requested ISA, lowered to what this machine (and the opt-outs) allow.
ConvIsa resolve_isa(ConvIsa requested);

// The direct kernels of an ISA (null for the portable one).
const direct::Kernels* direct_kernels(ConvIsa isa);

// As winograd_kernels (conv2d_prepared.h), for the stride-2 Winograd convolution.
const winograd_s2::Kernels* winograd_s2_kernels(ConvIsa isa, bool wide = false);

// What a prepared convolution stores, decided from the shape and options alone (so
// the storage can be sized before any weight is packed: storage_bytes()).
struct PackedLayout {
    ConvIsa isa = ConvIsa::Portable;
    ConvAlgorithm algorithm = ConvAlgorithm::Direct;
    const winograd::Kernels* winograd = nullptr;    // set for Winograd
    const winograd_s2::Kernels* strided = nullptr;  // set for StridedWinograd
    const direct::Variant* direct = nullptr;        // set for the SIMD direct path
    int64_t winograd_rows = 0;                      // out_channels rounded up to wk->mr
    int64_t tiles = 0;                              // Winograd output tiles per image
    int64_t tile_block = 0;                         // Winograd (either) tiles per pass
    bool transform_per_run = false;  // Winograd: keep the 3x3 kernels, not U (winograd.h)
    bool private_tiles = false;      // Winograd: winograd::Args::private_tiles
    bool amx = false;                // Winograd: winograd::Args::amx
    size_t weight_floats = 0;
};

// The layout a convolution of shape p takes with these options.
PackedLayout packed_layout(const Conv2dParams& p, ConvOptions options);

// The options of a Polyphase layer's stacked convolution.
ConvOptions stacked_options(const ConvOptions& options, ConvIsa isa);

// Floats per phase of a padded row in the direct kernels' buffer.
int64_t direct_phase_len(const Conv2dParams& p, const direct::Kernels& dk,
                         const direct::Variant& v);

}  // namespace swaprun::kernels
