// swapconv's library entry: ONNX file in, the runtime's model description out.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "converter/ir/graph.h"
#include "converter/passes/passes.h"
#include "format/model_description.h"

namespace swaprun::convert {

struct ConvertOptions {
    // Graph inputs turned into constants: (input name, .npy or .pb file).
    std::vector<std::pair<std::string, std::string>> bindings;
    // Sizes for graph inputs declared with dynamic dimensions ('?' or a symbolic name),
    // which the .swpk fixes at conversion. See InputShapes.
    InputShapes input_shapes;
};

// The converted model; `description`'s constants point into `graph`.
struct ConvertedModel {
    Graph graph;
    format::ModelDescription description;
};

// Decode, import, fold, fuse, lower. Throws swaprun::Error naming the file and, for
// graph problems, the node.
std::unique_ptr<ConvertedModel> convert_onnx_file(const std::string& path,
                                                  const ConvertOptions& options);

}  // namespace swaprun::convert
