#include "converter/ir/graph.h"

#include <algorithm>
#include <set>

#include "util/error.h"

namespace swaprun::convert {

int64_t Value::element_count() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::string Node::describe() const { return "node '" + name + "' (" + op_type + ")"; }

const onnx::Attribute* Node::attribute(const std::string& key) const {
    auto it = attributes.find(key);
    return it == attributes.end() ? nullptr : &it->second;
}

int64_t Node::int_attr(const std::string& key, int64_t fallback) const {
    const auto* a = attribute(key);
    if (!a) return fallback;
    if (a->type == onnx::AttributeType::Int) return a->i;
    if (a->ints.size() == 1) return a->ints[0];
    throw Error(ErrorKind::Format, describe() + ": attribute '" + key + "' is not an integer");
}

float Node::float_attr(const std::string& key, float fallback) const {
    const auto* a = attribute(key);
    if (!a) return fallback;
    if (a->type == onnx::AttributeType::Float) return a->f;
    if (a->type == onnx::AttributeType::Int) return static_cast<float>(a->i);
    if (a->floats.size() == 1) return a->floats[0];
    throw Error(ErrorKind::Format, describe() + ": attribute '" + key + "' is not a float");
}

std::string Node::string_attr(const std::string& key, const std::string& fallback) const {
    const auto* a = attribute(key);
    return a ? a->s : fallback;
}

std::vector<int64_t> Node::ints_attr(const std::string& key) const {
    const auto* a = attribute(key);
    if (!a) return {};
    if (a->type == onnx::AttributeType::Int) return {a->i};
    return a->ints;
}

std::vector<float> Node::floats_attr(const std::string& key) const {
    const auto* a = attribute(key);
    if (!a) return {};
    if (a->type == onnx::AttributeType::Float) return {a->f};
    return a->floats;
}

void Node::set_ints(const std::string& key, std::vector<int64_t> values) {
    onnx::Attribute a;
    a.name = key;
    a.type = onnx::AttributeType::Ints;
    a.ints = std::move(values);
    attributes[key] = std::move(a);
}

void Node::set_floats(const std::string& key, std::vector<float> values) {
    onnx::Attribute a;
    a.name = key;
    a.type = onnx::AttributeType::Floats;
    a.floats = std::move(values);
    attributes[key] = std::move(a);
}

Value& Graph::value(const std::string& name) {
    auto it = values.find(name);
    if (it == values.end()) {
        throw Error(ErrorKind::Format, source + ": value '" + name + "' is used but never defined");
    }
    return it->second;
}

const Value& Graph::value(const std::string& name) const {
    return const_cast<Graph*>(this)->value(name);
}

bool Graph::is_constant(const std::string& name) const {
    auto it = values.find(name);
    return it != values.end() && it->second.is_constant;
}

bool Graph::is_graph_output(const std::string& name) const {
    return std::find(outputs.begin(), outputs.end(), name) != outputs.end();
}

std::vector<size_t> Graph::consumers(const std::string& name) const {
    std::vector<size_t> out;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const auto& ins = nodes[i].inputs;
        if (std::find(ins.begin(), ins.end(), name) != ins.end()) out.push_back(i);
    }
    return out;
}

std::optional<size_t> Graph::producer(const std::string& name) const {
    for (size_t i = 0; i < nodes.size(); ++i) {
        const auto& outs = nodes[i].outputs;
        if (std::find(outs.begin(), outs.end(), name) != outs.end()) return i;
    }
    return std::nullopt;
}

std::string Graph::unique_name(const std::string& base) {
    std::string name = base;
    for (int i = 1; values.count(name); ++i) name = base + "_" + std::to_string(i);
    return name;
}

std::string Graph::add_constant(const std::string& base, std::vector<int64_t> shape,
                                std::vector<float> data) {
    Value v;
    v.name = unique_name(base);
    v.element_type = static_cast<int32_t>(onnx::ElementType::Float);
    v.shape = std::move(shape);
    v.shape_known = true;
    v.is_constant = true;
    v.floats = std::move(data);
    std::string name = v.name;
    values[name] = std::move(v);
    return name;
}

void Graph::remove_dead_nodes() {
    // Walk backwards: a node is live when a graph output or a live node reads one of
    // its outputs.
    std::set<std::string> needed(outputs.begin(), outputs.end());
    std::vector<bool> live(nodes.size(), false);
    for (size_t i = nodes.size(); i-- > 0;) {
        for (const auto& out : nodes[i].outputs) {
            if (needed.count(out)) live[i] = true;
        }
        if (live[i]) {
            for (const auto& in : nodes[i].inputs) {
                if (!in.empty()) needed.insert(in);
            }
        }
    }
    std::vector<Node> kept;
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (live[i]) kept.push_back(std::move(nodes[i]));
    }
    nodes = std::move(kept);
}

}  // namespace swaprun::convert
