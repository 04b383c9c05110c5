// Validation of the layer ops: Conv2d, Adain, Gemm, Resize, Pool2d.
#include <algorithm>
#include <cmath>
#include <vector>

#include "graph/check_ops.h"

namespace swaprun::graph {
namespace {

int64_t bounded(OpCheck& c, const char* name, int64_t v, int64_t min) {
    if (v < min || v > kMaxSpatialAttribute) {
        c.fail("attribute '", name, "' has value ", v, " (allowed: ", min, " to ",
               kMaxSpatialAttribute, ")");
    }
    return v;
}

// Output extent of one convolution axis; fails unless at least one output.
int64_t conv_extent(OpCheck& c, const char* axis, int64_t in, int64_t pad_a, int64_t pad_b,
                    int64_t kernel, int64_t stride, int64_t dilation) {
    const int64_t span = dilation * (kernel - 1) + 1;
    const int64_t padded = in + pad_a + pad_b;
    if (padded < span) {
        c.fail("the ", axis, " extent ", padded, " (with padding) is smaller than the kernel's ",
               span);
    }
    return (padded - span) / stride + 1;
}

}  // namespace

OpParams check_conv2d(OpCheck& c) {
    const auto x = c.input_shape(0, 4, "input");
    const auto w = c.input_shape(1, 4, "weight");
    kernels::Conv2dParams p;
    p.batch = x[0];
    p.in_channels = x[1];
    p.in_height = x[2];
    p.in_width = x[3];

    const auto strides = c.ints_attr("strides", 2, {1, 1});
    const auto dilations = c.ints_attr("dilations", 2, {1, 1});
    const auto pads = c.ints_attr("pads", 4, {0, 0, 0, 0});
    p.stride_h = bounded(c, "strides", strides[0], 1);
    p.stride_w = bounded(c, "strides", strides[1], 1);
    p.dilation_h = bounded(c, "dilations", dilations[0], 1);
    p.dilation_w = bounded(c, "dilations", dilations[1], 1);
    p.pad_top = bounded(c, "pads", pads[0], 0);
    p.pad_left = bounded(c, "pads", pads[1], 0);
    p.pad_bottom = bounded(c, "pads", pads[2], 0);
    p.pad_right = bounded(c, "pads", pads[3], 0);
    p.groups = c.int_attr("groups", 1);
    p.pad_mode = c.enum_attr("pad_mode", kernels::PadMode::Constant, kernels::PadMode::Edge);
    p.activation = c.activation("activation", "alpha");
    c.reject_unknown_attributes();

    p.out_channels = w[0];
    if (p.groups < 1 || p.in_channels % p.groups != 0 || p.out_channels % p.groups != 0) {
        c.fail("groups ", p.groups, " does not divide the input channels (", p.in_channels,
               ") and the output channels (", p.out_channels, ")");
    }
    if (w[1] != p.in_channels / p.groups) {
        c.fail("weight shape ", shape_string(w), " does not match ", p.in_channels,
               " input channels in ", p.groups, " groups (expected [", p.out_channels, ", ",
               p.in_channels / p.groups, ", kh, kw])");
    }
    p.kernel_h = w[2];
    p.kernel_w = w[3];
    if (c.has_input(2)) {
        const auto& bias = c.input(2);
        if (bias.shape.size() != 1 || bias.shape[0] != p.out_channels) {
            c.fail("bias '", bias.name, "' has shape ", shape_string(bias.shape), ", expected [",
                   p.out_channels, "]");
        }
    }
    if (p.pad_mode == kernels::PadMode::Reflect &&
        (p.pad_top >= p.in_height || p.pad_bottom >= p.in_height || p.pad_left >= p.in_width ||
         p.pad_right >= p.in_width)) {
        c.fail("reflect padding ", shape_string(pads), " needs every pad smaller than the padded ",
               "dimension (input ", p.in_height, "x", p.in_width, ")");
    }
    p.out_height = conv_extent(c, "height", p.in_height, p.pad_top, p.pad_bottom, p.kernel_h,
                               p.stride_h, p.dilation_h);
    p.out_width = conv_extent(c, "width", p.in_width, p.pad_left, p.pad_right, p.kernel_w,
                              p.stride_w, p.dilation_w);
    const std::vector<int64_t> out = {p.batch, p.out_channels, p.out_height, p.out_width};
    c.expect_output_shape(out);
    return p;
}

OpParams check_adain(OpCheck& c) {
    const auto x = c.input_shape(0, 4, "input");
    AdainOp a;
    kernels::AdainParams& p = a.params;
    p.batch = x[0];
    p.channels = x[1];
    p.height = x[2];
    p.width = x[3];
    p.epsilon = c.float_attr("epsilon", 1e-5f);
    if (!std::isfinite(p.epsilon) || p.epsilon < 0.0f) {
        c.fail("attribute 'epsilon' is ", p.epsilon, " (must be finite and >= 0)");
    }
    a.scale_offset = c.int_attr("scale_offset", 0);
    a.shift_offset = c.int_attr("shift_offset", 0);
    a.scale_batch_stride = c.int_attr("scale_batch_stride", 0);
    a.shift_batch_stride = c.int_attr("shift_batch_stride", 0);
    p.activation = c.activation("activation", "alpha");
    c.reject_unknown_attributes();

    struct Source {
        const char* role;
        size_t slot;
        int64_t offset, stride;
    };
    for (const Source& s : {Source{"scale", 1, a.scale_offset, a.scale_batch_stride},
                            Source{"shift", 2, a.shift_offset, a.shift_batch_stride}}) {
        const auto& src = c.input(s.slot);
        const int64_t size = src.elements();
        // Bounded first, so the sum below cannot overflow (size <= 2^32).
        const bool in_range = s.offset >= 0 && s.stride >= 0 && s.offset <= size &&
                              s.stride <= size &&
                              s.offset + (p.batch - 1) * s.stride + p.channels <= size;
        if (!in_range) {
            c.fail("the ", s.role, " values (offset ", s.offset, ", batch stride ", s.stride, ", ",
                   p.batch, " x ", p.channels, " values) do not fit in '", src.name, "' (", size,
                   " elements)");
        }
    }
    if (c.has_input(3)) {
        const auto& residual = c.input(3);
        if (!std::equal(x.begin(), x.end(), residual.shape.begin(), residual.shape.end())) {
            c.fail("residual '", residual.name, "' has shape ", shape_string(residual.shape),
                   ", the input has ", shape_string(x));
        }
    }
    c.expect_output_shape(x);
    return a;
}

OpParams check_gemm(OpCheck& c) {
    const auto a = c.input_shape(0, 2, "A");
    const auto b = c.input_shape(1, 2, "B");
    kernels::GemmParams p;
    const int64_t trans_a = c.int_attr("trans_a", 0);
    const int64_t trans_b = c.int_attr("trans_b", 0);
    if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1)) {
        c.fail("attributes 'trans_a' and 'trans_b' must be 0 or 1");
    }
    p.trans_a = trans_a == 1;
    p.trans_b = trans_b == 1;
    p.alpha = c.float_attr("alpha", 1.0f);
    p.beta = c.float_attr("beta", 1.0f);
    if (!std::isfinite(p.alpha) || !std::isfinite(p.beta)) c.fail("alpha or beta is not finite");
    p.activation = c.activation("activation", "leaky_alpha");
    c.reject_unknown_attributes();

    p.m = p.trans_a ? a[1] : a[0];
    p.k = p.trans_a ? a[0] : a[1];
    const int64_t kb = p.trans_b ? b[1] : b[0];
    p.n = p.trans_b ? b[0] : b[1];
    if (kb != p.k) {
        c.fail("inner dimensions differ: A ", shape_string(a), (p.trans_a ? " (transposed)" : ""),
               " and B ", shape_string(b), (p.trans_b ? " (transposed)" : ""));
    }
    if (c.has_input(2)) {
        const auto& bias = c.input(2);
        const auto& s = bias.shape;
        p.bias_rows = s.size() == 2 ? s[0] : 1;
        p.bias_cols = s.empty() ? 1 : s.back();
        const bool ok = s.size() <= 2 && (p.bias_rows == 1 || p.bias_rows == p.m) &&
                        (p.bias_cols == 1 || p.bias_cols == p.n);
        if (!ok) {
            c.fail("bias '", bias.name, "' of shape ", shape_string(s), " does not broadcast to [",
                   p.m, ", ", p.n, "]");
        }
    }
    const std::vector<int64_t> out = {p.m, p.n};
    c.expect_output_shape(out);
    return p;
}

