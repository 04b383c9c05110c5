// Turns each validated op into the compute dispatches that run it: which shader, the
// parameter words it reads, the tensors bound as output and inputs, and the grid.
// Independent of buffers: the context resolves tensors to bound ranges.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/op_params.h"
#include "graph/op_types.h"

namespace swaprun::vulkan {

struct Dispatch {
    std::string shader;              // shaders/<shader>.comp
    int activation = 0;              // specialization constant 1
    std::vector<int32_t> constants;  // specialization constants 2, 3, ...
    uint32_t output = 0;
    std::array<uint32_t, 4> inputs = {kNoTensor, kNoTensor, kNoTensor, kNoTensor};
    std::vector<int32_t> args;  // the words a shader reads as ARG(0), ARG(1), ...
    std::array<uint32_t, 3> groups = {1, 1, 1};
};

// How convolutions run: shared-memory tiles (conv2d.comp, for GPUs) or register tiles
// with no barriers (conv2d_direct.comp, for devices that are CPUs).
enum class ConvAlgorithm { Tiled, Direct };

// The direct convolution's register tile: output channels x pixels per invocation
// (specialization constants; conv2d_direct.comp allows up to 8 x 8).
struct DirectConvTile {
    int channels = 4;
    int pixels = 4;
};

struct EncodeSettings {
    std::array<uint32_t, 3> max_groups = {65535, 65535, 65535};  // maxComputeWorkGroupCount
    ConvAlgorithm conv = ConvAlgorithm::Tiled;
    DirectConvTile tile;
};

// Throws swaprun::Error (Unsupported) for sizes beyond the shaders' 32-bit indexing
// or the grid limits.
std::vector<Dispatch> encode_op(const graph::CheckedOp& op, const EncodeSettings& settings);

}  // namespace swaprun::vulkan
