// Every op run through the whole runtime (file, validation, plan, executor, fast
// kernels) against the naive reference kernels called directly with parameters
// written out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/loaded_model.h"
#include "executor_support.h"
#include "format/swpk_io.h"
#include "kernels/elementwise_simd.h"
#include "kernels/reference.h"

namespace {

using namespace swaprun;
using testkit::floats;
using testkit::ints;
using testkit::max_relative_error;
using testkit::ModelBuilder;
using testkit::random_values;
using testkit::run_model;
namespace ref = kernels::reference;

constexpr double kTolerance = 1e-4;

kernels::Shape shape(std::initializer_list<int64_t> dims) {
    kernels::Shape s;
    for (int64_t d : dims) s.dims[s.rank++] = d;
    return s;
}

TEST(Executor, Conv2dStridedReflectGroupedWithBiasAndLeakyRelu) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {2, 4, 9, 9});
    const auto wv = random_values(6 * 2 * 3 * 3, 11);
    const auto bv = random_values(6, 12);
    const uint32_t w = b.constant("w", {6, 2, 3, 3}, wv);
    const uint32_t bias = b.constant("b", {6}, bv);
    const uint32_t y = b.activation("y", {2, 6, 5, 5});
    auto& op = b.op(OpType::Conv2d, "conv", {x, w, bias}, y);
    op.attributes["strides"] = ints({2, 2});
    op.attributes["pads"] = ints({1, 2, 1, 0});
    op.attributes["groups"] = ints({2});
    op.attributes["pad_mode"] = ints({1});
    op.attributes["activation"] = ints({2});
    op.attributes["alpha"] = floats({0.1f});
    b.output(y);
    const auto xv = random_values(2 * 4 * 9 * 9, 13);

    kernels::Conv2dParams p;
    p.batch = 2;
    p.in_channels = 4;
    p.in_height = p.in_width = 9;
    p.out_channels = 6;
    p.out_height = p.out_width = 5;
    p.kernel_h = p.kernel_w = 3;
    p.stride_h = p.stride_w = 2;
    p.pad_top = 1;
    p.pad_left = 2;
    p.pad_bottom = 1;
    p.pad_right = 0;
    p.groups = 2;
    p.pad_mode = kernels::PadMode::Reflect;
    p.activation = {kernels::Activation::LeakyRelu, 0.1f};
    std::vector<float> expected(2 * 6 * 5 * 5);
    ref::conv2d(p, xv.data(), wv.data(), bv.data(), expected.data());
    EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
}

TEST(Executor, Conv2dDilatedWithoutBias) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 3, 10, 10});
    const auto wv = random_values(5 * 3 * 3 * 3, 21);
    const uint32_t w = b.constant("w", {5, 3, 3, 3}, wv);
    const uint32_t y = b.activation("y", {1, 5, 8, 8});
    auto& op = b.op(OpType::Conv2d, "conv", {x, w, kNoTensor}, y);
    op.attributes["dilations"] = ints({2, 2});
    op.attributes["pads"] = ints({1, 1, 1, 1});
    op.attributes["activation"] = ints({3});
    b.output(y);
    const auto xv = random_values(300, 22);
    kernels::Conv2dParams p;
    p.in_channels = 3;
    p.in_height = p.in_width = 10;
    p.out_channels = 5;
    p.out_height = p.out_width = 8;
    p.kernel_h = p.kernel_w = 3;
    p.dilation_h = p.dilation_w = 2;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.activation = {kernels::Activation::Tanh, 0.0f};
    std::vector<float> expected(5 * 8 * 8);
    ref::conv2d(p, xv.data(), wv.data(), nullptr, expected.data());
    EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
}

