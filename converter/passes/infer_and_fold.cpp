// Shape inference and constant folding in one walk over the nodes. With every graph
// input's shape fixed, the shape-computing subgraphs that exporters emit (Shape ->
// Gather -> Concat -> Reshape ...) all become constants here and disappear.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <string_view>

#include "converter/passes/passes.h"
#include "converter/passes/shape_math.h"
#include "util/error.h"
#include "util/limits.h"

namespace swaprun::convert {

namespace {

using onnx::ElementType;

constexpr int32_t kFloat = static_cast<int32_t>(ElementType::Float);
constexpr int32_t kInt64 = static_cast<int32_t>(ElementType::Int64);

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

// Gathers values of `v` at `index` positions into a constant shaped `shape`.
void set_gathered(NodeContext& c, size_t out, const Dims& shape, const Value& v,
                  const std::vector<int64_t>& index) {
    std::vector<float> f;
    std::vector<int64_t> n;
    if (v.is_float()) {
        f.reserve(index.size());
        for (int64_t i : index) f.push_back(v.floats[i]);
    } else {
        n.reserve(index.size());
        for (int64_t i : index) n.push_back(v.ints[i]);
    }
    c.set_like(out, shape, v, std::move(f), std::move(n));
}

std::vector<int64_t> iota(int64_t count) {
    std::vector<int64_t> v(count);
    for (int64_t i = 0; i < count; ++i) v[i] = i;
    return v;
}

// Handlers return after setting every output's shape, and fold when they can.
using Handler = std::function<void(NodeContext&)>;

void same_shape(NodeContext& c) { c.set_shape(0, c.shape(0), c.in(0).element_type); }

void handle_constant(NodeContext& c) {
    const Node& n = c.node();
    if (const auto* a = n.attribute("value")) {
        if (a->tensors.size() != 1) c.fail("'value' is not a tensor");
        const auto& t = a->tensors[0];
        if (t.floats.empty() && t.ints.empty() && t.element_count() != 0) {
            c.fail(std::string("constants of type ") + onnx::element_type_name(t.element_type) +
                       " are not supported",
                   ErrorKind::Unsupported);
        }
        c.set_constant(0, t.dims, t.element_type, t.floats, t.ints);
    } else if (const auto* f = n.attribute("value_float")) {
        c.set_constant(0, {}, kFloat, {f->f}, {});
    } else if (const auto* fs = n.attribute("value_floats")) {
        c.set_constant(0, {static_cast<int64_t>(fs->floats.size())}, kFloat, fs->floats, {});
    } else if (const auto* i = n.attribute("value_int")) {
        c.set_constant(0, {}, kInt64, {}, {i->i});
    } else if (const auto* is = n.attribute("value_ints")) {
        c.set_constant(0, {static_cast<int64_t>(is->ints.size())}, kInt64, {}, is->ints);
    } else {
        c.fail("no supported value attribute (sparse and string constants are not supported)",
               ErrorKind::Unsupported);
    }
}

void handle_identity(NodeContext& c) {
    if (c.constant(0)) {
        c.set_like(0, c.shape(0), c.in(0), c.in(0).floats, c.in(0).ints);
    } else {
        same_shape(c);
    }
}

// Rounds to the nearest float16 value (ties to even), as a float.
float round_to_half(float x) {
    if (!std::isfinite(x)) return x;
    const float a = std::fabs(x);
    if (a >= 65520.0f) return std::copysign(INFINITY, x);
    int exponent;
    std::frexp(a, &exponent);                                // a = m * 2^exponent, m in [0.5, 1)
    const int step_exponent = std::max(exponent - 11, -24);  // 10 mantissa bits; subnormals
    const float step = std::ldexp(1.0f, step_exponent);
    return std::copysign(std::nearbyint(a / step) * step, x);
}

// Rounds to the nearest bfloat16 value (ties to even), as a float.
float round_to_bfloat16(float x) {
    if (!std::isfinite(x)) return x;
    uint32_t bits;
    std::memcpy(&bits, &x, 4);
    bits += 0x7fff + ((bits >> 16) & 1);
    bits &= 0xffff0000u;
    std::memcpy(&x, &bits, 4);
    return x;
}

// Inference-mode dropout: the identity, and a mask of all true when asked for.
void handle_dropout(NodeContext& c) {
    if (c.has(2) && (!c.constant(2) || c.ints(2, "training_mode").at(0) != 0)) {
        c.fail("training mode is not supported", ErrorKind::Unsupported);
    }
    handle_identity(c);
    if (c.node().outputs.size() > 1 && !c.node().outputs[1].empty()) {
        const Dims& s = c.shape(0);
        c.set_constant(1, s, static_cast<int32_t>(ElementType::Bool), {},
                       std::vector<int64_t>(element_count(s), 1));
    }
}

void handle_cast(NodeContext& c) {
    const int32_t to = static_cast<int32_t>(c.node().int_attr("to", 0));
    if (!onnx::is_floating(to) && !onnx::is_integer(to)) {
        c.fail(std::string("cast to ") + onnx::element_type_name(to) + " is not supported",
               ErrorKind::Unsupported);
    }
    if (!c.constant(0)) {
        if (!onnx::is_floating(to))
            c.fail("a run-time cast to an integer type is not supported", ErrorKind::Unsupported);
        c.set_shape(0, c.shape(0), to);
        return;
    }
    const Value& v = c.in(0);
    std::vector<float> f;
    std::vector<int64_t> n;
    if (onnx::is_floating(to)) {
        f = c.floats(0, "input");
        // The values keep float storage but take the precision of the target type.
        if (to == static_cast<int32_t>(ElementType::Float16)) {
            for (float& x : f) x = round_to_half(x);
        } else if (to == static_cast<int32_t>(ElementType::Bfloat16)) {
            for (float& x : f) x = round_to_bfloat16(x);
        }
    } else if (v.is_float()) {
        for (float x : v.floats) n.push_back(static_cast<int64_t>(std::trunc(x)));
    } else {
        n = v.ints;
    }
    if (to == static_cast<int32_t>(ElementType::Bool)) {
        for (auto& x : n) x = x != 0;
    }
    c.set_constant(0, v.shape, to, std::move(f), std::move(n));
}

void handle_shape(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    int64_t start = c.node().int_attr("start", 0), end = c.node().int_attr("end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, 0, rank);
    Dims out(s.begin() + start, s.begin() + std::max(start, end));
    c.set_constant(0, {static_cast<int64_t>(out.size())}, kInt64, {}, out);
}

void handle_size(NodeContext& c) { c.set_constant(0, {}, kInt64, {}, {element_count(c.shape(0))}); }

void handle_gather(NodeContext& c) {
    const Dims& data = c.shape(0);
    const int64_t rank = static_cast<int64_t>(data.size());
    const int64_t axis = normalize_axis(c.node().int_attr("axis", 0), rank, c.node().describe());
    Dims out(data.begin(), data.begin() + axis);
    const Dims& idx_shape = c.shape(1);
    out.insert(out.end(), idx_shape.begin(), idx_shape.end());
    out.insert(out.end(), data.begin() + axis + 1, data.end());
    if (!c.all_constant()) {
        c.fail("Gather on run-time data is not supported", ErrorKind::Unsupported);
    }
    std::vector<int64_t> indices = c.ints(1, "indices");
    const int64_t outer = element_count(Dims(data.begin(), data.begin() + axis));
    const int64_t inner = element_count(Dims(data.begin() + axis + 1, data.end()));
    std::vector<int64_t> index;
    for (int64_t o = 0; o < outer; ++o) {
        for (int64_t k : indices) {
            if (k < -data[axis] || k >= data[axis])
                c.fail("index " + std::to_string(k) + " out of range");
            if (k < 0) k += data[axis];
            for (int64_t i = 0; i < inner; ++i) index.push_back((o * data[axis] + k) * inner + i);
        }
    }
    set_gathered(c, 0, out, c.in(0), index);
}

std::vector<int64_t> axes_of(NodeContext& c, size_t input, bool attr_form) {
    if (attr_form) return c.node().ints_attr("axes");
    if (c.has(input)) return c.ints(input, "axes");
    return {};
}

void handle_unsqueeze(NodeContext& c) {
    auto axes = axes_of(c, 1, c.node().attribute("axes") != nullptr || !c.has(1));
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size() + axes.size());
    Dims out(rank, -1);
    for (auto a : axes) {
        a = normalize_axis(a, rank, c.node().describe());
        if (out[a] != -1) c.fail("repeated axis");
        out[a] = 1;
    }
    size_t k = 0;
    for (auto& d : out) {
        if (d == -1) d = s[k++];
    }
    if (c.constant(0)) {
        c.set_like(0, out, c.in(0), c.in(0).floats, c.in(0).ints);
    } else {
        c.set_shape(0, out, c.in(0).element_type);
    }
}

void handle_squeeze(NodeContext& c) {
    auto axes = axes_of(c, 1, c.node().attribute("axes") != nullptr || !c.has(1));
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    std::vector<bool> drop(rank, false);
    if (axes.empty()) {
        for (int64_t i = 0; i < rank; ++i) drop[i] = s[i] == 1;
    }
    for (auto a : axes) {
        a = normalize_axis(a, rank, c.node().describe());
        if (s[a] != 1)
            c.fail("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(s[a]));
        drop[a] = true;
    }
    Dims out;
    for (int64_t i = 0; i < rank; ++i) {
        if (!drop[i]) out.push_back(s[i]);
    }
    if (c.constant(0)) {
        c.set_like(0, out, c.in(0), c.in(0).floats, c.in(0).ints);
    } else {
        c.set_shape(0, out, c.in(0).element_type);
    }
}

void handle_concat(NodeContext& c) {
    const Dims& first = c.shape(0);
    const int64_t rank = static_cast<int64_t>(first.size());
    const int64_t axis = normalize_axis(c.node().int_attr("axis", 0), rank, c.node().describe());
    Dims out = first;
    out[axis] = 0;
    for (size_t i = 0; i < c.input_count(); ++i) {
        const Dims& s = c.shape(i);
        if (static_cast<int64_t>(s.size()) != rank) c.fail("inputs differ in rank");
        for (int64_t d = 0; d < rank; ++d) {
            if (d != axis && s[d] != first[d])
                c.fail("input shapes " + format_dims(first) + " and " + format_dims(s) +
                       " differ outside the axis");
        }
        out[axis] += s[axis];
    }
    if (!c.all_constant()) {
        c.set_shape(0, out, c.in(0).element_type);
        return;
    }
    const int64_t outer = element_count(Dims(first.begin(), first.begin() + axis));
    std::vector<float> f;
    std::vector<int64_t> n;
    const bool is_float = c.in(0).is_float();
    for (int64_t o = 0; o < outer; ++o) {
        for (size_t i = 0; i < c.input_count(); ++i) {
            const Value& v = c.in(i);
            const int64_t chunk = element_count(Dims(v.shape.begin() + axis, v.shape.end()));
            if (is_float) {
                auto src = c.floats(i, "input");
                f.insert(f.end(), src.begin() + o * chunk, src.begin() + (o + 1) * chunk);
            } else {
                auto src = c.ints(i, "input");
                n.insert(n.end(), src.begin() + o * chunk, src.begin() + (o + 1) * chunk);
            }
        }
    }
    c.set_like(0, out, c.in(0), std::move(f), std::move(n));
}

// ONNX Slice for one axis: clamps start/end as the spec does and returns the taken
// indices of that axis.
std::vector<int64_t> slice_axis(int64_t dim, int64_t start, int64_t end, int64_t step) {
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    std::vector<int64_t> taken;
    if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        for (int64_t i = start; i < end; i += step) taken.push_back(i);
    } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        for (int64_t i = start; i > end; i += step) taken.push_back(i);
    }
    return taken;
}

// Per-axis index lists for a Slice node, whichever opset form it takes.
std::vector<std::vector<int64_t>> slice_indices(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    std::vector<int64_t> starts, ends, axes, steps;
    if (c.node().attribute("starts")) {  // opset < 10
        starts = c.node().ints_attr("starts");
        ends = c.node().ints_attr("ends");
        axes = c.node().ints_attr("axes");
    } else {
        starts = c.ints(1, "starts");
        ends = c.ints(2, "ends");
        if (c.has(3)) axes = c.ints(3, "axes");
        if (c.has(4)) steps = c.ints(4, "steps");
    }
    if (axes.empty()) axes = iota(static_cast<int64_t>(starts.size()));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size()) {
        c.fail("starts, ends, axes and steps differ in length");
    }
    std::vector<std::vector<int64_t>> taken(rank);
    std::vector<bool> sliced(rank, false);
    for (size_t i = 0; i < starts.size(); ++i) {
        const int64_t a = normalize_axis(axes[i], rank, c.node().describe());
        if (steps[i] == 0) c.fail("slice step 0");
        if (sliced[a]) c.fail("axis sliced twice");
        sliced[a] = true;
        taken[a] = slice_axis(s[a], starts[i], ends[i], steps[i]);
    }
    for (int64_t a = 0; a < rank; ++a) {
        if (!sliced[a]) taken[a] = iota(s[a]);
    }
    return taken;
}

