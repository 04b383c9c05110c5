// Lowering: the fused IR becomes the runtime's model description, op by op.
#pragma once

#include "converter/ir/graph.h"
#include "format/model_description.h"

namespace swaprun::convert {

// The description's constant tensors point into `graph`'s values, so the graph must
// outlive it. Throws swaprun::Error naming any node that has no runtime equivalent.
format::ModelDescription lower(Graph& graph);

}  // namespace swaprun::convert