// Instance norm + modulation written out in double: independent of both kernels.
std::vector<float> adain_by_hand(const std::vector<float>& x, int64_t n, int64_t c, int64_t hw,
                                 const std::vector<float>& scale, int64_t scale_offset,
                                 int64_t scale_stride, const std::vector<float>& shift,
                                 int64_t shift_offset, int64_t shift_stride, double eps,
                                 double leaky, const std::vector<float>* residual) {
    std::vector<float> y(x.size());
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t ch = 0; ch < c; ++ch) {
            const size_t base = static_cast<size_t>((i * c + ch) * hw);
            double mean = 0, var = 0;
            for (int64_t k = 0; k < hw; ++k) mean += x[base + k];
            mean /= static_cast<double>(hw);
            for (int64_t k = 0; k < hw; ++k) var += (x[base + k] - mean) * (x[base + k] - mean);
            var /= static_cast<double>(hw);
            const double s = scale[static_cast<size_t>(scale_offset + i * scale_stride + ch)];
            const double t = shift[static_cast<size_t>(shift_offset + i * shift_stride + ch)];
            for (int64_t k = 0; k < hw; ++k) {
                double v = (x[base + k] - mean) / std::sqrt(var + eps) * s + t;
                v = v < 0 ? leaky * v : v;
                if (residual != nullptr) v += (*residual)[base + k];
                y[base + k] = static_cast<float>(v);
            }
        }
    }
    return y;
}

TEST(Executor, AdainBatchOfTwoFromAGemmStyleWithResidual) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {2, 4, 5, 5});
    const uint32_t style = b.input("style", {2, 8});
    const uint32_t res = b.input("residual", {2, 4, 5, 5});
    const uint32_t y = b.activation("y", {2, 4, 5, 5});
    auto& op = b.op(OpType::Adain, "adain", {x, style, style, res}, y);
    op.attributes["epsilon"] = floats({1e-5f});
    op.attributes["scale_offset"] = ints({0});
    op.attributes["shift_offset"] = ints({4});
    op.attributes["scale_batch_stride"] = ints({8});
    op.attributes["shift_batch_stride"] = ints({8});
    op.attributes["activation"] = ints({2});
    op.attributes["alpha"] = floats({0.2f});
    b.output(y);
    const auto xv = random_values(200, 31, -2.0f, 3.0f);
    const auto sv = random_values(16, 32);
    const auto rv = random_values(200, 33);
    const auto expected = adain_by_hand(xv, 2, 4, 25, sv, 0, 8, sv, 4, 8, 1e-5, 0.2, &rv);
    EXPECT_LE(max_relative_error(run_model(b, {xv, sv, rv}), expected), kTolerance);
}

TEST(Executor, AdainWithConstantSourcesSharedByTheBatch) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {2, 3, 4, 4});
    const auto gamma = random_values(3, 41);
    const auto beta = random_values(3, 42);
    const uint32_t g = b.constant("gamma", {3}, gamma);
    const uint32_t be = b.constant("beta", {3}, beta);
    const uint32_t y = b.activation("y", {2, 3, 4, 4});
    b.op(OpType::Adain, "norm", {x, g, be}, y).attributes["epsilon"] = floats({1e-3f});
    b.output(y);
    const auto xv = random_values(96, 43);
    const auto expected = adain_by_hand(xv, 2, 3, 16, gamma, 0, 0, beta, 0, 0, 1e-3, 1.0, nullptr);
    EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
}

TEST(Executor, GemmTransposedWithColumnBias) {
    ModelBuilder b;
    const uint32_t a = b.input("a", {5, 3});  // trans_a: M = 3, K = 5
    const auto bv = random_values(20, 51);
    const auto cv = random_values(3, 52);
    const uint32_t bt = b.constant("b", {4, 5}, bv);  // trans_b: N = 4
    const uint32_t c = b.constant("c", {3, 1}, cv);
    const uint32_t y = b.activation("y", {3, 4});
    auto& op = b.op(OpType::Gemm, "gemm", {a, bt, c}, y);
    op.attributes["trans_a"] = ints({1});
    op.attributes["trans_b"] = ints({1});
    op.attributes["alpha"] = floats({0.5f});
    op.attributes["beta"] = floats({2.0f});
    b.output(y);
    const auto av = random_values(15, 53);
    kernels::GemmParams p;
    p.m = 3;
    p.n = 4;
    p.k = 5;
    p.trans_a = p.trans_b = true;
    p.alpha = 0.5f;
    p.beta = 2.0f;
    p.bias_rows = 3;
    p.bias_cols = 1;
    std::vector<float> expected(12);
    ref::gemm(p, av.data(), bv.data(), cv.data(), expected.data());
    EXPECT_LE(max_relative_error(run_model(b, {av}), expected), kTolerance);
}

