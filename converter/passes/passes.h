// The conversion passes, in the order convert() runs them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "converter/ir/graph.h"
#include "converter/onnx/onnx_model.h"

namespace swaprun::convert {

// A graph input turned into a constant (swapconv --bind NAME=FILE).
struct Binding {
    std::string name;
    onnx::Tensor tensor;
};

// Sizes for graph inputs declared with dynamic dimensions, as insightface's detectors
// (height and width) and recognizers (batch) are.
struct InputShapes {
    // By input name (swapconv --input-shape NAME=D0,D1,...): a dynamic dimension takes
    // the size given, a fixed one must equal it, and the ranks must match.
    std::vector<std::pair<std::string, std::vector<int64_t>>> by_name;
    // For the inputs not named above: the size of each dynamic dimension by position
    // (dimension i takes fallback[i]); a dynamic dimension past its end stays an error.
    std::vector<int64_t> fallback;
};

// Builds the IR from a decoded model: initializers and bound inputs become constants,
// the remaining inputs must be float tensors whose shapes are known once `shapes` fills
// their dynamic dimensions, initializers no node reads are kept as extras. Throws
// swaprun::Error.
Graph import_model(const onnx::Model& model, const std::string& source,
                   const std::vector<Binding>& bindings, const InputShapes& shapes = {});

// Resolves every value's shape and type in node order, evaluating every node whose
// inputs are all constant (shape subgraphs, Constant nodes, arithmetic on constants)
// and removing it. Names the node in any error, including unsupported op types.
void infer_and_fold(Graph& graph);

// Rewrites ONNX patterns into the runtime's fused ops (see fuse.cpp for the list).
void fuse(Graph& graph);

}  // namespace swaprun::convert
