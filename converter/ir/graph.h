// The converter's intermediate representation: ONNX's node graph with every value's
// shape resolved, constants held by value, and room for the runtime's fused ops
// (op types in the "swaprun." namespace) while passes rewrite it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "converter/onnx/onnx_model.h"

namespace swaprun::convert {

struct Value {
    std::string name;
    int32_t element_type = 0;  // onnx::ElementType
    std::vector<int64_t> shape;
    bool shape_known = false;
    bool is_constant = false;
    std::vector<float> floats;  // constant floating values (widened to float)
    std::vector<int64_t> ints;  // constant integer values (widened to int64)

    bool is_float() const { return onnx::is_floating(element_type); }
    int64_t element_count() const;
};

struct Node {
    std::string name;
    std::string op_type;              // ONNX op type, or "swaprun.<Op>" once fused
    std::vector<std::string> inputs;  // "" for an omitted optional input
    std::vector<std::string> outputs;
    std::map<std::string, onnx::Attribute> attributes;

    bool has_input(size_t i) const { return i < inputs.size() && !inputs[i].empty(); }
    // "node 'name' (OpType)" for messages.
    std::string describe() const;

    const onnx::Attribute* attribute(const std::string& key) const;
    int64_t int_attr(const std::string& key, int64_t fallback) const;
    float float_attr(const std::string& key, float fallback) const;
    std::string string_attr(const std::string& key, const std::string& fallback) const;
    std::vector<int64_t> ints_attr(const std::string& key) const;  // empty when absent
    std::vector<float> floats_attr(const std::string& key) const;

    void set_ints(const std::string& key, std::vector<int64_t> values);
    void set_floats(const std::string& key, std::vector<float> values);
};

struct Graph {
    std::string source;  // the file it came from, for messages
    int64_t opset = 0;
    std::map<std::string, Value> values;
    std::vector<Node> nodes;  // topological order
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
    std::vector<std::string> extras;  // initializers no node reads (e.g. the emap buff2fs)
    std::map<std::string, std::string> metadata;

    Value& value(const std::string& name);
    const Value& value(const std::string& name) const;
    bool has_value(const std::string& name) const { return values.count(name) != 0; }
    bool is_constant(const std::string& name) const;
    bool is_graph_output(const std::string& name) const;

    // Indices of the nodes reading `name` (a node reading it twice appears once).
    std::vector<size_t> consumers(const std::string& name) const;
    // Index of the node writing `name`, if a node does.
    std::optional<size_t> producer(const std::string& name) const;

    // A fresh value name derived from `base`.
    std::string unique_name(const std::string& base);
    // Adds a constant float value and returns its name.
    std::string add_constant(const std::string& base, std::vector<int64_t> shape,
                             std::vector<float> data);

    // Drops nodes whose outputs nobody reads (graph outputs count as read).
    void remove_dead_nodes();
};

}  // namespace swaprun::convert