TEST(Executor, GemmWithRowBiasAndRelu) {
    ModelBuilder b;
    const uint32_t a = b.input("a", {2, 6});
    const auto bv = random_values(6 * 7, 61);
    const auto cv = random_values(7, 62);
    const uint32_t w = b.constant("w", {6, 7}, bv);
    const uint32_t c = b.constant("c", {7}, cv);
    const uint32_t y = b.activation("y", {2, 7});
    b.op(OpType::Gemm, "gemm", {a, w, c}, y).attributes["activation"] = ints({1});
    b.output(y);
    const auto av = random_values(12, 63);
    kernels::GemmParams p;
    p.m = 2;
    p.n = 7;
    p.k = 6;
    p.bias_rows = 1;
    p.bias_cols = 7;
    p.activation = {kernels::Activation::Relu, 0.0f};
    std::vector<float> expected(14);
    ref::gemm(p, av.data(), bv.data(), cv.data(), expected.data());
    EXPECT_LE(max_relative_error(run_model(b, {av}), expected), kTolerance);
}

struct ResizeCase {
    kernels::ResizeMode mode;
    kernels::ResizeCoordinates coordinates;
    int64_t out_h, out_w;
    bool explicit_scales;
};

TEST(Executor, ResizeModes) {
    const ResizeCase cases[] = {
        {kernels::ResizeMode::Linear, kernels::ResizeCoordinates::HalfPixel, 10, 14, true},
        {kernels::ResizeMode::Nearest, kernels::ResizeCoordinates::Asymmetric, 3, 4, false},
        {kernels::ResizeMode::Cubic, kernels::ResizeCoordinates::AlignCorners, 7, 9, false},
    };
    for (const ResizeCase& rc : cases) {
        SCOPED_TRACE(static_cast<int>(rc.mode));
        ModelBuilder b;
        const uint32_t x = b.input("x", {1, 2, 5, 7});
        const uint32_t y = b.activation("y", {1, 2, rc.out_h, rc.out_w});
        auto& op = b.op(OpType::Resize, "resize", {x}, y);
        op.attributes["mode"] = ints({static_cast<int64_t>(rc.mode)});
        op.attributes["coordinates"] = ints({static_cast<int64_t>(rc.coordinates)});
        kernels::ResizeParams p;
        p.channels = 2;
        p.in_height = 5;
        p.in_width = 7;
        p.out_height = rc.out_h;
        p.out_width = rc.out_w;
        p.mode = rc.mode;
        p.coordinates = rc.coordinates;
        p.scale_h = static_cast<float>(static_cast<double>(rc.out_h) / 5.0);
        p.scale_w = static_cast<float>(static_cast<double>(rc.out_w) / 7.0);
        if (rc.explicit_scales) op.attributes["scales"] = floats({p.scale_h, p.scale_w});
        b.output(y);
        const auto xv = random_values(70, 71);
        std::vector<float> expected(static_cast<size_t>(2 * rc.out_h * rc.out_w));
        ref::resize(p, xv.data(), expected.data());
        EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
    }
}

TEST(Executor, BinaryEveryOpWithBroadcasting) {
    for (int op = 0; op <= 6; ++op) {
        SCOPED_TRACE(op);
        ModelBuilder b;
        const uint32_t a = b.input("a", {2, 3, 4});
        const auto cv = random_values(3, 81, 0.5f, 2.0f);
        const uint32_t c = b.constant("c", {3, 1}, cv);
        const uint32_t y = b.activation("y", {2, 3, 4});
        b.op(OpType::Binary, "bin", {a, c}, y).attributes["op"] = ints({op});
        b.output(y);
        const auto av = random_values(24, 82, 0.5f, 2.0f);
        std::vector<float> expected(24);
        ref::binary(static_cast<kernels::BinaryOp>(op), shape({2, 3, 4}), av.data(), shape({3, 1}),
                    cv.data(), shape({2, 3, 4}), expected.data());
        EXPECT_LE(max_relative_error(run_model(b, {av}), expected), kTolerance);
    }
}

