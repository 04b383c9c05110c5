// The memory plan of a validated model: where in the one float arena each graph
// input and activation lives.
//
// Lifetimes are measured in op indices. An activation is live from the op that
// writes it to the last op that reads it; graph outputs stay live to the end of the
// run (and after it, until the next run). Graph inputs are live for the whole run
// and between runs, so an input set once (the source latent) survives any number of
// runs. A Reshape whose input dies at that op (read by no later op, not a graph
// output) shares its input's bytes instead of copying them. Outputs of reusable ops
// (input_reuse.h) are live for the whole run and between runs, like the inputs.
#pragma once

#include <cstdint>
#include <vector>

#include "format/model_description.h"
#include "graph/op_params.h"
#include "plan/input_reuse.h"

namespace swaprun::plan {

inline constexpr uint64_t kNoSlot = UINT64_MAX;

struct ActivationPlan {
    // Byte offset in the arena of every tensor; kNoSlot for constants, extras and
    // activations no op touches.
    std::vector<uint64_t> tensor_offset;
    uint64_t arena_bytes = 0;
    // Sum of the sizes of every planned tensor, as if none shared memory (aliased
    // tensors counted once): what the plan saves is this minus arena_bytes.
    uint64_t unshared_bytes = 0;
    // Which ops a run may skip when their inputs are unchanged.
    InputReuse reuse;
};

// folded (empty, or one flag per op): ops whose output is never written because
// their one reader reads their first input in its place (a Resize that the next
// convolution reads its input through, on the CPU). Such an op gets no slot, and its
// input stays live until that reader has run.
ActivationPlan plan_activations(const format::ModelDescription& model,
                                const graph::ValidatedGraph& graph,
                                const std::vector<bool>& folded = {});

}  // namespace swaprun::plan