// Flat source indices of the cartesian product of per-axis index lists.
std::vector<int64_t> product_indices(const Dims& shape,
                                     const std::vector<std::vector<int64_t>>& taken,
                                     Dims& out_shape) {
    const Dims strides = strides_of(shape);
    out_shape.clear();
    for (const auto& t : taken) out_shape.push_back(static_cast<int64_t>(t.size()));
    std::vector<int64_t> index;
    const int64_t count = element_count(out_shape);
    index.reserve(count);
    Dims pos(shape.size(), 0);
    for (int64_t flat = 0; flat < count; ++flat) {
        int64_t at = 0;
        for (size_t a = 0; a < shape.size(); ++a) at += taken[a][pos[a]] * strides[a];
        index.push_back(at);
        for (size_t a = shape.size(); a-- > 0;) {
            if (++pos[a] < out_shape[a]) break;
            pos[a] = 0;
        }
    }
    return index;
}

void handle_slice(NodeContext& c) {
    auto taken = slice_indices(c);
    Dims out;
    if (!c.constant(0)) {
        for (const auto& t : taken) out.push_back(static_cast<int64_t>(t.size()));
        c.set_shape(0, out, c.in(0).element_type);  // lowered only when a fusion absorbs it
        return;
    }
    auto index = product_indices(c.shape(0), taken, out);
    set_gathered(c, 0, out, c.in(0), index);
}

