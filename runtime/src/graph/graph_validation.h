// Load-time validation of a model's graph, beyond what the file reader checks:
// every op's inputs, attributes and output shape agree with its semantics; every
// activation is written by exactly one op before any op reads it; graph inputs and
// outputs are well-formed. Errors (ErrorKind::Format) name the op's index, name and
// type. The result carries the kernel parameters of every op.
#pragma once

#include <string>

#include "format/model_description.h"
#include "graph/op_params.h"

namespace swaprun::graph {

ValidatedGraph validate_graph(const format::ModelDescription& model, const std::string& label);

}  // namespace swaprun::graph
