#include <cstdint>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::bit_identical;
using testing::close_absolute;
using testing::close_relative;
using testing::random_vector;
using testing::with_threads;

// Output size of one axis (ONNX Conv).
int64_t out_len(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
    return (in + p0 + p1 - d * (k - 1) - 1) / s + 1;
}

Conv2dParams make_conv(int64_t n, int64_t ic, int64_t ih, int64_t iw, int64_t oc, int64_t kh,
                       int64_t kw, PadMode mode = PadMode::Constant) {
    Conv2dParams p;
    p.batch = n;
    p.in_channels = ic;
    p.in_height = ih;
    p.in_width = iw;
    p.out_channels = oc;
    p.kernel_h = kh;
    p.kernel_w = kw;
    p.pad_mode = mode;
    return p;
}

void finish(Conv2dParams& p) {
    p.out_height =
        out_len(p.in_height, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom);
    p.out_width =
        out_len(p.in_width, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right);
}

void set_pads(Conv2dParams& p, int64_t top, int64_t left, int64_t bottom, int64_t right) {
    p.pad_top = top;
    p.pad_left = left;
    p.pad_bottom = bottom;
    p.pad_right = right;
}

int64_t output_size(const Conv2dParams& p) {
    return p.batch * p.out_channels * p.out_height * p.out_width;
}

// 4x4 ramp x[i][j] = 4i + j.
std::vector<float> ramp(int64_t h, int64_t w) {
    std::vector<float> x(static_cast<size_t>(h * w));
    for (int64_t i = 0; i < h * w; ++i) x[i] = static_cast<float>(i);
    return x;
}

std::vector<float> run_reference(const Conv2dParams& p, const std::vector<float>& in,
                                 const std::vector<float>& w, const float* bias) {
    std::vector<float> out(static_cast<size_t>(output_size(p)));
    reference::conv2d(p, in.data(), w.data(), bias, out.data());
    return out;
}

std::vector<float> run_fast(const Conv2dParams& p, const std::vector<float>& in,
                            const std::vector<float>& w, const float* bias) {
    std::vector<float> out(static_cast<size_t>(output_size(p)), -12345.0f);
    conv2d(p, in.data(), w.data(), bias, out.data());
    return out;
}

// Both implementations must give the hand-computed answer.
void expect_both(const Conv2dParams& p, const std::vector<float>& in, const std::vector<float>& w,
                 const float* bias, const std::vector<float>& expected) {
    EXPECT_TRUE(close_absolute(run_reference(p, in, w, bias), expected, 1e-5)) << "reference";
    EXPECT_TRUE(close_absolute(run_fast(p, in, w, bias), expected, 1e-4)) << "fast";
}

// ---------------------------------------------------------------------------
// Hand-computed cases.

TEST(Conv2dReference, OnesKernelReflectPad) {
    // Sum of a 3x3 reflect-padded window of x = 4i + j: rows/cols of the window
    // reflect to {1,0,1}, {0,1,2}, {1,2,3}, {2,3,2} with sums R = 2, 3, 6, 7, so
    // out[i][j] = 3 * 4 * R[i] + 3 * R[j].
    Conv2dParams p = make_conv(1, 1, 4, 4, 1, 3, 3, PadMode::Reflect);
    set_pads(p, 1, 1, 1, 1);
    finish(p);
    const std::vector<float> w(9, 1.0f);
    const std::vector<float> expected = {30, 33, 42, 45, 42, 45, 54,  57,
                                         78, 81, 90, 93, 90, 93, 102, 105};
    expect_both(p, ramp(4, 4), w, nullptr, expected);
}

