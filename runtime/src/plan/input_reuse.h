// Which ops a run may skip because their result is still valid from the previous run.
//
// Live use changes the target every frame and the source face rarely: the style
// vectors (the Gemms on the source latent) depend on the source only. The largest
// graph input is taken to be the one that changes every run (the frame); an op whose
// result does not depend on it is "reusable": when none of the inputs it does depend
// on was set since the last completed run, its output is still right and the op is
// skipped. Reusable outputs therefore keep their memory between runs, and only small
// ones are made reusable so that the arena does not grow with persistent tensors.
#pragma once

#include <cstdint>
#include <vector>

#include "format/model_description.h"
#include "graph/op_params.h"

namespace swaprun::plan {

// Largest output (in floats) that an op may keep between runs.
inline constexpr int64_t kMaxReusableElements = int64_t{1} << 20;

struct InputReuse {
    // Per op: the positions in model.inputs its result depends on, ascending.
    std::vector<std::vector<uint32_t>> op_dependencies;
    // Per op: whether the op may be skipped when those inputs are unchanged.
    std::vector<bool> reusable;
};

InputReuse analyse_input_reuse(const format::ModelDescription& model,
                               const graph::ValidatedGraph& graph);

}  // namespace swaprun::plan
