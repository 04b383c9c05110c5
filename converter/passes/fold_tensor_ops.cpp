// Shape inference and folding for the ops that make, move and reshape tensors: the
// shape-computing subgraphs (Shape -> Gather -> Concat -> Reshape ...) fold here.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "converter/passes/node_context.h"
#include "converter/passes/shape_math.h"
#include "util/limits.h"

namespace swaprun::convert::fold {

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

// Inference-mode dropout: the identity, and a mask of all true when asked for.
void handle_dropout(NodeContext& c) {
    if (c.has(2) && (!c.constant(2) || c.ints(2, "training_mode").at(0) != 0)) {
        c.fail("training mode is not supported", ErrorKind::Unsupported);
    }
    handle_identity(c);
    if (c.node().outputs.size() > 1 && !c.node().outputs[1].empty()) {
        const Dims& s = c.shape(0);
        c.set_constant(1, s, static_cast<int32_t>(onnx::ElementType::Bool), {},
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
        if (to == static_cast<int32_t>(onnx::ElementType::Float16)) {
            for (float& x : f) x = round_to_half(x);
        } else if (to == static_cast<int32_t>(onnx::ElementType::Bfloat16)) {
            for (float& x : f) x = round_to_bfloat16(x);
        }
    } else if (v.is_float()) {
        for (float x : v.floats) n.push_back(static_cast<int64_t>(std::trunc(x)));
    } else {
        n = v.ints;
    }
    if (to == static_cast<int32_t>(onnx::ElementType::Bool)) {
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

namespace {

std::vector<int64_t> axes_of(NodeContext& c, size_t input, bool attr_form) {
    if (attr_form) return c.node().ints_attr("axes");
    if (c.has(input)) return c.ints(input, "axes");
    return {};
}

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace swaprun::convert::fold
