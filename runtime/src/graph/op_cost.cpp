#include "graph/op_cost.h"

namespace swaprun::graph {

int64_t op_macs(const CheckedOp& op) {
    if (const auto* c = std::get_if<kernels::Conv2dParams>(&op.params)) {
        return c->batch * c->out_channels * c->out_height * c->out_width *
               (c->in_channels / c->groups) * c->kernel_h * c->kernel_w;
    }
    if (const auto* g = std::get_if<kernels::GemmParams>(&op.params)) return g->m * g->n * g->k;
    return 0;
}

}  // namespace swaprun::graph