TEST(Executor, UnaryEveryOp) {
    for (int op = 0; op <= 10; ++op) {
        SCOPED_TRACE(op);
        const bool positive = op == 6 || op == 10;  // Sqrt, Log
        ModelBuilder b;
        const uint32_t x = b.input("x", {3, 17});
        const uint32_t y = b.activation("y", {3, 17});
        auto& u = b.op(OpType::Unary, "u", {x}, y);
        u.attributes["op"] = ints({op});
        u.attributes["alpha"] = floats({0.3f});
        b.output(y);
        const auto xv = random_values(51, 91, positive ? 0.1f : -3.0f, 3.0f);
        std::vector<float> expected(51);
        ref::unary(static_cast<kernels::UnaryOp>(op), 0.3f, 51, xv.data(), expected.data());
        EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
    }
}

TEST(Executor, ReduceMeanKeptAndDropped) {
    for (const std::vector<int64_t>& out : {std::vector<int64_t>{2, 1, 4, 1}, {2, 4}}) {
        ModelBuilder b;
        const uint32_t x = b.input("x", {2, 3, 4, 5});
        const uint32_t y = b.activation("y", out);
        b.op(OpType::ReduceMean, "mean", {x}, y).attributes["axes"] = ints({1, 3});
        b.output(y);
        const auto xv = random_values(120, 101);
        std::vector<float> expected(8);
        ref::reduce_mean(shape({2, 3, 4, 5}), 0b1010, xv.data(), expected.data());
        EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
    }
}

TEST(Executor, PadModesWithCrop) {
    for (int mode = 0; mode <= 2; ++mode) {
        SCOPED_TRACE(mode);
        ModelBuilder b;
        const uint32_t x = b.input("x", {1, 2, 5, 6});
        const uint32_t y = b.activation("y", {1, 2, 7, 7});
        auto& op = b.op(OpType::Pad, "pad", {x}, y);
        op.attributes["pads"] = ints({0, 0, 2, -1, 0, 0, 0, 2});
        op.attributes["mode"] = ints({mode});
        op.attributes["value"] = floats({1.5f});
        b.output(y);
        const auto xv = random_values(60, 111);
        kernels::PadParams p;
        p.in_shape = shape({1, 2, 5, 6});
        p.begin = {0, 0, 2, -1};
        p.end = {0, 0, 0, 2};
        p.mode = static_cast<kernels::PadMode>(mode);
        p.value = 1.5f;
        std::vector<float> expected(2 * 7 * 7);
        ref::pad(p, xv.data(), expected.data());
        EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
    }
}

TEST(Executor, ReshapeCopiesOrAliases) {
    // x -relu-> a -reshape-> r (aliases a) -neg-> y; and a constant reshaped (a copy).
    ModelBuilder b;
    const uint32_t x = b.input("x", {2, 8});
    const uint32_t a = b.activation("a", {2, 8});
    b.op(OpType::Unary, "relu", {x}, a).attributes["op"] = ints({1});
    const uint32_t r = b.activation("r", {16});
    b.op(OpType::Reshape, "flatten", {a}, r);
    const auto kv = random_values(16, 121);
    const uint32_t k = b.constant("k", {4, 4}, kv);
    const uint32_t kr = b.activation("kr", {16});
    b.op(OpType::Reshape, "kflat", {k}, kr);
    const uint32_t y = b.activation("y", {16});
    b.op(OpType::Binary, "sub", {kr, r}, y).attributes["op"] = ints({1});
    b.output(y);
    const auto xv = random_values(16, 122);
    std::vector<float> expected(16);
    for (size_t i = 0; i < 16; ++i) expected[i] = kv[i] - std::max(xv[i], 0.0f);
    EXPECT_LE(max_relative_error(run_model(b, {xv}), expected), kTolerance);
}

