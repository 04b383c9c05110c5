// Validation of the tensor ops: Binary, Unary, ReduceMean, Pad, Reshape, Concat,
// Transpose.
#include <algorithm>
#include <vector>

#include "graph/check_ops.h"

namespace swaprun::graph {

OpParams check_binary(OpCheck& c) {
    BinaryOpParams p;
    p.op = c.required_enum("op", kernels::BinaryOp::PRelu);
    c.reject_unknown_attributes();
    const auto a = c.input_shape(0);
    const auto b = c.input_shape(1);
    // Numpy broadcasting: right-aligned, each pair equal or one of them 1.
    const size_t rank = std::max(a.size(), b.size());
    std::vector<int64_t> out(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (da != db && da != 1 && db != 1) {
            c.fail("shapes ", shape_string(a), " and ", shape_string(b), " do not broadcast");
        }
        out[i] = std::max(da, db);
    }
    c.expect_output_shape(out);
    p.a = to_kernel_shape(a);
    p.b = to_kernel_shape(b);
    p.out = to_kernel_shape(out);
    return p;
}

OpParams check_unary(OpCheck& c) {
    UnaryOpParams p;
    p.op = c.required_enum("op", kernels::UnaryOp::Log);
    p.alpha = c.float_attr("alpha", 0.01f);
    c.reject_unknown_attributes();
    p.count = c.input(0).elements();
    c.expect_output_shape(c.input_shape(0));
    return p;
}

OpParams check_reduce_mean(OpCheck& c) {
    const auto axes = c.required_ints("axes");
    c.reject_unknown_attributes();
    const auto x = c.input_shape(0);
    if (axes.empty()) c.fail("attribute 'axes' is empty");
    ReduceMeanParams p;
    p.in = to_kernel_shape(x);
    for (size_t i = 0; i < axes.size(); ++i) {
        const int64_t axis = axes[i];
        if (axis < 0 || axis >= static_cast<int64_t>(x.size()) || (i > 0 && axis <= axes[i - 1])) {
            c.fail("axes ", shape_string(axes), " must be ascending and within rank ", x.size());
        }
        p.axes_mask |= 1u << axis;
    }
    // Kept (reduced axes as 1) or dropped: the memory is the same, both are accepted.
    std::vector<int64_t> kept(x.begin(), x.end()), dropped;
    for (size_t i = 0; i < x.size(); ++i) {
        if (p.axes_mask & (1u << i)) {
            kept[i] = 1;
        } else {
            dropped.push_back(x[i]);
        }
    }
    const auto& out = c.output().shape;
    if (out != kept && out != dropped) {
        c.fail("output '", c.output().name, "' is stored with shape ", shape_string(out),
               " but reducing ", shape_string(x), " over ", shape_string(axes), " gives ",
               shape_string(kept), " or ", shape_string(dropped));
    }
    return p;
}

OpParams check_pad(OpCheck& c) {
    const auto x = c.input_shape(0);
    const size_t rank = x.size();
    if (rank == 0) c.fail("a scalar cannot be padded");
    kernels::PadParams p;
    p.in_shape = to_kernel_shape(x);
    const auto pads = c.required_ints("pads");
    if (pads.size() != 2 * rank) {
        c.fail("attribute 'pads' has ", pads.size(), " values, expected ", 2 * rank,
               " (begins, then ends, for rank ", rank, ")");
    }
    p.mode = c.enum_attr("mode", kernels::PadMode::Constant, kernels::PadMode::Edge);
    p.value = c.float_attr("value", 0.0f);
    c.reject_unknown_attributes();
    std::vector<int64_t> out(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t begin = pads[i], end = pads[rank + i];
        // Compared as a range, not through std::abs: a hostile file's INT64_MIN has no
        // absolute value (found by the sanitizer build's corruption test).
        const auto out_of_range = [](int64_t v) {
            return v > kMaxSpatialAttribute || v < -kMaxSpatialAttribute;
        };
        if (out_of_range(begin) || out_of_range(end)) {
            c.fail("pads ", shape_string(pads), " exceed ", kMaxSpatialAttribute);
        }
        // Crops must leave part of the input: everything else would read nothing of it.
        if (x[i] + std::min<int64_t>(begin, 0) + std::min<int64_t>(end, 0) < 1) {
            c.fail("pads ", shape_string(pads), " crop away all of axis ", i, " (", x[i], ")");
        }
        if (p.mode == kernels::PadMode::Reflect && (begin >= x[i] || end >= x[i])) {
            c.fail("reflect pads ", shape_string(pads), " must be smaller than the padded ",
                   "dimension ", i, " (", x[i], ")");
        }
        out[i] = x[i] + begin + end;
        p.begin[i] = begin;
        p.end[i] = end;
    }
    c.expect_output_shape(out);
    return p;
}

OpParams check_reshape(OpCheck& c) {
    c.reject_unknown_attributes();
    const auto& in = c.input(0);
    const auto& out = c.output();
    if (in.elements() != out.elements()) {
        c.fail("input '", in.name, "' ", shape_string(in.shape), " and output '", out.name, "' ",
               shape_string(out.shape), " differ in element count");
    }
    return ReshapeParams{in.elements()};
}

OpParams check_concat(OpCheck& c) {
    const int64_t axis = c.required_int("axis");
    c.reject_unknown_attributes();
    const auto first = c.input_shape(0);
    if (axis < 0 || axis >= static_cast<int64_t>(first.size())) {
        c.fail("axis ", axis, " is outside rank ", first.size());
    }
    ConcatParams p;
    p.axis = static_cast<int>(axis);
    std::vector<int64_t> out(first.begin(), first.end());
    out[p.axis] = 0;
    for (size_t k = 0; k < c.op().inputs.size(); ++k) {
        const auto s = c.input_shape(k);
        bool ok = s.size() == first.size();
        for (size_t i = 0; ok && i < s.size(); ++i) {
            ok = static_cast<int64_t>(i) == axis || s[i] == first[i];
        }
        if (!ok) {
            c.fail("input ", k, " has shape ", shape_string(s), ", incompatible with input 0 ",
                   shape_string(first), " for concatenation along axis ", axis);
        }
        out[p.axis] += s[p.axis];
        p.shapes.push_back(to_kernel_shape(s));
    }
    c.expect_output_shape(out);
    return p;
}

OpParams check_transpose(OpCheck& c) {
    const auto perm = c.required_ints("perm");
    c.reject_unknown_attributes();
    const auto x = c.input_shape(0);
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    bool ok = perm.size() == x.size();
    for (size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == static_cast<int64_t>(i);
    if (!ok) c.fail("perm ", shape_string(perm), " is not a permutation of rank ", x.size());
    TransposeParams p;
    p.in = to_kernel_shape(x);
    std::vector<int64_t> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        p.perm[i] = static_cast<int>(perm[i]);
        out[i] = x[perm[i]];
    }
    c.expect_output_shape(out);
    return p;
}

}  // namespace swaprun::graph