OpParams check_resize(OpCheck& c) {
    const auto x = c.input_shape(0, 4, "input");
    const auto& out = c.output().shape;
    if (out.size() != 4) c.fail("output has shape ", shape_string(out), ", expected rank 4");
    kernels::ResizeParams p;
    p.batch = x[0];
    p.channels = x[1];
    p.in_height = x[2];
    p.in_width = x[3];
    p.out_height = out[2];
    p.out_width = out[3];
    p.mode = c.enum_attr("mode", kernels::ResizeMode::Nearest, kernels::ResizeMode::Cubic);
    p.coordinates = c.enum_attr("coordinates", kernels::ResizeCoordinates::HalfPixel,
                                kernels::ResizeCoordinates::TfHalfPixelForNn);
    p.nearest = c.enum_attr("nearest", kernels::NearestRounding::RoundPreferFloor,
                            kernels::NearestRounding::Ceil);
    p.cubic_coeff_a = c.float_attr("cubic_coeff_a", -0.75f);
    const int64_t exclude = c.int_attr("exclude_outside", 0);
    if (exclude != 0 && exclude != 1) c.fail("attribute 'exclude_outside' must be 0 or 1");
    p.exclude_outside = exclude == 1;
    const auto scales = c.floats_attr(
        "scales", 2,
        {static_cast<float>(static_cast<double>(p.out_height) / static_cast<double>(p.in_height)),
         static_cast<float>(static_cast<double>(p.out_width) / static_cast<double>(p.in_width))});
    c.reject_unknown_attributes();
    if (!std::isfinite(p.cubic_coeff_a)) c.fail("attribute 'cubic_coeff_a' is not finite");
    p.scale_h = scales[0];
    p.scale_w = scales[1];
    // The output size is floor(in * scale) for explicit scales, and out / in is the
    // scale for explicit sizes: either way they agree to within one pixel.
    const std::pair<int64_t, int64_t> axes[] = {{p.in_height, p.out_height},
                                                {p.in_width, p.out_width}};
    for (size_t i = 0; i < 2; ++i) {
        const double scale = scales[i];
        const double expected = static_cast<double>(axes[i].first) * scale;
        const double tolerance = 1.0 + 1e-4 * static_cast<double>(axes[i].second);
        if (!std::isfinite(scale) || scale <= 0.0 ||
            std::abs(static_cast<double>(axes[i].second) - expected) > tolerance) {
            c.fail("scale ", scales[i], " does not take ", axes[i].first, " to the stored ",
                   axes[i].second, " (output ", shape_string(out), ")");
        }
    }
    const std::vector<int64_t> derived = {p.batch, p.channels, p.out_height, p.out_width};
    c.expect_output_shape(derived);
    return p;
}

