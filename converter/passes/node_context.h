// What infer_and_fold's per-op handlers share (private to converter/passes): a node's
// view of the graph, with the checks every handler needs, and the handlers themselves,
// one file per family: fold_tensor_ops.cpp (the ops that make, move and reshape
// tensors: the shape-computing subgraphs exporters emit), fold_math_ops.cpp
// (elementwise arithmetic and reductions) and infer_nn_ops.cpp (convolution,
// pooling, padding, resizing, matrix products and normalization, which are shaped
// here and rarely folded).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "converter/ir/graph.h"
#include "converter/passes/shape_math.h"
#include "util/error.h"

namespace swaprun::convert::fold {

inline constexpr int32_t kFloat = static_cast<int32_t>(onnx::ElementType::Float);
inline constexpr int32_t kInt64 = static_cast<int32_t>(onnx::ElementType::Int64);

// A per-node view of the graph with the checks every handler needs.
class NodeContext {
  public:
    NodeContext(Graph& graph, Node& node) : graph_(graph), node_(node) {}

    Node& node() { return node_; }
    [[noreturn]] void fail(const std::string& why, ErrorKind kind = ErrorKind::Format) const {
        throw Error(kind, graph_.source + ": " + node_.describe() + ": " + why);
    }

    size_t input_count() const { return node_.inputs.size(); }
    bool has(size_t i) const { return node_.has_input(i); }
    const Value& in(size_t i) const {
        if (!has(i)) fail("input " + std::to_string(i) + " is missing");
        return graph_.value(node_.inputs[i]);
    }
    const Dims& shape(size_t i) const { return in(i).shape; }
    bool constant(size_t i) const { return has(i) && in(i).is_constant; }
    bool all_constant() const {
        for (size_t i = 0; i < node_.inputs.size(); ++i) {
            if (has(i) && !in(i).is_constant) return false;
        }
        return true;
    }
    // The integer values of a constant input (a shape, axes, pads ...).
    std::vector<int64_t> ints(size_t i, const std::string& what) const {
        if (!constant(i)) {
            fail(what + " (input " + std::to_string(i) +
                     ") must be a constant: it is computed at run time, which the runtime's fixed "
                     "shapes do not allow",
                 ErrorKind::Unsupported);
        }
        const Value& v = in(i);
        if (!v.ints.empty() || v.element_count() == 0) return v.ints;
        std::vector<int64_t> out;
        for (float f : v.floats) out.push_back(static_cast<int64_t>(f));
        return out;
    }
    std::vector<float> floats(size_t i, const std::string& what) const {
        if (!constant(i)) fail(what + " must be a constant", ErrorKind::Unsupported);
        const Value& v = in(i);
        if (!v.floats.empty() || v.element_count() == 0) return v.floats;
        return std::vector<float>(v.ints.begin(), v.ints.end());
    }

    Value& out(size_t i) {
        if (i >= node_.outputs.size() || node_.outputs[i].empty()) {
            fail("output " + std::to_string(i) + " is missing");
        }
        Value& v = graph_.values[node_.outputs[i]];
        v.name = node_.outputs[i];
        return v;
    }
    void set_shape(size_t i, Dims shape, int32_t type) {
        Value& v = out(i);
        v.shape = std::move(shape);
        v.element_type = type;
        v.shape_known = true;
    }
    void set_constant(size_t i, Dims shape, int32_t type, std::vector<float> f,
                      std::vector<int64_t> n) {
        set_shape(i, std::move(shape), type);
        Value& v = out(i);
        v.is_constant = true;
        v.floats = std::move(f);
        v.ints = std::move(n);
        if (onnx::is_floating(type)) {
            if (v.floats.empty() && !v.ints.empty()) v.floats.assign(v.ints.begin(), v.ints.end());
            v.ints.clear();
        } else {
            if (v.ints.empty() && !v.floats.empty()) {
                for (float x : v.floats) v.ints.push_back(static_cast<int64_t>(x));
            }
            v.floats.clear();
        }
    }
    // A constant output with the same element type as input `like`.
    void set_like(size_t i, Dims shape, const Value& like, std::vector<float> f,
                  std::vector<int64_t> n) {
        set_constant(i, std::move(shape), like.element_type, std::move(f), std::move(n));
    }

  private:
    Graph& graph_;
    Node& node_;
};

inline std::vector<int64_t> iota(int64_t count) {
    std::vector<int64_t> v(count);
    for (int64_t i = 0; i < count; ++i) v[i] = i;
    return v;
}

// Handlers return after setting every output's shape, and fold when they can.
using Handler = std::function<void(NodeContext&)>;

// Output 0 shaped and typed as input 0.
inline void same_shape(NodeContext& c) { c.set_shape(0, c.shape(0), c.in(0).element_type); }

// Each sets every output's shape, and folds the node (makes its outputs constants)
// when it can.
void handle_constant(NodeContext& c);
void handle_identity(NodeContext& c);
void handle_dropout(NodeContext& c);
void handle_cast(NodeContext& c);
void handle_shape(NodeContext& c);
void handle_size(NodeContext& c);
void handle_gather(NodeContext& c);
void handle_unsqueeze(NodeContext& c);
void handle_squeeze(NodeContext& c);
void handle_concat(NodeContext& c);
void handle_slice(NodeContext& c);
void handle_split(NodeContext& c);
void handle_constant_of_shape(NodeContext& c);
void handle_reshape(NodeContext& c);
void handle_flatten(NodeContext& c);
void handle_transpose(NodeContext& c);
void handle_range(NodeContext& c);
void handle_expand(NodeContext& c);

void handle_variadic_extremum(NodeContext& c);
void handle_binary(NodeContext& c);
void handle_where(NodeContext& c);
void handle_unary(NodeContext& c);
void handle_reduce_mean(NodeContext& c);

void handle_conv(NodeContext& c);
void handle_pool(NodeContext& c);
void handle_pad(NodeContext& c);
void handle_resize(NodeContext& c);
void handle_gemm(NodeContext& c);
void handle_matmul(NodeContext& c);
void handle_normalization(NodeContext& c);

}  // namespace swaprun::convert::fold