TEST(Executor, ConcatThreeInputsAlongChannels) {
    ModelBuilder b;
    const uint32_t x0 = b.input("x0", {2, 1, 3});
    const uint32_t x1 = b.input("x1", {2, 2, 3});
    const auto cv = random_values(6, 131);
    const uint32_t x2 = b.constant("x2", {2, 1, 3}, cv);
    const uint32_t y = b.activation("y", {2, 4, 3});
    b.op(OpType::Concat, "cat", {x0, x1, x2}, y).attributes["axis"] = ints({1});
    b.output(y);
    const auto v0 = random_values(6, 132);
    const auto v1 = random_values(12, 133);
    const kernels::Shape shapes[] = {shape({2, 1, 3}), shape({2, 2, 3}), shape({2, 1, 3})};
    const float* ins[] = {v0.data(), v1.data(), cv.data()};
    std::vector<float> expected(24);
    ref::concat(3, shapes, ins, 1, expected.data());
    EXPECT_EQ(run_model(b, {v0, v1}), expected);
}

TEST(Executor, Transpose) {
    ModelBuilder b;
    const uint32_t x = b.input("x", {2, 3, 4, 5});
    const uint32_t y = b.activation("y", {2, 4, 5, 3});
    b.op(OpType::Transpose, "t", {x}, y).attributes["perm"] = ints({0, 2, 3, 1});
    b.output(y);
    const auto xv = random_values(120, 141);
    const int perm[] = {0, 2, 3, 1};
    std::vector<float> expected(120);
    ref::transpose(shape({2, 3, 4, 5}), perm, xv.data(), expected.data());
    EXPECT_EQ(run_model(b, {xv}), expected);
}

// The small generator end to end against the reference kernels applied op by op,
// each into its own buffer: catches any arena overlap or wrong binding.
TEST(Executor, SmallGeneratorMatchesReferenceChain) {
    ModelBuilder b = testkit::small_generator();
    const auto& d = b.desc();
    const auto target = random_values(192, 151, 0.0f, 1.0f);
    const auto source = random_values(6, 152);
    auto data = [&](const char* name) {
        for (const auto& t : d.tensors) {
            if (t.name == name) return t.data.data();
        }
        throw std::runtime_error(name);
    };

    kernels::PadParams pad;
    pad.in_shape = shape({1, 3, 8, 8});
    pad.begin = {0, 0, 1, 1};
    pad.end = {0, 0, 1, 1};
    pad.mode = kernels::PadMode::Reflect;
    std::vector<float> padded(300);
    ref::pad(pad, target.data(), padded.data());

    kernels::Conv2dParams c1;
    c1.in_channels = 3;
    c1.in_height = c1.in_width = 10;
    c1.out_channels = 4;
    c1.out_height = c1.out_width = 8;
    c1.kernel_h = c1.kernel_w = 3;
    c1.activation = {kernels::Activation::LeakyRelu, 0.2f};
    std::vector<float> conv1(256);
    ref::conv2d(c1, padded.data(), data("conv1.weight"), data("conv1.bias"), conv1.data());

    kernels::GemmParams g;
    g.m = 1;
    g.n = 8;
    g.k = 6;
    g.bias_cols = 8;
    std::vector<float> style(8);
    ref::gemm(g, source.data(), data("style.weight"), data("style.bias"), style.data());

    kernels::AdainParams a;
    a.channels = 4;
    a.height = a.width = 8;
    a.activation = {kernels::Activation::Relu, 0.0f};
    std::vector<float> norm(256);
    ref::adain(a, conv1.data(), style.data(), style.data() + 4, nullptr, norm.data());

    kernels::ResizeParams r;
    r.channels = 4;
    r.in_height = r.in_width = 8;
    r.out_height = r.out_width = 16;
    r.scale_h = r.scale_w = 2.0f;
    r.mode = kernels::ResizeMode::Linear;
    std::vector<float> up(1024);
    ref::resize(r, norm.data(), up.data());

    kernels::Conv2dParams c2;
    c2.in_channels = 4;
    c2.in_height = c2.in_width = 16;
    c2.out_channels = 3;
    c2.out_height = c2.out_width = 16;
    std::vector<float> conv2(768);
    ref::conv2d(c2, up.data(), data("conv2.weight"), nullptr, conv2.data());
    std::vector<float> expected(768);
    ref::unary(kernels::UnaryOp::TanhUnit, 0.0f, 768, conv2.data(), expected.data());

    EXPECT_LE(max_relative_error(run_model(b, {target, source}), expected), kTolerance);
}

