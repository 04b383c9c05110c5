// Shape inference and folding for elementwise arithmetic, Where and ReduceMean.
#include <algorithm>
#include <cmath>

#include "converter/passes/node_context.h"
#include "converter/passes/shape_math.h"

namespace swaprun::convert::fold {

namespace {

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

}  // namespace

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
        comparison ? static_cast<int32_t>(onnx::ElementType::Bool) : c.in(0).element_type;
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

}  // namespace swaprun::convert::fold
