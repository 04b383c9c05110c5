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

// In Dispatch::output and ::inputs: the context's scratch buffer (the partial sums of
// a convolution split over K), bound over Dispatch::scratch_elements elements.
inline constexpr uint32_t kScratchTensor = kNoTensor - 1;

struct Dispatch {
    std::string shader;              // shaders/<shader>.comp
    int activation = 0;              // specialization constant 1
    std::vector<int32_t> constants;  // specialization constants 2, 3, ...
    uint32_t output = 0;
    std::array<uint32_t, 4> inputs = {kNoTensor, kNoTensor, kNoTensor, kNoTensor};
    std::vector<int32_t> args;  // the words a shader reads as ARG(0), ARG(1), ...
    std::array<uint32_t, 3> groups = {1, 1, 1};
    uint64_t scratch_elements = 0;  // how much of the scratch buffer it uses, if any
};

// How convolutions run. Tiled: the register-tiled implicit GEMM (conv2d.comp, for
// GPUs); Direct: register tiles with no shared memory or barriers (conv2d_direct.comp,
// for devices that are CPUs); Auto: Tiled, but Direct for layers with fewer output
// channels per group than a workgroup's 16 rows (an RGB tail would waste 13 of them).
enum class ConvAlgorithm { Auto, Tiled, Direct };

// The direct convolution's register tile: output channels x pixels per invocation
// (specialization constants; conv2d_direct.comp allows up to 8 x 8).
struct DirectConvTile {
    int channels = 4;
    int pixels = 4;
};

// The tiled convolution's outputs per invocation, rows (output channels) x columns
// (pixels), each 1, 2 or 4 (a workgroup covers 16 times that), and the number of
// parts K is split into (1..kMaxSplits; each part's workgroups write partial sums, a
// second dispatch adds them with the bias and the activation). {0, 0, 0}: chosen per
// layer (plan_tiled_conv below); splits 0 with a tile given: 1.
struct TiledConvTile {
    int rows = 0;
    int cols = 0;
    int splits = 0;
};

struct EncodeSettings {
    std::array<uint32_t, 3> max_groups = {65535, 65535, 65535};  // maxComputeWorkGroupCount
    ConvAlgorithm conv = ConvAlgorithm::Auto;
    DirectConvTile tile;
    TiledConvTile tiled;
};

// The largest tile (fewest invocations, most reuse of each staged value) that gives
// at least kFillGroups workgroups, splitting K where the tile alone gives fewer, so
// that a small layer spreads over a large GPU's compute units (an H200 has 132) rather
// than leaving most of them idle; among equal sizes the squarer, then the wider, then
// the fewer splits. Tiles that leave more than a quarter of the covered rows empty are
// not considered (a 16-channel layer at 512 x 512 ran at half speed in 32-row tiles);
// each part of a split K has at least kMinSplitDepth values. Where nothing fills the
// GPU, the most workgroups.
inline constexpr int64_t kFillGroups = 128;
inline constexpr int kMaxSplits = 8;
inline constexpr int64_t kMinSplitDepth = 128;
TiledConvTile plan_tiled_conv(int64_t rows, int64_t pixels, int64_t planes, int64_t depth);

// Throws swaprun::Error (Unsupported) for sizes beyond the shaders' 32-bit indexing
// or the grid limits.
std::vector<Dispatch> encode_op(const graph::CheckedOp& op, const EncodeSettings& settings);

}  // namespace swaprun::vulkan