void handle_split(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    const int64_t axis = normalize_axis(c.node().int_attr("axis", 0), rank, c.node().describe());
    std::vector<int64_t> sizes = c.node().ints_attr("split");
    if (sizes.empty() && c.has(1)) sizes = c.ints(1, "split");
    const int64_t outputs = static_cast<int64_t>(c.node().outputs.size());
    if (sizes.empty()) {
        const int64_t parts = c.node().int_attr("num_outputs", outputs);
        if (parts != outputs) {  // the importer leaves no node without outputs
            c.fail("num_outputs is " + std::to_string(parts) + " but the node has " +
                   std::to_string(outputs) + " outputs");
        }
        const int64_t chunk = (s[axis] + parts - 1) / parts;
        for (int64_t i = 0; i < parts; ++i) sizes.push_back(std::min(chunk, s[axis] - i * chunk));
    }
    if (static_cast<int64_t>(sizes.size()) != outputs)
        c.fail("split sizes do not match the outputs");
    int64_t total = 0;
    for (auto v : sizes) {  // each in range first, so that the sum cannot overflow
        if (v < 0 || v > s[axis]) c.fail("split size " + std::to_string(v) + " is out of range");
        total += v;
    }
    if (total != s[axis])
        c.fail("split sizes add up to " + std::to_string(total) + ", not " +
               std::to_string(s[axis]));
    int64_t start = 0;
    for (int64_t o = 0; o < outputs; ++o) {
        std::vector<std::vector<int64_t>> taken(rank);
        for (int64_t a = 0; a < rank; ++a) taken[a] = iota(s[a]);
        taken[axis].clear();
        for (int64_t i = 0; i < sizes[o]; ++i) taken[axis].push_back(start + i);
        start += sizes[o];
        Dims out;
        if (c.constant(0)) {
            auto index = product_indices(s, taken, out);
            set_gathered(c, o, out, c.in(0), index);
        } else {
            for (const auto& t : taken) out.push_back(static_cast<int64_t>(t.size()));
            c.set_shape(o, out, c.in(0).element_type);
        }
    }
}

void handle_constant_of_shape(NodeContext& c) {
    Dims shape = c.ints(0, "shape");
    for (auto d : shape) {
        if (d < 0) c.fail("negative dimension in ConstantOfShape");
    }
    int32_t type = kFloat;
    float fv = 0.0f;
    int64_t iv = 0;
    if (const auto* a = c.node().attribute("value")) {
        if (a->tensors.size() != 1 || a->tensors[0].element_count() != 1)
            c.fail("'value' must hold one element");
        type = a->tensors[0].element_type;
        if (!a->tensors[0].floats.empty()) fv = a->tensors[0].floats[0];
        if (!a->tensors[0].ints.empty()) iv = a->tensors[0].ints[0];
    }
    const int64_t count = element_count(shape);
    if (count > limits::kMaxFoldedElements) {
        c.fail("constant too large to fold", ErrorKind::Unsupported);
    }
    if (onnx::is_floating(type)) {
        c.set_constant(0, shape, type, std::vector<float>(count, fv), {});
    } else {
        c.set_constant(0, shape, type, {}, std::vector<int64_t>(count, iv));
    }
}

