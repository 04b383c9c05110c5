// Shape inference and constant folding in one walk over the nodes. With every graph
// input's shape fixed, the shape-computing subgraphs that exporters emit (Shape ->
// Gather -> Concat -> Reshape ...) all become constants here and disappear.
#include <map>
#include <string_view>

#include "converter/passes/node_context.h"
#include "converter/passes/passes.h"
#include "util/error.h"

namespace swaprun::convert {
namespace {

const std::map<std::string, fold::Handler>& handlers() {
    static const std::map<std::string, fold::Handler> table = {
        {"Constant", fold::handle_constant},
        {"Identity", fold::handle_identity},
        {"Dropout", fold::handle_dropout},
        {"Cast", fold::handle_cast},
        {"Shape", fold::handle_shape},
        {"Size", fold::handle_size},
        {"Gather", fold::handle_gather},
        {"Unsqueeze", fold::handle_unsqueeze},
        {"Squeeze", fold::handle_squeeze},
        {"Concat", fold::handle_concat},
        {"Slice", fold::handle_slice},
        {"Split", fold::handle_split},
        {"ConstantOfShape", fold::handle_constant_of_shape},
        {"Reshape", fold::handle_reshape},
        {"Flatten", fold::handle_flatten},
        {"Transpose", fold::handle_transpose},
        {"Range", fold::handle_range},
        {"Expand", fold::handle_expand},
        {"Where", fold::handle_where},
        {"Add", fold::handle_binary},
        {"Sub", fold::handle_binary},
        {"Mul", fold::handle_binary},
        {"Div", fold::handle_binary},
        {"Pow", fold::handle_binary},
        {"Max", fold::handle_binary},
        {"Min", fold::handle_binary},
        {"PRelu", fold::handle_binary},
        {"Mod", fold::handle_binary},
        {"Equal", fold::handle_binary},
        {"Less", fold::handle_binary},
        {"Greater", fold::handle_binary},
        {"Sqrt", fold::handle_unary},
        {"Neg", fold::handle_unary},
        {"Abs", fold::handle_unary},
        {"Exp", fold::handle_unary},
        {"Log", fold::handle_unary},
        {"Relu", fold::handle_unary},
        {"LeakyRelu", fold::handle_unary},
        {"Tanh", fold::handle_unary},
        {"Sigmoid", fold::handle_unary},
        {"Floor", fold::handle_unary},
        {"Ceil", fold::handle_unary},
        {"Reciprocal", fold::handle_unary},
        {"ReduceMean", fold::handle_reduce_mean},
        {"Conv", fold::handle_conv},
        {"Pad", fold::handle_pad},
        {"MaxPool", fold::handle_pool},
        {"AveragePool", fold::handle_pool},
        {"Resize", fold::handle_resize},
        {"Upsample", fold::handle_resize},
        {"Gemm", fold::handle_gemm},
        {"MatMul", fold::handle_matmul},
        {"InstanceNormalization", fold::handle_normalization},
        {"BatchNormalization", fold::handle_normalization},
    };
    return table;
}

}  // namespace

void infer_and_fold(Graph& graph) {
    std::vector<Node> kept;
    for (auto& node : graph.nodes) {
        auto it = handlers().find(node.op_type);
        if (it == handlers().end()) {
            throw Error(ErrorKind::Unsupported, graph.source + ": " + node.describe() +
                                                    ": op type '" + node.op_type +
                                                    "' is not supported by swapconv");
        }
        for (const auto& in : node.inputs) {
            if (!in.empty() && !graph.has_value(in)) {
                throw Error(ErrorKind::Format,
                            graph.source + ": " + node.describe() + ": input '" + in +
                                "' is not defined by any earlier node, initializer "
                                "or graph input");
            }
        }
        fold::NodeContext context(graph, node);
        try {
            it->second(context);
        } catch (const Error& e) {
            // Shape arithmetic (shape_math) may not know the node: name it here, once.
            const std::string where = graph.source + ": ";
            const std::string_view message = e.what();
            if (message.starts_with(where)) throw;
            if (message.starts_with(node.describe())) throw Error(e.kind(), where + e.what());
            throw Error(e.kind(), where + node.describe() + ": " + e.what());
        }
        bool folded = !node.outputs.empty();
        for (const auto& out : node.outputs) {
            if (!out.empty() && !graph.value(out).is_constant) folded = false;
        }
        if (!folded) kept.push_back(std::move(node));
    }
    graph.nodes = std::move(kept);
}

}  // namespace swaprun::convert