// The small generator's x2 Resize feeds a convolution that can read its input
// upsampled: on the CPU it is folded into that convolution (the test above checks the
// values), its output gets no slot, and the arena is smaller for it.
TEST(Executor, ResizeIntoAConvolutionIsFoldedOnTheCpu) {
    if (kernels::simd::table() == nullptr) GTEST_SKIP() << "no SIMD kernels: nothing is folded";
    ModelBuilder b = testkit::small_generator();
    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("model.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("model.swpk"));
    const auto& ops = model->graph().ops;
    for (size_t k = 0; k < ops.size(); ++k) {
        const bool resize = ops[k].type == OpType::Resize;
        EXPECT_EQ(model->folded_on_cpu(k), resize) << "op " << k;
        if (resize) {
            EXPECT_EQ(model->cpu_plan().tensor_offset[ops[k].output], plan::kNoSlot);
            EXPECT_NE(model->plan().tensor_offset[ops[k].output], plan::kNoSlot);
            ASSERT_NE(model->prepared_conv(k + 1), nullptr);
            EXPECT_TRUE(model->prepared_conv(k + 1)->upsampled_input());
        }
    }
    EXPECT_LT(model->cpu_plan().arena_bytes, model->plan().arena_bytes);
}

// Adds a convolution (weights of 1 / sqrt(fan-in) at most, which keep the values near
// unit size) and returns its output.
uint32_t add_conv(ModelBuilder& b, const char* name, uint32_t in,
                  std::initializer_list<int64_t> weight, std::initializer_list<int64_t> out_shape,
                  int64_t stride, int64_t pad, int64_t pad_mode, int64_t activation,
                  uint32_t seed) {
    const std::vector<int64_t> dims(weight);
    const int64_t fan_in = dims[1] * dims[2] * dims[3];
    const float scale = 1.0f / std::sqrt(static_cast<float>(fan_in));
    const uint32_t w = b.constant(std::string(name) + ".weight", dims,
                                  random_values(dims[0] * fan_in, seed, -scale, scale));
    const uint32_t bias = b.constant(std::string(name) + ".bias", {dims[0]},
                                     random_values(dims[0], seed + 1, -0.1f, 0.1f));
    const uint32_t out = b.activation(name, out_shape);
    auto& op = b.op(OpType::Conv2d, name, {in, w, bias}, out);
    op.attributes["strides"] = ints({stride, stride});
    op.attributes["pads"] = ints({pad, pad, pad, pad});
    op.attributes["pad_mode"] = ints({pad_mode});
    op.attributes["activation"] = ints({activation});
    op.attributes["alpha"] = floats({0.2f});
    return out;
}

// Adds a bilinear x2 Resize and returns its output.
uint32_t add_upsampling(ModelBuilder& b, const char* name, uint32_t in,
                        std::initializer_list<int64_t> out_shape) {
    const uint32_t out = b.activation(name, out_shape);
    auto& op = b.op(OpType::Resize, name, {in}, out);
    op.attributes["mode"] = ints({1});
    op.attributes["scales"] = floats({2.0f, 2.0f});
    return out;
}

// The output of a chain of convolutions and Resizes (ops, each reading the one before)
// by the reference kernels, each op into its own buffer.
std::vector<float> reference_chain(const ModelBuilder& b, const std::vector<graph::CheckedOp>& ops,
                                   const std::vector<float>& input) {
    std::vector<float> value = input;
    for (const graph::CheckedOp& op : ops) {
        std::vector<float> out(static_cast<size_t>(b.desc().tensors[op.output].elements()));
        if (const auto* p = std::get_if<kernels::Conv2dParams>(&op.params)) {
            ref::conv2d(*p, value.data(), b.desc().tensors[op.inputs[1]].data.data(),
                        b.desc().tensors[op.inputs[2]].data.data(), out.data());
        } else {
            ref::resize(std::get<kernels::ResizeParams>(op.params), value.data(), out.data());
        }
        value = std::move(out);
    }
    return value;
}

// Two pairs of convolutions at a quarter of the generators' size: their 7x7 head into
// a stride-2 layer, and an upsampled layer too narrow for Winograd (4 -> 16 channels)
// into a 7x7 tail, each with 4 MiB between the two. On the CPU the first of each pair is folded
// into the second (kernels::PreparedConv2d::run_pair), the tensors between them get no slot, and
// the output matches the reference kernels applied op by op.
TEST(Executor, ConvolutionPairsRunAsOneOnTheCpu) {
    if (kernels::simd::table() == nullptr) GTEST_SKIP() << "no SIMD kernels: nothing is paired";
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 3, 256, 256});
    const uint32_t head = add_conv(b, "head", x, {16, 3, 7, 7}, {1, 16, 256, 256}, 1, 3, 1, 2, 1);
    const uint32_t down = add_conv(b, "down", head, {4, 16, 3, 3}, {1, 4, 128, 128}, 2, 1, 0, 2, 3);
    const uint32_t up = add_upsampling(b, "resize", down, {1, 4, 256, 256});
    const uint32_t up_conv =
        add_conv(b, "up_conv", up, {16, 4, 3, 3}, {1, 16, 256, 256}, 1, 1, 0, 2, 5);
    const uint32_t tail =
        add_conv(b, "tail", up_conv, {3, 16, 7, 7}, {1, 3, 256, 256}, 1, 3, 1, 4, 7);
    b.output(tail);

    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("model.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("model.swpk"));
    const auto& ops = model->graph().ops;
    ASSERT_EQ(ops.size(), 5u);  // head, down, resize, up_conv, tail
    for (size_t k : {0u, 2u, 3u}) EXPECT_TRUE(model->folded_on_cpu(k)) << "op " << k;
    for (size_t k : {1u, 4u}) EXPECT_FALSE(model->folded_on_cpu(k)) << "op " << k;
    EXPECT_EQ(model->paired_first_conv(1), model->prepared_conv(0));
    EXPECT_EQ(model->paired_first_conv(4), model->prepared_conv(3));
    EXPECT_EQ(model->paired_first_conv(3), nullptr);
    ASSERT_NE(model->prepared_conv(3), nullptr);
    EXPECT_TRUE(model->prepared_conv(3)->upsampled_input());
    EXPECT_EQ(model->cpu_plan().tensor_offset[head], plan::kNoSlot);
    EXPECT_EQ(model->cpu_plan().tensor_offset[up_conv], plan::kNoSlot);

    const auto xv = random_values(3 * 256 * 256, 31, 0.0f, 1.0f);
    EXPECT_LE(max_relative_error(run_model(b, {xv}), reference_chain(b, ops, xv)), kTolerance);
}