void reshape_to(NodeContext& c, const Dims& out) {
    if (element_count(out) != element_count(c.shape(0))) {
        c.fail("cannot reshape " + format_dims(c.shape(0)) + " to " + format_dims(out));
    }
    if (c.constant(0)) {
        c.set_like(0, out, c.in(0), c.in(0).floats, c.in(0).ints);
    } else {
        c.set_shape(0, out, c.in(0).element_type);
    }
}

void handle_reshape(NodeContext& c) {
    Dims target = c.node().attribute("shape") ? c.node().ints_attr("shape") : c.ints(1, "shape");
    const Dims& s = c.shape(0);
    const bool allow_zero = c.node().int_attr("allowzero", 0) != 0;
    int64_t known = 1, infer_at = -1;
    for (size_t i = 0; i < target.size(); ++i) {
        if (target[i] == 0 && !allow_zero) {
            if (i >= s.size()) c.fail("0 in the shape refers past the input's rank");
            target[i] = s[i];
        }
        if (target[i] == -1) {
            if (infer_at >= 0) c.fail("more than one -1 in the shape");
            infer_at = static_cast<int64_t>(i);
        } else if (target[i] < 0) {
            c.fail("negative dimension in the target shape");
        } else {
            known *= target[i];
        }
    }
    if (infer_at >= 0) {
        if (known == 0 || element_count(s) % known != 0) c.fail("cannot infer the -1 dimension");
        target[infer_at] = element_count(s) / known;
    }
    reshape_to(c, target);
}

void handle_flatten(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    int64_t axis = c.node().int_attr("axis", 1);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis > rank) c.fail("axis out of range");
    const int64_t outer = element_count(Dims(s.begin(), s.begin() + axis));
    reshape_to(c, {outer, element_count(s) / std::max<int64_t>(outer, 1)});
}

void handle_transpose(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    Dims perm = c.node().ints_attr("perm");
    if (perm.empty()) {
        for (int64_t i = rank; i-- > 0;) perm.push_back(i);
    }
    if (static_cast<int64_t>(perm.size()) != rank) c.fail("perm has the wrong length");
    std::vector<bool> seen(rank, false);
    Dims out;
    for (auto p : perm) {
        if (p < 0 || p >= rank || seen[p]) c.fail("perm is not a permutation");
        seen[p] = true;
        out.push_back(s[p]);
    }
    c.node().set_ints("perm", perm);
    if (!c.constant(0)) {
        c.set_shape(0, out, c.in(0).element_type);
        return;
    }
    std::vector<std::vector<int64_t>> taken;
    // Output position -> source index: walk the output in order.
    const Dims in_strides = strides_of(s);
    std::vector<int64_t> index;
    Dims pos(rank, 0);
    for (int64_t flat = 0; flat < element_count(out); ++flat) {
        int64_t at = 0;
        for (int64_t a = 0; a < rank; ++a) at += pos[a] * in_strides[perm[a]];
        index.push_back(at);
        for (int64_t a = rank; a-- > 0;) {
            if (++pos[a] < out[a]) break;
            pos[a] = 0;
        }
    }
    set_gathered(c, 0, out, c.in(0), index);
}

void handle_range(NodeContext& c) {
    if (!c.all_constant()) c.fail("Range needs constant inputs", ErrorKind::Unsupported);
    const Value& v = c.in(0);
    if (v.is_float()) {
        float start = c.floats(0, "start")[0], limit = c.floats(1, "limit")[0],
              delta = c.floats(2, "delta")[0];
        if (delta == 0) c.fail("delta is 0");
        const double steps = std::ceil((static_cast<double>(limit) - start) / delta);
        if (!(steps <= static_cast<double>(limits::kMaxFoldedElements))) {
            c.fail("Range of more than " + std::to_string(limits::kMaxFoldedElements) +
                       " elements (or not finite)",
                   ErrorKind::Unsupported);
        }
        const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(steps));
        std::vector<float> f;
        for (int64_t i = 0; i < n; ++i) f.push_back(start + i * delta);
        c.set_like(0, {n}, v, f, {});
    } else {
        int64_t start = c.ints(0, "start")[0], limit = c.ints(1, "limit")[0],
                delta = c.ints(2, "delta")[0];
        if (delta == 0) c.fail("delta is 0");
        // In long double: the int64 difference and rounding can overflow.
        const long double steps =
            std::ceil((static_cast<long double>(limit) - start) / static_cast<long double>(delta));
        if (steps > static_cast<long double>(limits::kMaxFoldedElements)) {
            c.fail("Range of more than " + std::to_string(limits::kMaxFoldedElements) + " elements",
                   ErrorKind::Unsupported);
        }
        const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(steps));
        std::vector<int64_t> r;
        // Stepping, not start + i * delta: every value lies between start and limit,
        // but i * delta alone can overflow.
        int64_t value = start;
        for (int64_t i = 0; i < n; ++i) {
            r.push_back(value);
            if (i + 1 < n) value += delta;
        }
        c.set_like(0, {n}, v, {}, r);
    }
}

void handle_expand(NodeContext& c) {
    Dims target = c.ints(1, "shape");
    Dims out = broadcast_shapes(c.shape(0), target, c.node().describe());
    if (!c.constant(0)) c.fail("Expand on run-time data is not supported", ErrorKind::Unsupported);
    set_gathered(c, 0, out, c.in(0), broadcast_indices(out, c.shape(0)));
}

double apply_binary(const std::string& op, double a, double b) {
    if (op == "Add") return a + b;
    if (op == "Sub") return a - b;
    if (op == "Mul") return a * b;
    if (op == "Div") return a / b;
    if (op == "Pow") return std::pow(a, b);
    if (op == "Max") return std::max(a, b);
    if (op == "Min") return std::min(a, b);
    if (op == "Equal") return a == b;
    if (op == "Less") return a < b;
    if (op == "Greater") return a > b;
    if (op == "PRelu") return a < 0 ? a * b : a;
    return 0;
}