TEST(Conv2dReference, TopLeftTapPerPadMode) {
    // A kernel with its only 1 at tap (0, 0) reads x[i - 1][j - 1] (no flip).
    std::vector<float> w(9, 0.0f);
    w[0] = 1.0f;
    const std::vector<float> x = ramp(4, 4);
    {
        Conv2dParams p = make_conv(1, 1, 4, 4, 1, 3, 3, PadMode::Reflect);
        set_pads(p, 1, 1, 1, 1);
        finish(p);
        expect_both(p, x, w, nullptr, {5, 4, 5, 6, 1, 0, 1, 2, 5, 4, 5, 6, 9, 8, 9, 10});
    }
    {
        Conv2dParams p = make_conv(1, 1, 4, 4, 1, 3, 3, PadMode::Edge);
        set_pads(p, 1, 1, 1, 1);
        finish(p);
        expect_both(p, x, w, nullptr, {0, 0, 1, 2, 0, 0, 1, 2, 4, 4, 5, 6, 8, 8, 9, 10});
    }
    {
        Conv2dParams p = make_conv(1, 1, 4, 4, 1, 3, 3, PadMode::Constant);
        set_pads(p, 1, 1, 1, 1);
        finish(p);
        expect_both(p, x, w, nullptr, {0, 0, 0, 0, 0, 0, 1, 2, 0, 4, 5, 6, 0, 8, 9, 10});
    }
}

TEST(Conv2dReference, BiasThenRelu) {
    // Ones kernel, zero padding, bias -20, relu. With zero padding the window keeps
    // rows/cols {0,1}, {0,1,2}, {1,2,3}, {2,3}: counts n = 2, 3, 3, 2 and sums
    // S = 1, 3, 6, 5, so the window sum is n[j] * 4 * S[i] + n[i] * S[j], e.g.
    // (0,0) = 8 + 2 = 10, (1,0) = 24 + 3 = 27, (2,3) = 48 + 15 = 63.
    Conv2dParams p = make_conv(1, 1, 4, 4, 1, 3, 3);
    set_pads(p, 1, 1, 1, 1);
    p.activation.kind = Activation::Relu;
    finish(p);
    const std::vector<float> w(9, 1.0f);
    const float bias = -20.0f;
    const std::vector<float> expected = {0, 0, 4, 0, 7, 25, 34, 19, 31, 61, 70, 43, 22, 46, 52, 30};
    expect_both(p, ramp(4, 4), w, &bias, expected);
}

TEST(Conv2dReference, StrideTwo) {
    // 5x5 ramp x = 5i + j, ones 3x3, stride 2, no padding: 90i + 18j + 54.
    Conv2dParams p = make_conv(1, 1, 5, 5, 1, 3, 3);
    p.stride_h = p.stride_w = 2;
    finish(p);
    ASSERT_EQ(p.out_height, 2);
    expect_both(p, ramp(5, 5), std::vector<float>(9, 1.0f), nullptr, {54, 72, 144, 162});
}

TEST(Conv2dReference, DilationTwo) {
    // 5x5 ramp, ones 3x3 with dilation 2 reads rows/cols {0, 2, 4}: 3*5*6 + 3*6 = 108.
    Conv2dParams p = make_conv(1, 1, 5, 5, 1, 3, 3);
    p.dilation_h = p.dilation_w = 2;
    finish(p);
    ASSERT_EQ(p.out_width, 1);
    expect_both(p, ramp(5, 5), std::vector<float>(9, 1.0f), nullptr, {108});
}

TEST(Conv2dReference, GroupsKeepChannelsApart) {
    // Two groups of 1x1 convs: out0 = 2*in0 + 3*in1, out1 = -in2 + 0.5*in3.
    Conv2dParams p = make_conv(1, 4, 1, 2, 2, 1, 1);
    p.groups = 2;
    finish(p);
    const std::vector<float> x = {1, 2, 10, 20, 100, 200, 1000, 2000};
    const std::vector<float> w = {2, 3, -1, 0.5f};
    expect_both(p, x, w, nullptr, {2 + 30, 4 + 60, -100 + 500, -200 + 1000});
}

TEST(Conv2dReference, AsymmetricPads) {
    // 1x3 input [1 2 3], 1x2 kernel [1 10], pad left 2 and right 0 (zero):
    // windows [0 0], [0 1], [1 2], [2 3] -> 0, 10, 21, 32.
    Conv2dParams p = make_conv(1, 1, 1, 3, 1, 1, 2);
    set_pads(p, 0, 2, 0, 0);
    finish(p);
    ASSERT_EQ(p.out_width, 4);
    expect_both(p, {1, 2, 3}, {1, 10}, nullptr, {0, 10, 21, 32});
}

