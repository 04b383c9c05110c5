#include <set>

#include "converter/passes/passes.h"
#include "util/error.h"

namespace swaprun::convert {

namespace {

Value constant_from(const onnx::Tensor& t, const std::string& name) {
    Value v;
    v.name = name;
    v.element_type = t.element_type;
    v.shape = t.dims;
    v.shape_known = true;
    v.is_constant = true;
    v.floats = t.floats;
    v.ints = t.ints;
    return v;
}

}  // namespace

Graph import_model(const onnx::Model& model, const std::string& source,
                   const std::vector<Binding>& bindings) {
    Graph g;
    g.source = source;
    g.opset = model.opset();
    g.metadata = model.metadata;
    if (g.opset == 0) {
        throw Error(ErrorKind::Format, source + ": the model imports no default-domain opset");
    }
    if (g.opset < 6 || g.opset > 21) {
        throw Error(ErrorKind::Unsupported, source + ": opset " + std::to_string(g.opset) +
                                                " is outside the supported range 6..21");
    }

    std::set<std::string> read_by_nodes;
    for (const auto& n : model.graph.nodes) {
        for (const auto& in : n.inputs) read_by_nodes.insert(in);
    }
    std::set<std::string> graph_outputs;
    for (const auto& o : model.graph.outputs) graph_outputs.insert(o.name);

    for (const auto& t : model.graph.initializers) {
        if (t.name.empty()) throw Error(ErrorKind::Format, source + ": an initializer has no name");
        g.values[t.name] = constant_from(t, t.name);
        if (!read_by_nodes.count(t.name) && !graph_outputs.count(t.name)) {
            if (!onnx::is_floating(t.element_type)) {
                continue;  // an unused non-float initializer carries nothing we could use
            }
            g.extras.push_back(t.name);
        }
    }

    std::set<std::string> bound;
    for (const auto& b : bindings) {
        bool is_input = false;
        for (const auto& in : model.graph.inputs) is_input |= in.name == b.name;
        if (!is_input) {
            std::string names;
            for (const auto& in : model.graph.inputs) {
                if (!g.values.count(in.name)) names += (names.empty() ? "" : ", ") + in.name;
            }
            throw Error(ErrorKind::InvalidArgument,
                        source + ": --bind names '" + b.name +
                            "', which is not a graph input (inputs: " + names + ")");
        }
        if (b.tensor.floats.empty() && b.tensor.ints.empty() && b.tensor.element_count() != 0) {
            throw Error(ErrorKind::Unsupported, "--bind " + b.name + ": tensors of type " +
                                                    onnx::element_type_name(b.tensor.element_type) +
                                                    " cannot be bound");
        }
        g.values[b.name] = constant_from(b.tensor, b.name);
        bound.insert(b.name);
    }

    for (const auto& in : model.graph.inputs) {
        if (bound.count(in.name)) continue;
        if (g.values.count(in.name)) continue;  // an initializer listed as input (IR < 4)
        const std::string what = source + ": graph input '" + in.name + "'";
        if (!onnx::is_floating(in.element_type)) {
            throw Error(ErrorKind::Unsupported,
                        what + " has element type " + onnx::element_type_name(in.element_type) +
                            "; run-time inputs must be floating point (bind it to a constant "
                            "with --bind " +
                            in.name + "=FILE)");
        }
        if (!in.has_shape) throw Error(ErrorKind::Unsupported, what + " has no declared shape");
        for (size_t i = 0; i < in.dims.size(); ++i) {
            if (in.dims[i] < 1) {
                throw Error(ErrorKind::Unsupported,
                            what + " has a dynamic dimension " + std::to_string(i) +
                                (in.dim_params[i].empty() ? "" : " ('" + in.dim_params[i] + "')") +
                                "; shapes are fixed at conversion: export the model with a fixed "
                                "shape");
            }
        }
        Value v;
        v.name = in.name;
        v.element_type = static_cast<int32_t>(onnx::ElementType::Float);
        v.shape = in.dims;
        v.shape_known = true;
        g.values[in.name] = std::move(v);
        g.inputs.push_back(in.name);
    }

    for (const auto& o : model.graph.outputs) g.outputs.push_back(o.name);
    if (g.outputs.empty()) throw Error(ErrorKind::Format, source + ": the graph has no outputs");

    for (size_t i = 0; i < model.graph.nodes.size(); ++i) {
        const auto& n = model.graph.nodes[i];
        Node node;
        node.name = n.name.empty() ? n.op_type + "_" + std::to_string(i) : n.name;
        node.op_type = n.op_type;
        node.inputs = n.inputs;
        node.outputs = n.outputs;
        // Every ONNX operator has at least one output; the shape rules rely on it.
        if (node.outputs.empty()) {
            throw Error(ErrorKind::Format, source + ": " + node.describe() + " has no outputs");
        }
        if (!n.domain.empty() && n.domain != "ai.onnx") {
            throw Error(ErrorKind::Unsupported, source + ": " + node.describe() + ": domain '" +
                                                    n.domain + "' is not supported");
        }
        for (const auto& a : n.attributes) {
            if (a.type == onnx::AttributeType::Graph || a.type == onnx::AttributeType::Graphs) {
                throw Error(ErrorKind::Unsupported,
                            source + ": " + node.describe() +
                                ": control flow (subgraph attributes) is not supported");
            }
            node.attributes[a.name] = a;
        }
        g.nodes.push_back(std::move(node));
    }
    return g;
}

}  // namespace swaprun::convert