int64_t apply_binary_int(const std::string& op, int64_t a, int64_t b, NodeContext& c) {
    if (op == "Div") {
        if (b == 0) c.fail("integer division by zero");
        return a / b;
    }
    if (op == "Add") return a + b;
    if (op == "Sub") return a - b;
    if (op == "Mul") return a * b;
    if (op == "Max") return std::max(a, b);
    if (op == "Min") return std::min(a, b);
    if (op == "Mod") return b == 0 ? 0 : a % b;
    return static_cast<int64_t>(apply_binary(op, static_cast<double>(a), static_cast<double>(b)));
}

// Max or Min of three or more inputs: the broadcast shape, folded when constant.
void handle_variadic_extremum(NodeContext& c) {
    const bool is_max = c.node().op_type == "Max";
    Dims out = c.shape(0);
    for (size_t i = 1; i < c.input_count(); ++i)
        out = broadcast_shapes(out, c.shape(i), c.node().describe());
    bool all_float = true;
    for (size_t i = 0; i < c.input_count(); ++i) all_float &= c.in(i).is_float();
    if (!c.all_constant()) {
        if (!all_float)
            c.fail("run-time integer arithmetic is not supported", ErrorKind::Unsupported);
        c.set_shape(0, out, c.in(0).element_type);
        return;
    }
    std::vector<double> acc(element_count(out), is_max ? -INFINITY : INFINITY);
    for (size_t i = 0; i < c.input_count(); ++i) {
        auto index = broadcast_indices(out, c.shape(i));
        auto values = c.floats(i, "input");
        for (size_t k = 0; k < acc.size(); ++k) {
            acc[k] = is_max ? std::max<double>(acc[k], values[index[k]])
                            : std::min<double>(acc[k], values[index[k]]);
        }
    }
    std::vector<float> f(acc.begin(), acc.end());
    std::vector<int64_t> n;
    if (!all_float) n.assign(acc.begin(), acc.end());
    c.set_like(0, out, c.in(0), std::move(f), std::move(n));
}

void handle_binary(NodeContext& c) {
    const std::string& op = c.node().op_type;
    if ((op == "Max" || op == "Min") && c.input_count() == 1) {
        handle_identity(c);
        return;
    }
    if ((op == "Max" || op == "Min") && c.input_count() > 2) {
        handle_variadic_extremum(c);
        return;
    }
    if (c.input_count() != 2) c.fail("expects 2 inputs", ErrorKind::Unsupported);
    const Dims out = broadcast_shapes(c.shape(0), c.shape(1), c.node().describe());
    const bool comparison = op == "Equal" || op == "Less" || op == "Greater";
    const int32_t out_type =
        comparison ? static_cast<int32_t>(ElementType::Bool) : c.in(0).element_type;
    if (!c.all_constant()) {
        if (comparison || !c.in(0).is_float())
            c.fail("run-time integer or comparison arithmetic is not supported",
                   ErrorKind::Unsupported);
        c.set_shape(0, out, out_type);
        return;
    }
    auto ia = broadcast_indices(out, c.shape(0)), ib = broadcast_indices(out, c.shape(1));
    const bool as_float = c.in(0).is_float() || c.in(1).is_float();
    std::vector<float> f;
    std::vector<int64_t> n;
    if (as_float) {
        auto a = c.floats(0, "A"), b = c.floats(1, "B");
        for (size_t i = 0; i < ia.size(); ++i) {
            double r = apply_binary(op, a[ia[i]], b[ib[i]]);
            if (comparison)
                n.push_back(static_cast<int64_t>(r));
            else
                f.push_back(static_cast<float>(r));
        }
    } else {
        auto a = c.ints(0, "A"), b = c.ints(1, "B");
        for (size_t i = 0; i < ia.size(); ++i)
            n.push_back(apply_binary_int(op, a[ia[i]], b[ib[i]], c));
    }
    c.set_constant(0, out, out_type, std::move(f), std::move(n));
}

void handle_where(NodeContext& c) {
    if (!c.all_constant())
        c.fail("Where on run-time data is not supported", ErrorKind::Unsupported);
    Dims out = broadcast_shapes(broadcast_shapes(c.shape(0), c.shape(1), c.node().describe()),
                                c.shape(2), c.node().describe());
    auto ic = broadcast_indices(out, c.shape(0)), ix = broadcast_indices(out, c.shape(1)),
         iy = broadcast_indices(out, c.shape(2));
    auto cond = c.ints(0, "condition");
    const Value& x = c.in(1);
    std::vector<float> f;
    std::vector<int64_t> n;
    if (x.is_float()) {
        auto xs = c.floats(1, "X"), ys = c.floats(2, "Y");
        for (size_t i = 0; i < ic.size(); ++i) f.push_back(cond[ic[i]] ? xs[ix[i]] : ys[iy[i]]);
    } else {
        auto xs = c.ints(1, "X"), ys = c.ints(2, "Y");
        for (size_t i = 0; i < ic.size(); ++i) n.push_back(cond[ic[i]] ? xs[ix[i]] : ys[iy[i]]);
    }
    c.set_like(0, out, x, std::move(f), std::move(n));
}

