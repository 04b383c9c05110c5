// Shape inference for convolution, pooling, padding, resizing, matrix products and
// normalization (folded only where a shape computation needs their constants).
#include <algorithm>
#include <cmath>

#include "converter/passes/node_context.h"
#include "converter/passes/shape_math.h"

namespace swaprun::convert::fold {

namespace {

// A convolution's or pool's auto_pad on one axis (input extent, stride, kernel extent
// with its dilation): SAME_UPPER / SAME_LOWER set the pads that give ceil(in / stride)
// outputs, the odd one at the end or the start; VALID none; NOTSET keeps the pads given.
void apply_auto_pad(NodeContext& c, const std::string& auto_pad, int64_t in, int64_t stride,
                    int64_t kernel, int64_t& begin, int64_t& end) {
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        const int64_t o = (in + stride - 1) / stride;
        const int64_t total = std::max<int64_t>(0, (o - 1) * stride + kernel - in);
        const int64_t small = total / 2, large = total - small;
        begin = auto_pad == "SAME_UPPER" ? small : large;
        end = auto_pad == "SAME_UPPER" ? large : small;
    } else if (auto_pad == "VALID") {
        begin = end = 0;
    } else if (auto_pad != "NOTSET") {
        c.fail("unknown auto_pad '" + auto_pad + "'");
    }
}

}  // namespace

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
        apply_auto_pad(c, auto_pad, x[2 + i], strides[i], k, pads[i], pads[i + 2]);
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
        apply_auto_pad(c, auto_pad, x[2 + i], strides[i], kernel[i], pads[i], pads[i + 2]);
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

}  // namespace swaprun::convert::fold
