// What graph validation derives for each op: the kernel parameters, ready for the
// executor. Validation proves the parameters consistent with the tensors' shapes,
// so the executor does no checking of its own.
#pragma once

#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "graph/op_types.h"
#include "kernels/kernel_types.h"

namespace swaprun::graph {

struct AdainOp {
    kernels::AdainParams params;  // batch = N; the executor runs one sample at a time
    int64_t scale_offset = 0, shift_offset = 0;
    int64_t scale_batch_stride = 0, shift_batch_stride = 0;
};

struct BinaryOpParams {
    kernels::BinaryOp op = kernels::BinaryOp::Add;
    kernels::Shape a, b, out;
};

struct UnaryOpParams {
    kernels::UnaryOp op = kernels::UnaryOp::Identity;
    float alpha = 0.0f;
    int64_t count = 0;
};

struct ReduceMeanParams {
    kernels::Shape in;
    uint32_t axes_mask = 0;
};

struct ReshapeParams {
    int64_t count = 0;
};

struct ConcatParams {
    int axis = 0;
    std::vector<kernels::Shape> shapes;  // one per input
};

struct TransposeParams {
    kernels::Shape in;
    std::array<int, kernels::kMaxRank> perm{};
};

using OpParams =
    std::variant<kernels::Conv2dParams, AdainOp, kernels::GemmParams, kernels::ResizeParams,
                 BinaryOpParams, UnaryOpParams, ReduceMeanParams, kernels::PadParams, ReshapeParams,
                 ConcatParams, TransposeParams, kernels::Pool2dParams>;

// One op of a validated graph.
struct CheckedOp {
    OpType type = OpType::Reshape;
    std::vector<uint32_t> inputs;  // as in the file; kNoTensor for an absent optional input
    uint32_t output = 0;
    OpParams params;
};

struct ValidatedGraph {
    std::vector<CheckedOp> ops;  // in execution order
};

}  // namespace swaprun::graph