void handle_unary(NodeContext& c) {
    const std::string& op = c.node().op_type;
    if (!c.constant(0)) {
        if (!c.in(0).is_float())
            c.fail("run-time integer arithmetic is not supported", ErrorKind::Unsupported);
        same_shape(c);
        return;
    }
    const Value& v = c.in(0);
    if (!v.is_float()) {
        std::vector<int64_t> n = v.ints;
        // Two's complement negation, as ONNX Runtime and numpy compute it: INT64_MIN
        // stays itself instead of overflowing (undefined behaviour in C++).
        const auto negate = [](int64_t x) {
            return static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(x));
        };
        for (auto& x : n) {
            if (op == "Neg")
                x = negate(x);
            else if (op == "Abs")
                x = x < 0 ? negate(x) : x;
            else if (op == "Relu")
                x = std::max<int64_t>(x, 0);
            else if (op != "Floor" && op != "Ceil" && op != "Identity")
                c.fail("integer " + op + " is not supported", ErrorKind::Unsupported);
        }
        c.set_like(0, v.shape, v, {}, n);
        return;
    }
    const float alpha = c.node().float_attr("alpha", 0.01f);
    std::vector<float> f = v.floats;
    for (auto& x : f) {
        if (op == "Sqrt")
            x = std::sqrt(x);
        else if (op == "Neg")
            x = -x;
        else if (op == "Abs")
            x = std::fabs(x);
        else if (op == "Exp")
            x = std::exp(x);
        else if (op == "Log")
            x = std::log(x);
        else if (op == "Relu")
            x = std::max(x, 0.0f);
        else if (op == "LeakyRelu")
            x = x < 0 ? alpha * x : x;
        else if (op == "Tanh")
            x = std::tanh(x);
        else if (op == "Sigmoid")
            x = 1.0f / (1.0f + std::exp(-x));
        else if (op == "Floor")
            x = std::floor(x);
        else if (op == "Ceil")
            x = std::ceil(x);
        else if (op == "Reciprocal")
            x = 1.0f / x;
    }
    c.set_like(0, v.shape, v, f, {});
}

void handle_reduce_mean(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    std::vector<int64_t> axes = c.node().attribute("axes") ? c.node().ints_attr("axes")
                                : c.has(1)                 ? c.ints(1, "axes")
                                                           : std::vector<int64_t>{};
    const bool keep = c.node().int_attr("keepdims", 1) != 0;
    if (axes.empty()) {
        if (c.node().int_attr("noop_with_empty_axes", 0)) {
            handle_identity(c);
            return;
        }
        axes = iota(rank);
    }
    std::vector<bool> reduced(rank, false);
    for (auto& a : axes) {
        a = normalize_axis(a, rank, c.node().describe());
        reduced[a] = true;
    }
    std::sort(axes.begin(), axes.end());
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    c.node().set_ints("axes", axes);
    c.node().attributes.erase("noop_with_empty_axes");
    Dims out;
    for (int64_t i = 0; i < rank; ++i) {
        if (!reduced[i])
            out.push_back(s[i]);
        else if (keep)
            out.push_back(1);
    }
    if (!c.in(0).is_float()) c.fail("integer ReduceMean is not supported", ErrorKind::Unsupported);
    c.set_shape(0, out, c.in(0).element_type);
}

void handle_conv(NodeContext& c) {
    const Dims& x = c.shape(0);
    const Dims& w = c.shape(1);
    if (x.size() != 4 || w.size() != 4)
        c.fail("only 2-D convolutions (4-D tensors) are supported", ErrorKind::Unsupported);
    const int64_t group = c.node().int_attr("group", 1);
    if (group < 1 || x[1] % group != 0 || w[0] % group != 0 || w[1] * group != x[1]) {
        c.fail("weight " + format_dims(w) + " does not fit input " + format_dims(x) +
               " with group " + std::to_string(group));
    }
    Dims strides = c.node().ints_attr("strides"), dil = c.node().ints_attr("dilations"),
         pads = c.node().ints_attr("pads");
    if (strides.empty()) strides = {1, 1};
    if (dil.empty()) dil = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (strides.size() != 2 || dil.size() != 2 || pads.size() != 4)
        c.fail("strides, dilations or pads have the wrong length");
    Dims kshape = c.node().ints_attr("kernel_shape");
    if (!kshape.empty() && (kshape.size() != 2 || kshape[0] != w[2] || kshape[1] != w[3]))
        c.fail("kernel_shape disagrees with the weight");
    const std::string auto_pad = c.node().string_attr("auto_pad", "NOTSET");
    Dims out = {x[0], w[0], 0, 0};
    for (int i = 0; i < 2; ++i) {
        if (strides[i] < 1 || dil[i] < 1) c.fail("strides and dilations must be positive");
        const int64_t k = (w[2 + i] - 1) * dil[i] + 1;
        if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
            const int64_t o = (x[2 + i] + strides[i] - 1) / strides[i];
            const int64_t total = std::max<int64_t>(0, (o - 1) * strides[i] + k - x[2 + i]);
            const int64_t small = total / 2, large = total - small;
            pads[i] = auto_pad == "SAME_UPPER" ? small : large;
            pads[i + 2] = auto_pad == "SAME_UPPER" ? large : small;
        } else if (auto_pad == "VALID") {
            pads[i] = pads[i + 2] = 0;
        } else if (auto_pad != "NOTSET") {
            c.fail("unknown auto_pad '" + auto_pad + "'");
        }
        const int64_t span = x[2 + i] + pads[i] + pads[i + 2] - k;
        if (span < 0) c.fail("the kernel is larger than the padded input");
        out[2 + i] = span / strides[i] + 1;
    }
    c.node().set_ints("strides", strides);
    c.node().set_ints("dilations", dil);
    c.node().set_ints("pads", pads);
    c.node().attributes.erase("auto_pad");
    c.set_shape(0, out, kFloat);
}

