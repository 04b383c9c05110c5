#include "plan/input_reuse.h"

#include <algorithm>
#include <iterator>

namespace swaprun::plan {

InputReuse analyse_input_reuse(const format::ModelDescription& model,
                               const graph::ValidatedGraph& graph) {
    // Dependencies of every tensor, as sorted input positions.
    std::vector<std::vector<uint32_t>> depends(model.tensors.size());
    for (uint32_t p = 0; p < model.inputs.size(); ++p) depends[model.inputs[p]] = {p};

    // The frame: the largest input (the first of equals).
    uint32_t frame = 0;
    for (uint32_t p = 1; p < model.inputs.size(); ++p) {
        if (model.tensors[model.inputs[p]].elements() >
            model.tensors[model.inputs[frame]].elements()) {
            frame = p;
        }
    }

    InputReuse reuse;
    reuse.op_dependencies.resize(graph.ops.size());
    reuse.reusable.assign(graph.ops.size(), false);
    for (size_t k = 0; k < graph.ops.size(); ++k) {
        const graph::CheckedOp& op = graph.ops[k];
        std::vector<uint32_t> deps;
        for (uint32_t t : op.inputs) {
            if (t == kNoTensor) continue;
            std::vector<uint32_t> merged;
            std::set_union(deps.begin(), deps.end(), depends[t].begin(), depends[t].end(),
                           std::back_inserter(merged));
            deps = std::move(merged);
        }
        depends[op.output] = deps;
        const bool on_frame = std::binary_search(deps.begin(), deps.end(), frame);
        reuse.reusable[k] = !model.inputs.empty() && !on_frame &&
                            model.tensors[op.output].elements() <= kMaxReusableElements;
        reuse.op_dependencies[k] = std::move(deps);
    }
    return reuse;
}

}  // namespace swaprun::plan
