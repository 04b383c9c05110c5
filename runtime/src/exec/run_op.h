// Runs one validated op through the CPU kernels.
#pragma once

#include <vector>

#include "graph/op_params.h"
#include "kernels/conv2d_prepared.h"

namespace swaprun::exec {

// An op's buffers, resolved once when a context is created.
struct BoundOp {
    std::vector<const float*> inputs;  // per input slot; null for an absent optional input
    float* output = nullptr;
    // A Conv2d prepared at load (weights packed), run with the context's scratch
    // and thread count; null runs the plain kernel on the bound inputs.
    const kernels::PreparedConv2d* conv = nullptr;
    // Set when conv runs as the second of a pair (engine::LoadedModel::paired_first_conv):
    // then inputs[0] is this one's input, and the output conv's of its output.
    const kernels::PreparedConv2d* paired_first = nullptr;
    float* scratch = nullptr;
    int threads = 1;
    // How conv's threads share it where it is Winograd (exec::ScheduleTuner sets it).
    kernels::WinogradSchedule schedule = kernels::WinogradSchedule::Auto;
};

// The parameters come from graph validation, which proved them consistent with the
// buffers' sizes; nothing is checked here.
void run_op(const graph::OpParams& params, const BoundOp& buffers);

}  // namespace swaprun::exec