// MaxPool / AveragePool over the two spatial axes of an NCHW tensor. Normalizes the
// attributes for lowering: kernel_shape, strides, pads (4), ceil_mode,
// count_include_pad; auto_pad resolved.
void handle_pool(NodeContext& c) {
    const Dims& x = c.shape(0);
    if (x.size() != 4)
        c.fail("only 2-D pooling of NCHW tensors is supported (input " + format_dims(x) + ")",
               ErrorKind::Unsupported);
    if (c.node().outputs.size() > 1)
        c.fail("the Indices output is not supported", ErrorKind::Unsupported);
    Dims kernel = c.node().ints_attr("kernel_shape");
    Dims strides = c.node().ints_attr("strides"), pads = c.node().ints_attr("pads"),
         dil = c.node().ints_attr("dilations");
    if (strides.empty()) strides = {1, 1};
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4)
        c.fail("kernel_shape, strides or pads have the wrong length");
    for (int64_t d : dil) {
        if (d != 1) c.fail("dilated pooling is not supported", ErrorKind::Unsupported);
    }
    if (c.node().int_attr("storage_order", 0) != 0)
        c.fail("column-major storage_order is not supported", ErrorKind::Unsupported);
    const int64_t ceil_mode = c.node().int_attr("ceil_mode", 0);
    const std::string auto_pad = c.node().string_attr("auto_pad", "NOTSET");
    Dims out = {x[0], x[1], 0, 0};
    for (int i = 0; i < 2; ++i) {
        if (kernel[i] < 1 || strides[i] < 1) c.fail("kernel_shape and strides must be positive");
        if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
            const int64_t o = (x[2 + i] + strides[i] - 1) / strides[i];
            const int64_t total = std::max<int64_t>(0, (o - 1) * strides[i] + kernel[i] - x[2 + i]);
            const int64_t small = total / 2, large = total - small;
            pads[i] = auto_pad == "SAME_UPPER" ? small : large;
            pads[i + 2] = auto_pad == "SAME_UPPER" ? large : small;
        } else if (auto_pad == "VALID") {
            pads[i] = pads[i + 2] = 0;
        } else if (auto_pad != "NOTSET") {
            c.fail("unknown auto_pad '" + auto_pad + "'");
        }
        if (pads[i] < 0 || pads[i + 2] < 0) c.fail("pads must not be negative");
        if (pads[i] >= kernel[i] || pads[i + 2] >= kernel[i])
            c.fail("pads as large as the kernel are not supported", ErrorKind::Unsupported);
        const int64_t padded = x[2 + i] + pads[i] + pads[i + 2];
        if (padded < kernel[i]) c.fail("the kernel is larger than the padded input");
        int64_t o = (padded - kernel[i] + (ceil_mode ? strides[i] - 1 : 0)) / strides[i] + 1;
        // As ONNX and ONNX Runtime: no window starts in the trailing padding.
        if (ceil_mode && (o - 1) * strides[i] >= x[2 + i] + pads[i]) --o;
        out[2 + i] = o;
    }
    c.node().set_ints("kernel_shape", kernel);
    c.node().set_ints("strides", strides);
    c.node().set_ints("pads", pads);
    c.node().set_ints("ceil_mode", {ceil_mode ? 1 : 0});
    c.node().attributes.erase("auto_pad");
    c.set_shape(0, out, kFloat);
}

void handle_pad(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    Dims pads = c.node().attribute("pads") ? c.node().ints_attr("pads") : c.ints(1, "pads");
    float value = c.node().float_attr("value", 0.0f);
    if (c.has(2)) value = c.floats(2, "constant_value").at(0);
    if (c.has(3)) {  // opset 18: pads only for the listed axes
        Dims axes = c.ints(3, "axes");
        if (pads.size() != 2 * axes.size()) c.fail("pads and axes differ in length");
        Dims full(2 * rank, 0);
        for (size_t i = 0; i < axes.size(); ++i) {
            const int64_t a = normalize_axis(axes[i], rank, c.node().describe());
            full[a] = pads[i];
            full[a + rank] = pads[i + axes.size()];
        }
        pads = full;
    }
    if (static_cast<int64_t>(pads.size()) != 2 * rank)
        c.fail("pads has " + std::to_string(pads.size()) + " values for rank " +
               std::to_string(rank));
    const std::string mode = c.node().string_attr("mode", "constant");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
        c.fail("pad mode '" + mode + "' is not supported", ErrorKind::Unsupported);
    Dims out(rank);
    for (int64_t i = 0; i < rank; ++i) {
        out[i] = s[i] + pads[i] + pads[i + rank];
        if (out[i] < 0) c.fail("pads crop more than the input holds");
        if (mode == "reflect" && (pads[i] >= s[i] || pads[i + rank] >= s[i]) &&
            (pads[i] > 0 || pads[i + rank] > 0)) {
            c.fail("reflect padding of " + std::to_string(std::max(pads[i], pads[i + rank])) +
                   " needs an axis longer than that (axis " + std::to_string(i) + " has " +
                   std::to_string(s[i]) + ")");
        }
    }
    // Normalized form for the later passes: attributes only.
    c.node().set_ints("pads", pads);
    c.node().set_floats("value", {value});
    c.node().inputs.resize(1);
    c.set_shape(0, out, c.in(0).element_type);
}

void handle_resize(NodeContext& c) {
    const Dims& s = c.shape(0);
    const int64_t rank = static_cast<int64_t>(s.size());
    std::vector<float> scales;
    Dims sizes;
    const std::string& op = c.node().op_type;
    if (op == "Upsample") {
        scales =
            c.node().attribute("scales") ? c.node().floats_attr("scales") : c.floats(1, "scales");
    } else if (c.node().attribute("scales")) {
        scales = c.node().floats_attr("scales");  // opset 10 Resize: scales is input 1
    } else if (c.input_count() == 2) {
        scales = c.floats(1, "scales");  // opset 10
    } else {
        if (c.has(1) && c.constant(1) && c.in(1).element_count() > 0) {
            const std::string ctm =
                c.node().string_attr("coordinate_transformation_mode", "half_pixel");
            if (ctm == "tf_crop_and_resize")
                c.fail("tf_crop_and_resize is not supported", ErrorKind::Unsupported);
        }
        if (c.has(2) && c.constant(2) && c.in(2).element_count() > 0)
            scales = c.floats(2, "scales");
        if (c.has(3) && c.in(3).element_count() > 0)
            sizes = c.ints(3, "sizes");
        else if (c.has(2) && !c.constant(2))
            c.fail("scales must be a constant", ErrorKind::Unsupported);
    }
    if (c.node().attribute("axes"))
        c.fail("the 'axes' attribute is not supported", ErrorKind::Unsupported);
    if (c.node().string_attr("keep_aspect_ratio_policy", "stretch") != "stretch")
        c.fail("keep_aspect_ratio_policy is not supported", ErrorKind::Unsupported);
    if (c.node().int_attr("antialias", 0) != 0)
        c.fail("antialias is not supported", ErrorKind::Unsupported);
    Dims out(rank);
    if (!sizes.empty()) {
        if (static_cast<int64_t>(sizes.size()) != rank) c.fail("sizes has the wrong length");
        out = sizes;
        scales.clear();
        for (int64_t i = 0; i < rank; ++i)
            scales.push_back(static_cast<float>(out[i]) / static_cast<float>(s[i]));
    } else {
        if (static_cast<int64_t>(scales.size()) != rank)
            c.fail("scales has " + std::to_string(scales.size()) + " values for rank " +
                   std::to_string(rank));
        for (int64_t i = 0; i < rank; ++i)
            out[i] = static_cast<int64_t>(std::floor(s[i] * scales[i]));
    }
    if (rank != 4 || out[0] != s[0] || out[1] != s[1])
        c.fail("only resizing the last two axes of a 4-D tensor is supported",
               ErrorKind::Unsupported);
    for (auto d : out) {
        if (d < 1) c.fail("the output would be empty");
    }
    c.node().set_floats("resolved_scales", {scales[2], scales[3]});
    c.set_shape(0, out, c.in(0).element_type);
}

