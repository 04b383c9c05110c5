// The runtime's closed op set: what a .swpk graph may contain. The converter lowers
// every ONNX construct it accepts into these; the runtime never sees ONNX.
//
// Each op lists its inputs (tensor indices; kNoTensor marks an absent optional one),
// its outputs, and its attributes (integer or float lists, by name). Shapes of all
// tensors are fixed in the file; the loader re-derives every output shape from the
// inputs and attributes and rejects a file where they disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace swaprun {

inline constexpr uint32_t kNoTensor = 0xFFFFFFFFu;

enum class OpType : uint32_t {
    // inputs: x [N,C,H,W], weight [O, C/groups, KH, KW] (constant), bias [O] (optional, constant)
    // attrs:  strides (2 ints), dilations (2), pads (4: top, left, bottom, right), groups (1),
    //         pad_mode (1: kernels::PadMode), activation (1: kernels::Activation),
    //         alpha (1 float, LeakyRelu slope)
    Conv2d = 1,
    // Instance norm + modulation + activation (+ residual):
    //   y = act(((x - mean) / sqrt(var + epsilon)) * scale + shift) (+ residual)
    // inputs: x [N,C,H,W], scale source, shift source, residual [N,C,H,W] (optional)
    //   The scale of (n, c) is scale_source.flat[scale_offset + n * scale_batch_stride + c];
    //   the same for shift. Sources are constants (InstanceNormalization's gamma/beta) or
    //   activations (a Gemm on the source latent, split into halves).
    // attrs:  epsilon (1 float), scale_offset, shift_offset, scale_batch_stride,
    //         shift_batch_stride (1 int each), activation (1), alpha (1 float)
    Adain = 2,
    // inputs: a, b, c (optional bias); attrs: trans_a, trans_b (1 int each), alpha, beta
    //         (1 float each), activation (1), leaky_alpha (1 float)
    //   c's shape is [N], [1], [M,N], [M,1] or [1,N] (broadcast as ONNX Gemm).
    Gemm = 3,
    // inputs: x [N,C,H,W]; output [N,C,OH,OW]
    // attrs:  mode (kernels::ResizeMode), coordinates (kernels::ResizeCoordinates),
    //         nearest (kernels::NearestRounding), cubic_coeff_a (float), exclude_outside,
    //         scales (2 floats: the H and W divisors of the coordinate transform)
    Resize = 4,
    // inputs: a, b (numpy broadcasting to the output shape); attrs: op (kernels::BinaryOp)
    Binary = 5,
    // inputs: x; attrs: op (kernels::UnaryOp), alpha (1 float)
    Unary = 6,
    // inputs: x; attrs: axes (the reduced axes, non-negative, ascending)
    // output: x's shape with reduced axes dropped or kept as 1 (same memory either way)
    ReduceMean = 7,
    // inputs: x; attrs: pads (2*rank ints: all begins, then all ends; negative crops),
    //         mode (kernels::PadMode), value (1 float)
    Pad = 8,
    // inputs: x; output: same element count, any shape (a copy: Reshape, Flatten,
    //         Squeeze, Unsqueeze, Identity all lower to this)
    Reshape = 9,
    // inputs: x0, x1, ...; attrs: axis (1 int, non-negative)
    Concat = 10,
    // inputs: x; attrs: perm (rank ints)
    Transpose = 11,
    // inputs: x [N,C,H,W]; output [N,C,OH,OW] (kernels::Pool2dParams)
    // attrs:  kind (kernels::PoolKind), kernel (2 ints), strides (2), pads (4: top, left,
    //         bottom, right), ceil_mode (1: output extent rounded up, windows starting in
    //         the trailing padding dropped), count_include_pad (1)
    Pool2d = 12,
};

// The name used in messages and --info listings; nullopt for an unknown value.
std::optional<std::string_view> op_type_name(uint32_t type);

}  // namespace swaprun
