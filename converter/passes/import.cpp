#include <algorithm>
#include <set>

#include "converter/passes/passes.h"
#include "util/error.h"
#include "util/str_cat.h"

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

std::string dims_text(const std::vector<int64_t>& dims) {
    std::string text;
    for (int64_t d : dims) text += str_cat(text.empty() ? "" : ",", d);
    return text;
}

// The input's declared dimensions with the dynamic ones filled from `shapes`.
std::vector<int64_t> fixed_shape(const onnx::ValueInfo& in, const std::string& what,
                                 const InputShapes& shapes) {
    const std::vector<int64_t>* given = nullptr;
    for (const auto& [name, dims] : shapes.by_name) {
        if (name == in.name) given = &dims;
    }
    if (given != nullptr && given->size() != in.dims.size()) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(what, " has ", in.dims.size(), " dimensions; --input-shape ", in.name,
                            "=", dims_text(*given), " gives ", given->size()));
    }
    std::vector<int64_t> dims = in.dims;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (given != nullptr && (*given)[i] < 1) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("--input-shape ", in.name, "=", dims_text(*given),
                                ": sizes must be positive"));
        }
        if (dims[i] >= 1) {
            if (given != nullptr && (*given)[i] != dims[i]) {
                throw Error(ErrorKind::InvalidArgument,
                            str_cat(what, " has dimension ", i, " fixed at ", dims[i],
                                    "; --input-shape gives ", (*given)[i]));
            }
            continue;
        }
        if (given != nullptr) {
            dims[i] = (*given)[i];
        } else if (i < shapes.fallback.size()) {
            dims[i] = shapes.fallback[i];
        } else {
            const std::string symbol =
                in.dim_params[i].empty() ? "" : str_cat(" ('", in.dim_params[i], "')");
            throw Error(ErrorKind::Unsupported,
                        str_cat(what, " has a dynamic dimension ", i, symbol,
                                "; shapes are fixed at conversion: give them with --input-shape ",
                                in.name, "=D0,D1,..."));
        }
    }
    return dims;
}

}  // namespace

Graph import_model(const onnx::Model& model, const std::string& source,
                   const std::vector<Binding>& bindings, const InputShapes& shapes) {
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

    for (const auto& entry : shapes.by_name) {
        const std::string& name = entry.first;  // clang 14 cannot capture a binding
        const bool runtime_input = !bound.count(name) && !g.values.count(name) &&
                                   std::any_of(model.graph.inputs.begin(), model.graph.inputs.end(),
                                               [&](const auto& in) { return in.name == name; });
        if (!runtime_input) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat(source, ": --input-shape names '", name,
                                "', which is not a run-time graph input"));
        }
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
        Value v;
        v.name = in.name;
        v.element_type = static_cast<int32_t>(onnx::ElementType::Float);
        v.shape = fixed_shape(in, what, shapes);
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