// ---------------------------------------------------------------------------
// Fast entry point against the reference on random data.

struct Case {
    std::string name;
    Conv2dParams p;
};

std::vector<Case> random_cases() {
    std::vector<Case> cases;
    auto add = [&](std::string name, Conv2dParams p) {
        finish(p);
        cases.push_back({std::move(name), p});
    };
    const PadMode modes[] = {PadMode::Constant, PadMode::Reflect, PadMode::Edge};
    const char* mode_names[] = {"zero", "reflect", "edge"};
    for (int m = 0; m < 3; ++m) {
        const std::string mn = mode_names[m];
        {
            Conv2dParams p = make_conv(2, 13, 11, 17, 21, 3, 3, modes[m]);
            set_pads(p, 1, 1, 1, 1);
            add("3x3_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 3, 19, 23, 10, 7, 7, modes[m]);
            set_pads(p, 3, 3, 3, 3);
            p.activation.kind = Activation::Relu;
            add("7x7_in3_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 19, 21, 29, 3, 7, 7, modes[m]);
            set_pads(p, 3, 3, 3, 3);
            p.activation.kind = Activation::TanhUnit;
            add("7x7_out3_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 11, 15, 19, 24, 3, 3, modes[m]);
            set_pads(p, 1, 1, 1, 1);
            p.stride_h = p.stride_w = 2;
            p.activation = {Activation::LeakyRelu, 0.2f};
            add("stride2_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 9, 14, 17, 12, 3, 3, modes[m]);
            set_pads(p, 2, 2, 2, 2);
            p.dilation_h = p.dilation_w = 2;
            p.activation.kind = Activation::Sigmoid;
            add("dilation2_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 10, 13, 15, 20, 3, 5, modes[m]);
            set_pads(p, 0, 1, 2, 3);
            p.activation.kind = Activation::Tanh;
            add("asym_pads_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 12, 9, 11, 12, 3, 3, modes[m]);
            set_pads(p, 1, 1, 1, 1);
            p.groups = 12;
            add("depthwise_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 7, 5, 6, 9, 3, 3, modes[m]);
            set_pads(p, 2, 3, 1, 2);  // wider than the kernel reach at the borders
            add("wide_pads_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 6, 13, 15, 6, 5, 5, modes[m]);
            set_pads(p, 2, 2, 2, 2);
            p.groups = 6;
            p.stride_h = p.stride_w = 2;
            add("depthwise_5x5_stride2_" + mn, p);
        }
        {
            Conv2dParams p = make_conv(1, 4, 11, 14, 6, 3, 4, modes[m]);
            set_pads(p, 1, 2, 2, 1);
            p.groups = 2;
            p.stride_w = 2;
            p.dilation_h = 2;
            add("narrow_3x4_dilated_" + mn, p);
        }
    }
    {
        Conv2dParams p = make_conv(1, 14, 9, 13, 34, 3, 3);
        set_pads(p, 1, 1, 1, 1);
        p.groups = 2;
        add("groups2_blocked", p);
    }
    {
        Conv2dParams p = make_conv(1, 6, 9, 13, 6, 3, 3, PadMode::Reflect);
        set_pads(p, 1, 1, 1, 1);
        p.groups = 2;
        add("groups2_narrow", p);
    }
    {
        Conv2dParams p = make_conv(2, 37, 8, 9, 45, 1, 1);
        add("1x1", p);
    }
    {
        Conv2dParams p = make_conv(1, 7, 8, 9, 5, 1, 1);
        p.activation.kind = Activation::Relu;
        add("1x1_narrow", p);
    }
    {
        Conv2dParams p = make_conv(1, 17, 7, 40, 131, 3, 3, PadMode::Reflect);
        set_pads(p, 1, 1, 1, 1);
        add("two_blocks_many_chunks", p);  // 128 + 3 channels; 40 columns > one chunk
    }
    {
        Conv2dParams p = make_conv(1, 5, 7, 9, 8, 4, 2, PadMode::Edge);
        set_pads(p, 1, 0, 2, 1);
        p.stride_h = 2;
        p.stride_w = 3;
        add("uneven_strides", p);
    }
    {
        Conv2dParams p = make_conv(1, 4, 1, 1, 9, 3, 3);
        set_pads(p, 1, 1, 1, 1);
        add("one_pixel", p);
    }
    return cases;
}

TEST(Conv2dFast, MatchesReferenceOnRandomData) {
    uint32_t seed = 1;
    for (const Case& c : random_cases()) {
        SCOPED_TRACE(c.name);
        const Conv2dParams& p = c.p;
        const auto in = random_vector(p.batch * p.in_channels * p.in_height * p.in_width, seed++);
        const auto w = random_vector(
            p.out_channels * (p.in_channels / p.groups) * p.kernel_h * p.kernel_w, seed++);
        const auto b = random_vector(p.out_channels, seed++);
        EXPECT_TRUE(
            close_relative(run_fast(p, in, w, b.data()), run_reference(p, in, w, b.data())));
        EXPECT_TRUE(close_relative(run_fast(p, in, w, nullptr), run_reference(p, in, w, nullptr)));
    }
}

TEST(Conv2dFast, GeneratorShapesStayAccurate) {
    // The generator's deepest reduction: 3x3 over 1024 channels (9216 taps), reflect
    // pad, with weights scaled as trained layers are (about 1 / sqrt(fan-in)).
    Conv2dParams p = make_conv(1, 1024, 16, 16, 12, 3, 3, PadMode::Reflect);
    set_pads(p, 1, 1, 1, 1);
    finish(p);
    const auto in = random_vector(p.in_channels * p.in_height * p.in_width, 77);
    const auto w = random_vector(p.out_channels * p.in_channels * 9, 78, -0.02f, 0.02f);
    const auto b = random_vector(p.out_channels, 79);
    EXPECT_TRUE(close_relative(run_fast(p, in, w, b.data()), run_reference(p, in, w, b.data())));
}

TEST(Conv2dFast, RepeatedCallsSeeNewWeights) {
    // The fast kernel caches packed weights per thread; a second call with the same
    // buffer holding different values must not reuse them.
    Conv2dParams p = make_conv(1, 8, 6, 7, 16, 3, 3);
    set_pads(p, 1, 1, 1, 1);
    finish(p);
    const auto in = random_vector(8 * 6 * 7, 5);
    auto w = random_vector(16 * 8 * 9, 6);
    (void)run_fast(p, in, w, nullptr);
    for (float& v : w) v *= -2.0f;
    EXPECT_TRUE(close_relative(run_fast(p, in, w, nullptr), run_reference(p, in, w, nullptr)));
}

// ---------------------------------------------------------------------------
// Results do not depend on the thread count.

TEST(Conv2dFast, DeterministicAcrossThreadCounts) {
    std::vector<Conv2dParams> configs;
    {
        Conv2dParams p = make_conv(2, 24, 13, 21, 140, 3, 3, PadMode::Reflect);
        set_pads(p, 1, 1, 1, 1);
        configs.push_back(p);
    }
    {
        Conv2dParams p = make_conv(1, 16, 33, 35, 3, 7, 7, PadMode::Edge);
        set_pads(p, 3, 3, 3, 3);
        configs.push_back(p);
    }
    uint32_t seed = 100;
    for (Conv2dParams& p : configs) {
        finish(p);
        const auto in = random_vector(p.batch * p.in_channels * p.in_height * p.in_width, seed++);
        const auto w =
            random_vector(p.out_channels * p.in_channels * p.kernel_h * p.kernel_w, seed++);
        const auto b = random_vector(p.out_channels, seed++);
        const auto one = with_threads(1, [&] { return run_fast(p, in, w, b.data()); });
        const auto two = with_threads(2, [&] { return run_fast(p, in, w, b.data()); });
        const auto three = with_threads(3, [&] { return run_fast(p, in, w, b.data()); });
        EXPECT_TRUE(bit_identical(one, two));
        EXPECT_TRUE(bit_identical(one, three));
    }
}

}  // namespace
}  // namespace swaprun::kernels
