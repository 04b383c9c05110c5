// Per-op validation: each function checks the op's inputs and attributes against the
// op's semantics (op_types.h, kernel_types.h), re-derives the output shape, compares
// it with the stored one, and returns the kernel parameters. Input presence and
// tensor roles are checked before these run (graph_validation.cpp).
#pragma once

#include <cstdint>

#include "graph/op_check.h"
#include "graph/op_params.h"

namespace swaprun::graph {

// Bound on spatial attributes (pads, strides, dilations): far above any real model,
// low enough that arithmetic with 32-bit-bounded dimensions cannot overflow.
inline constexpr int64_t kMaxSpatialAttribute = int64_t{1} << 24;

// check_nn_ops.cpp
OpParams check_conv2d(OpCheck& c);
OpParams check_adain(OpCheck& c);
OpParams check_gemm(OpCheck& c);
OpParams check_resize(OpCheck& c);
OpParams check_pool2d(OpCheck& c);

// check_tensor_ops.cpp
OpParams check_binary(OpCheck& c);
OpParams check_unary(OpCheck& c);
OpParams check_reduce_mean(OpCheck& c);
OpParams check_pad(OpCheck& c);
OpParams check_reshape(OpCheck& c);
OpParams check_concat(OpCheck& c);
OpParams check_transpose(OpCheck& c);

}  // namespace swaprun::graph