void handle_gemm(NodeContext& c) {
    const Dims& a = c.shape(0);
    const Dims& b = c.shape(1);
    if (a.size() != 2 || b.size() != 2) c.fail("Gemm needs 2-D inputs");
    const bool ta = c.node().int_attr("transA", 0), tb = c.node().int_attr("transB", 0);
    const int64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
    const int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
    if (k != kb) c.fail("inner dimensions differ: " + format_dims(a) + " x " + format_dims(b));
    if (c.has(2)) {
        Dims bc = broadcast_shapes(c.shape(2), {m, n}, c.node().describe());
        if (bc != Dims{m, n}) c.fail("C does not broadcast to [M,N]");
    }
    c.set_shape(0, {m, n}, kFloat);
}

void handle_matmul(NodeContext& c) {
    const Dims& a = c.shape(0);
    const Dims& b = c.shape(1);
    if (a.size() != 2 || b.size() != 2)
        c.fail("only 2-D MatMul is supported", ErrorKind::Unsupported);
    if (a[1] != b[0]) c.fail("inner dimensions differ: " + format_dims(a) + " x " + format_dims(b));
    c.set_shape(0, {a[0], b[1]}, kFloat);
}

void handle_normalization(NodeContext& c) {
    // InstanceNormalization takes input, scale and B, BatchNormalization also mean and
    // var, all required: the fused op reads every one of them.
    const size_t inputs = c.node().op_type == "BatchNormalization" ? 5 : 3;
    if (c.input_count() > inputs) {
        c.fail("takes " + std::to_string(inputs) + " inputs, got " +
               std::to_string(c.input_count()));
    }
    for (size_t i = 0; i < inputs; ++i) c.in(i);  // fails naming a missing one
    const Dims& x = c.shape(0);
    if (x.size() < 2) c.fail("input rank must be at least 2");
    for (size_t i = 1; i < c.input_count(); ++i) {
        if (c.has(i) && element_count(c.shape(i)) != x[1])
            c.fail("per-channel input " + std::to_string(i) + " does not have " +
                   std::to_string(x[1]) + " values");
    }
    if (c.node().op_type == "BatchNormalization" && c.node().int_attr("training_mode", 0)) {
        c.fail("training mode is not supported", ErrorKind::Unsupported);
    }
    if (c.node().outputs.size() > 1)
        c.fail("extra outputs (training statistics) are not supported", ErrorKind::Unsupported);
    same_shape(c);
}

const std::map<std::string, Handler>& handlers() {
    static const std::map<std::string, Handler> table = {
        {"Constant", handle_constant},
        {"Identity", handle_identity},
        {"Dropout", handle_dropout},
        {"Cast", handle_cast},
        {"Shape", handle_shape},
        {"Size", handle_size},
        {"Gather", handle_gather},
        {"Unsqueeze", handle_unsqueeze},
        {"Squeeze", handle_squeeze},
        {"Concat", handle_concat},
        {"Slice", handle_slice},
        {"Split", handle_split},
        {"ConstantOfShape", handle_constant_of_shape},
        {"Reshape", handle_reshape},
        {"Flatten", handle_flatten},
        {"Transpose", handle_transpose},
        {"Range", handle_range},
        {"Expand", handle_expand},
        {"Where", handle_where},
        {"Add", handle_binary},
        {"Sub", handle_binary},
        {"Mul", handle_binary},
        {"Div", handle_binary},
        {"Pow", handle_binary},
        {"Max", handle_binary},
        {"Min", handle_binary},
        {"PRelu", handle_binary},
        {"Mod", handle_binary},
        {"Equal", handle_binary},
        {"Less", handle_binary},
        {"Greater", handle_binary},
        {"Sqrt", handle_unary},
        {"Neg", handle_unary},
        {"Abs", handle_unary},
        {"Exp", handle_unary},
        {"Log", handle_unary},
        {"Relu", handle_unary},
        {"LeakyRelu", handle_unary},
        {"Tanh", handle_unary},
        {"Sigmoid", handle_unary},
        {"Floor", handle_unary},
        {"Ceil", handle_unary},
        {"Reciprocal", handle_unary},
        {"ReduceMean", handle_reduce_mean},
        {"Conv", handle_conv},
        {"Pad", handle_pad},
        {"MaxPool", handle_pool},
        {"AveragePool", handle_pool},
        {"Resize", handle_resize},
        {"Upsample", handle_resize},
        {"Gemm", handle_gemm},
        {"MatMul", handle_matmul},
        {"InstanceNormalization", handle_normalization},
        {"BatchNormalization", handle_normalization},
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
        NodeContext context(graph, node);
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
