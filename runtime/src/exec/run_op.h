// Runs one validated op through the CPU kernels.
#pragma once

#include <vector>

#include "graph/op_params.h"

namespace swaprun::exec {

// An op's buffers, resolved once when a context is created.
struct BoundOp {
    std::vector<const float*> inputs;  // per input slot; null for an absent optional input
    float* output = nullptr;
};

// The parameters come from graph validation, which proved them consistent with the
// buffers' sizes; nothing is checked here.
void run_op(const graph::OpParams& params, const BoundOp& buffers);

}  // namespace swaprun::exec