// The generators' up.3 into their tail at half their size: an upsampled 16 -> 16 layer
// as Polyphase (its stacked Winograd convolution's U kept from load: many passes)
// folded into the 7x7 tail, which makes its rows a row of the stacked tiles at a time;
// the same as the reference kernels op by op.
TEST(Executor, PolyphaseLayerPairsWithTheTailOnTheCpu) {
    if (kernels::best_conv_isa() == kernels::ConvIsa::Portable) {
        GTEST_SKIP() << "no Winograd kernels here: nothing is paired";
    }
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 16, 128, 128});
    const uint32_t up = add_upsampling(b, "resize", x, {1, 16, 256, 256});
    const uint32_t up_conv =
        add_conv(b, "up_conv", up, {16, 16, 3, 3}, {1, 16, 256, 256}, 1, 1, 0, 2, 13);
    b.output(add_conv(b, "tail", up_conv, {3, 16, 7, 7}, {1, 3, 256, 256}, 1, 3, 1, 4, 15));

    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("model.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("model.swpk"));
    const auto& ops = model->graph().ops;
    ASSERT_EQ(ops.size(), 3u);  // resize, up_conv, tail
    EXPECT_TRUE(model->folded_on_cpu(0));
    EXPECT_TRUE(model->folded_on_cpu(1));
    ASSERT_NE(model->prepared_conv(1), nullptr);
    EXPECT_EQ(model->prepared_conv(1)->algorithm(), kernels::ConvAlgorithm::Polyphase);
    EXPECT_EQ(model->paired_first_conv(2), model->prepared_conv(1));
    EXPECT_EQ(model->cpu_plan().tensor_offset[up_conv], plan::kNoSlot);

    const auto xv = random_values(16 * 128 * 128, 43, -1.0f, 1.0f);
    const std::vector<float> got = run_model(b, {xv}, 2);
    EXPECT_LE(max_relative_error(got, reference_chain(b, ops, xv)), kTolerance);
    EXPECT_EQ(run_model(b, {xv}, 1), got);
}

