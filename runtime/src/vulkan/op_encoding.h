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
    std::string shader;  // shaders/<shader>.comp
    int activation = 0;  // specialization constant 1
    uint32_t output = 0;
    std::array<uint32_t, 4> inputs = {kNoTensor, kNoTensor, kNoTensor, kNoTensor};
    std::vector<int32_t> args;  // the words a shader reads as ARG(0), ARG(1), ...
    std::array<uint32_t, 3> groups = {1, 1, 1};
};

// max_groups: the device's maxComputeWorkGroupCount. Throws swaprun::Error
// (Unsupported) for sizes beyond the shaders' 32-bit indexing or the grid limits.
std::vector<Dispatch> encode_op(const graph::CheckedOp& op,
                                const std::array<uint32_t, 3>& max_groups);

}  // namespace swaprun::vulkan