namespace {

// The output extent of one pooling axis, as ONNX and ORT compute it.
int64_t pool_extent(OpCheck& c, const char* axis, int64_t in, int64_t pad_a, int64_t pad_b,
                    int64_t kernel, int64_t stride, bool ceil_mode) {
    const int64_t padded = in + pad_a + pad_b;
    if (padded < kernel) {
        c.fail("the ", axis, " extent ", padded, " (with padding) is smaller than the kernel's ",
               kernel);
    }
    int64_t out = (padded - kernel + (ceil_mode ? stride - 1 : 0)) / stride + 1;
    // A window may not start in the trailing padding (it would hold no input cell).
    if (ceil_mode && (out - 1) * stride >= in + pad_a) --out;
    return out;
}

}  // namespace

OpParams check_pool2d(OpCheck& c) {
    const auto x = c.input_shape(0, 4, "input");
    kernels::Pool2dParams p;
    p.batch = x[0];
    p.channels = x[1];
    p.in_height = x[2];
    p.in_width = x[3];
    p.kind = c.required_enum("kind", kernels::PoolKind::Average);
    const auto kernel = c.required_ints("kernel");
    if (kernel.size() != 2) c.fail("attribute 'kernel' must be 2 integers");
    const auto strides = c.ints_attr("strides", 2, {1, 1});
    const auto pads = c.ints_attr("pads", 4, {0, 0, 0, 0});
    p.kernel_h = bounded(c, "kernel", kernel[0], 1);
    p.kernel_w = bounded(c, "kernel", kernel[1], 1);
    p.stride_h = bounded(c, "strides", strides[0], 1);
    p.stride_w = bounded(c, "strides", strides[1], 1);
    p.pad_top = bounded(c, "pads", pads[0], 0);
    p.pad_left = bounded(c, "pads", pads[1], 0);
    p.pad_bottom = bounded(c, "pads", pads[2], 0);
    p.pad_right = bounded(c, "pads", pads[3], 0);
    const int64_t ceil_mode = c.int_attr("ceil_mode", 0);
    const int64_t include_pad = c.int_attr("count_include_pad", 0);
    if ((ceil_mode != 0 && ceil_mode != 1) || (include_pad != 0 && include_pad != 1)) {
        c.fail("attributes 'ceil_mode' and 'count_include_pad' must be 0 or 1");
    }
    p.count_include_pad = include_pad == 1;
    c.reject_unknown_attributes();
    // Every window must hold an input cell: no pad as large as the kernel.
    if (p.pad_top >= p.kernel_h || p.pad_bottom >= p.kernel_h || p.pad_left >= p.kernel_w ||
        p.pad_right >= p.kernel_w) {
        c.fail("pads ", shape_string(pads), " must be smaller than the kernel ",
               shape_string(kernel));
    }
    p.out_height = pool_extent(c, "height", p.in_height, p.pad_top, p.pad_bottom, p.kernel_h,
                               p.stride_h, ceil_mode == 1);
    p.out_width = pool_extent(c, "width", p.in_width, p.pad_left, p.pad_right, p.kernel_w,
                              p.stride_w, ceil_mode == 1);
    const std::vector<int64_t> derived = {p.batch, p.channels, p.out_height, p.out_width};
    c.expect_output_shape(derived);
    return p;
}

}  // namespace swaprun::graph