// The first of a pair on Winograd makes a row of output tiles at a time, and the engine
// prepares it knowing so (kernels::ConvOptions::pair_first): inswapper_128's up.2 into
// its tail, at half its channels, takes AVX-512's narrow micro-kernel, whose columns of
// 32 tiles its rows fill, where alone it would take the wide one (columns of 64).
TEST(Executor, PairedWinogradFirstTakesTheMicroKernelItsRowsFill) {
    if (kernels::best_conv_isa() != kernels::ConvIsa::Avx512) {
        GTEST_SKIP() << "one Winograd micro-kernel here: only AVX-512 has a wide one";
    }
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 128, 128, 128});
    const uint32_t up = add_conv(b, "up", x, {64, 128, 3, 3}, {1, 64, 128, 128}, 1, 1, 0, 2, 17);
    b.output(add_conv(b, "tail", up, {3, 64, 7, 7}, {1, 3, 128, 128}, 1, 3, 1, 4, 19));

    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("model.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("model.swpk"));
    ASSERT_EQ(model->paired_first_conv(1), model->prepared_conv(0));
    const kernels::PreparedConv2d& first = *model->prepared_conv(0);
    EXPECT_EQ(first.algorithm(), kernels::ConvAlgorithm::Winograd);
    EXPECT_FALSE(first.winograd_wide());
    const auto& p = std::get<kernels::Conv2dParams>(model->graph().ops[0].params);
    const std::vector<float> w(static_cast<size_t>(64 * 128 * 9), 0.5f);
    EXPECT_TRUE(kernels::PreparedConv2d(p, w.data(), nullptr).winograd_wide());
}

// A 64 -> 16 convolution on a 2x-upsampled input (the generators' up.2, at an eighth of
// its size): on the CPU the Resize is folded into it and it runs as Polyphase, within
// the reference kernels' tolerance, the same for 1 and 2 threads.
TEST(Executor, UpsampledNarrowConvolutionRunsAsPolyphaseOnTheCpu) {
    if (kernels::best_conv_isa() == kernels::ConvIsa::Portable) {
        GTEST_SKIP() << "no Winograd kernels here: nothing runs as Polyphase";
    }
    ModelBuilder b;
    const uint32_t x = b.input("x", {1, 64, 16, 16});
    const uint32_t up = add_upsampling(b, "resize", x, {1, 64, 32, 32});
    b.output(add_conv(b, "up_conv", up, {16, 64, 3, 3}, {1, 16, 32, 32}, 1, 1, 0, 2, 11));

    testkit::TempDir dir;
    format::write_swpk(b.desc(), dir.file("model.swpk"));
    const auto model = engine::LoadedModel::open(dir.file("model.swpk"));
    const auto& ops = model->graph().ops;
    ASSERT_EQ(ops.size(), 2u);  // resize, up_conv
    EXPECT_TRUE(model->folded_on_cpu(0));
    ASSERT_NE(model->prepared_conv(1), nullptr);
    EXPECT_EQ(model->prepared_conv(1)->algorithm(), kernels::ConvAlgorithm::Polyphase);

    const auto xv = random_values(64 * 16 * 16, 41, -1.0f, 1.0f);
    const std::vector<float> got = run_model(b, {xv}, 2);
    EXPECT_LE(max_relative_error(got, reference_chain(b, ops, xv)), kTolerance);
    EXPECT_EQ(run_model(b, {xv}, 1), got);
}

}  // namespace
