// The conversion passes, in the order convert() runs them.
#pragma once

#include <string>
#include <vector>

#include "converter/ir/graph.h"
#include "converter/onnx/onnx_model.h"

namespace swaprun::convert {

// A graph input turned into a constant (swapconv --bind NAME=FILE).
struct Binding {
    std::string name;
    onnx::Tensor tensor;
};

// Builds the IR from a decoded model: initializers and bound inputs become constants,
// the remaining inputs must be float tensors of fully known shape, initializers no node
// reads are kept as extras. Throws swaprun::Error.
Graph import_model(const onnx::Model& model, const std::string& source,
                   const std::vector<Binding>& bindings);

// Resolves every value's shape and type in node order, evaluating every node whose
// inputs are all constant (shape subgraphs, Constant nodes, arithmetic on constants)
// and removing it. Names the node in any error, including unsupported op types.
void infer_and_fold(Graph& graph);

// Rewrites ONNX patterns into the runtime's fused ops (see fuse.cpp for the list).
void fuse(Graph& graph);

}  // namespace swaprun::convert
