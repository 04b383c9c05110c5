// The arithmetic an op performs, for profiles: multiply-accumulates of convolutions
// and Gemms (the ops that dominate a generator); 0 for the memory-bound rest.
#pragma once

#include <cstdint>

#include "graph/op_params.h"

namespace swaprun::graph {

int64_t op_macs(const CheckedOp& op);

}  // namespace swaprun::graph
