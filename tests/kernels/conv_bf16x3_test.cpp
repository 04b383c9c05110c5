// ConvPrecision::Bf16x3: the Winograd GEMMs on AMX tiles (winograd_amx.h) against the
// naive reference, to the precision that three bf16 products give, with the same
// bits for any thread count and either schedule, in a pair too; and fp32 wherever it
// does not apply.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/conv2d_prepared.h"
#include "kernels/reference.h"
#include "kernels/winograd_amx.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::bit_identical;
using testing::close_relative;
using testing::random_vector;

struct Shape {
    int64_t in_c, out_c, h, w;
    int64_t batch = 1;
    PadMode mode = PadMode::Constant;
    Activation act = Activation::None;
};

Conv2dParams params_of(const Shape& s) {
    Conv2dParams p;
    p.batch = s.batch;
    p.in_channels = s.in_c;
    p.out_channels = s.out_c;
    p.in_height = p.out_height = s.h;
    p.in_width = p.out_width = s.w;
    p.kernel_h = p.kernel_w = 3;
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    p.pad_mode = s.mode;
    p.activation.kind = s.act;
    p.activation.alpha = 0.2f;
    return p;
}

std::string describe(const Shape& s) {
    return std::to_string(s.in_c) + "->" + std::to_string(s.out_c) + " " + std::to_string(s.h) +
           "x" + std::to_string(s.w) + " batch " + std::to_string(s.batch);
}

struct Data {
    std::vector<float> in, w, b;
};

Data make_data(const Conv2dParams& p, uint32_t seed) {
    return {random_vector(p.batch * p.in_channels * p.in_height * p.in_width, seed),
            random_vector(p.out_channels * p.in_channels * 9, seed + 1, -0.5f, 0.5f),
            random_vector(p.out_channels, seed + 2)};
}

std::vector<float> run(const PreparedConv2d& conv, const Data& d, int threads,
                       WinogradSchedule schedule = WinogradSchedule::Auto) {
    const Conv2dParams& p = conv.params();
    std::vector<float> out(
        static_cast<size_t>(p.batch * p.out_channels * p.out_height * p.out_width), -12345.0f);
    AlignedFloats scratch(conv.scratch_floats(threads, schedule));
    conv.run(d.in.data(), out.data(), scratch.data(), threads, schedule);
    return out;
}

std::vector<float> reference_of(const Conv2dParams& p, const Data& d) {
    std::vector<float> out(
        static_cast<size_t>(p.batch * p.out_channels * p.out_height * p.out_width));
    reference::conv2d(p, d.in.data(), d.w.data(), d.b.data(), out.data());
    return out;
}

// Prints the largest error of `got` as a fraction of the largest output: the figure the
// bounds' comments quote.
void print_error(const std::string& what, const std::vector<float>& got,
                 const std::vector<float>& expected) {
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        worst = std::max(worst, std::fabs(static_cast<double>(got[i]) - expected[i]));
    }
    std::printf("%s: max abs error %.3g of the largest output\n", what.c_str(),
                worst / testing::max_abs(expected));
}

// fn(shape, its params, its data, the layer prepared with `options`) for each shape of
// `shapes`, the data seeded from `seed` on.
template <class Shapes, class Fn>
void for_each_case(const Shapes& shapes, uint32_t seed, const ConvOptions& options, Fn fn) {
    for (const auto& s : shapes) {
        const Conv2dParams p = params_of(s);
        const Data d = make_data(p, seed);
        seed += 3;
        const PreparedConv2d conv(p, d.w.data(), d.b.data(), options);
        fn(s, p, d, conv);
    }
}

// The tiles serve the AVX-512 kernels: absent, or with AVX-512 turned off
// (SWAPRUN_DISABLE_AVX512, the .avx2 and .baseline runs of this suite), bf16x3 is fp32.
bool amx_runs() { return winograd_amx::available() && best_conv_isa() == ConvIsa::Avx512; }
constexpr const char* kNoAmx =
    "no AMX tiles (with AVX512-BF16), or no AVX-512 kernels, here: bf16x3 runs as fp32";

ConvOptions bf16x3() {
    ConvOptions o{ConvAlgorithm::Winograd, ConvIsa::Auto};
    o.precision = ConvPrecision::Bf16x3;
    return o;
}

// The shapes the two ways of holding U take (winograd.h): made per run in one pass (a
// generator's residual block), kept from load over several passes and in a batch;
// input channels in part of a tile step, output channels in an odd count of tiles.
const Shape kShapes[] = {
    {64, 48, 32, 32, 1, PadMode::Reflect, Activation::Relu},        // per run, 3 tiles of outputs
    {72, 32, 70, 90, 1, PadMode::Constant, Activation::LeakyRelu},  // 414 tiles: passes
    {64, 16, 9, 10, 2, PadMode::Edge, Activation::None},            // a batch
    {200, 64, 24, 24, 1, PadMode::Reflect, Activation::None},       // 7 steps, the last short
};

// A product's three bf16 parts keep about 16 bits: against the reference, 2^-16 of
// the products grown by the Winograd transforms (their coefficients reach 8 on each
// axis); 0.89e-4 to 1.24e-4 of the output's largest value for these shapes (the test
// prints it). The bound is about three times that; the fp32 kernels are held to 1e-4
// (conv_fast_test.cpp).
constexpr double kBf16x3Relative = 4e-4;

TEST(ConvBf16x3, WinogradMatchesTheReferenceToItsPrecision) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    for_each_case(
        kShapes, 4100, bf16x3(),
        [](const Shape& s, const Conv2dParams& p, const Data& d, const PreparedConv2d& conv) {
            ASSERT_TRUE(conv.amx()) << describe(s);
            const std::vector<float> got = run(conv, d, 2), expected = reference_of(p, d);
            EXPECT_TRUE(close_relative(got, expected, kBf16x3Relative))
                << describe(s) << (conv.transforms_weights_per_run() ? ", U per run" : ", U kept");
            print_error(describe(s), got, expected);
        });
}

TEST(ConvBf16x3, ThreadsAndSchedulesGiveTheSameBits) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    for_each_case(
        kShapes, 4200, bf16x3(),
        [](const Shape& s, const Conv2dParams& /*p*/, const Data& d, const PreparedConv2d& conv) {
            const std::vector<float> expected = run(conv, d, 1, WinogradSchedule::SharedStages);
            for (int threads = 1; threads <= 3; ++threads) {
                for (WinogradSchedule schedule :
                     {WinogradSchedule::SharedStages, WinogradSchedule::PrivateTiles}) {
                    EXPECT_TRUE(bit_identical(run(conv, d, threads, schedule), expected))
                        << describe(s) << ", " << threads << " threads, schedule "
                        << static_cast<int>(schedule);
                }
            }
        });
}

// A Winograd first of a pair (U kept from load) runs a row of tiles at a time by the
// thread that needs it: the same bits as the two convolutions one after the other.
TEST(ConvBf16x3, PairGivesTheBitsOfTheTwoInTurn) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    const Conv2dParams p = params_of({64, 16, 61, 75, 1, PadMode::Constant, Activation::Relu});
    Conv2dParams q = params_of({16, 5, 61, 75});
    q.stride_h = q.stride_w = 2;
    q.out_height = 31;
    q.out_width = 38;
    const Data dp = make_data(p, 4300), dq = make_data(q, 4310);
    const ConvOptions second{ConvAlgorithm::Direct, ConvIsa::Auto};
    ASSERT_TRUE(PreparedConv2d::can_pair(p, bf16x3(), q, second));
    const PreparedConv2d first_conv(p, dp.w.data(), dp.b.data(), bf16x3());
    const PreparedConv2d second_conv(q, dq.w.data(), dq.b.data(), second);
    ASSERT_TRUE(first_conv.amx());
    ASSERT_FALSE(first_conv.transforms_weights_per_run());

    const int threads = 2;
    std::vector<float> middle = run(first_conv, dp, threads);
    const Data between{middle, dq.w, dq.b};
    const std::vector<float> expected = run(second_conv, between, threads);
    std::vector<float> got(expected.size(), -12345.0f);
    AlignedFloats scratch(PreparedConv2d::pair_scratch_floats(first_conv, second_conv, threads));
    PreparedConv2d::run_pair(first_conv, second_conv, dp.in.data(), got.data(), scratch.data(),
                             threads);
    EXPECT_TRUE(bit_identical(got, expected));
}

// Fp32 never takes the tiles; bf16x3 does not where the output channels are no whole
// tiles or the input channels fill less than two tile steps, nor on the AVX2 kernels;
// those layers then give fp32's bits.
TEST(ConvBf16x3, Fp32WhereItDoesNotApply) {
    const Conv2dParams p = params_of({64, 24, 20, 20});
    const Data d = make_data(p, 4400);
    const PreparedConv2d fp32(p, d.w.data(), d.b.data(), ConvOptions{ConvAlgorithm::Winograd});
    EXPECT_FALSE(fp32.amx());
    const PreparedConv2d odd(p, d.w.data(), d.b.data(), bf16x3());
    EXPECT_FALSE(odd.amx()) << "24 output channels";
    EXPECT_TRUE(bit_identical(run(odd, d, 2), run(fp32, d, 2)));
    const Conv2dParams narrow = params_of({48, 48, 20, 20});
    const PreparedConv2d few_inputs(narrow, make_data(narrow, 4405).w.data(), nullptr, bf16x3());
    EXPECT_FALSE(few_inputs.amx()) << "48 input channels";

    ConvOptions avx2 = bf16x3();
    avx2.isa = ConvIsa::Avx2;
    const Conv2dParams q = params_of({64, 64, 20, 20});
    const PreparedConv2d on_avx2(q, make_data(q, 4410).w.data(), nullptr, avx2);
    EXPECT_FALSE(on_avx2.amx());
}

// The 3x3 stride-2 layers (strided_amx.h): input channels in whole steps, in part of one
// (an odd count: the last pair half zeros), 16 (two taps to a step), pads below and
// right or not, a batch, 2 pixel tiles or 1 left over per row, 2 tiles of output
// channels or 1 left over, and (run on 1 thread) more rows than one chunk of the split.
struct StridedShape {
    int64_t in_c, out_c, out_h, out_w;
    int64_t batch = 1, pad_end = 1;
    Activation act = Activation::None;
};

Conv2dParams params_of(const StridedShape& s) {
    Conv2dParams p = params_of(
        Shape{s.in_c, s.out_c, 2 * s.out_h, 2 * s.out_w, s.batch, PadMode::Constant, s.act});
    p.stride_h = p.stride_w = 2;
    p.out_height = s.out_h;
    p.out_width = s.out_w;
    p.pad_bottom = p.pad_right = s.pad_end;
    return p;
}

std::string describe(const StridedShape& s) {
    return std::to_string(s.in_c) + "->" + std::to_string(s.out_c) + " stride 2 to " +
           std::to_string(s.out_h) + "x" + std::to_string(s.out_w) + " batch " +
           std::to_string(s.batch);
}

ConvOptions bf16x3_auto() {
    ConvOptions o;
    o.precision = ConvPrecision::Bf16x3;
    return o;
}

const StridedShape kStridedShapes[] = {
    {64, 32, 16, 32, 1, 1, Activation::LeakyRelu},  // 2 steps, 2 tiles by 2 each
    {96, 48, 7, 48, 1, 0, Activation::Relu},        // 3 tiles of each
    {65, 32, 5, 16, 2, 1, Activation::None},        // a step and one channel, a batch
    {16, 64, 4, 32, 1, 1, Activation::LeakyRelu},   // 16 channels: two taps a step
    {16, 32, 40, 16, 1, 0, Activation::Relu},       // and over two chunks of rows
};

// Without the transforms' growth, the direct products keep closer to the reference than
// the Winograd ones: 3.4e-6 to 4.1e-6 of the largest output for these shapes (the test
// prints it). The bound is five times that; a lost hi lo product, 2^-9 of each
// product, would overshoot it by far.
constexpr double kStridedRelative = 2e-5;

TEST(ConvBf16x3, StridedMatchesTheReferenceToItsPrecision) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    for_each_case(kStridedShapes, 4500, bf16x3_auto(),
                  [](const StridedShape& s, const Conv2dParams& p, const Data& d,
                     const PreparedConv2d& conv) {
                      ASSERT_EQ(conv.algorithm(), ConvAlgorithm::StridedAmx) << describe(s);
                      ASSERT_TRUE(conv.amx());
                      const std::vector<float> got = run(conv, d, 2), expected = reference_of(p, d);
                      EXPECT_TRUE(close_relative(got, expected, kStridedRelative)) << describe(s);
                      print_error(describe(s), got, expected);
                  });
}

TEST(ConvBf16x3, StridedGivesTheSameBitsOnAnyThreads) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    for_each_case(kStridedShapes, 4600, bf16x3_auto(),
                  [](const StridedShape& s, const Conv2dParams& p, const Data& d,
                     const PreparedConv2d& conv) {
                      const std::vector<float> expected = run(conv, d, 1);
                      for (int threads : {2, 3, 8}) {  // 8: more threads than some shapes have rows
                          EXPECT_TRUE(bit_identical(run(conv, d, threads), expected))
                              << describe(s) << ", " << threads << " threads";
                      }
                      // Asked for by name, with bf16x3, the same layer.
                      ConvOptions named = bf16x3_auto();
                      named.algorithm = ConvAlgorithm::StridedAmx;
                      const PreparedConv2d by_name(p, d.w.data(), d.b.data(), named);
                      EXPECT_TRUE(bit_identical(run(by_name, d, 2), expected))
                          << describe(s) << ", by name";
                  });
}

// Input channels of subnormal values (the odd ones, each the second of the pair that a
// B tile row holds) next to normal ones: their split must not spill into their
// partners' words. Both kinds of layer on the tiles, against the reference to their
// precision.
TEST(ConvBf16x3, SubnormalInputsStayInTheirWords) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    const auto with_subnormal_odd_channels = [](const Conv2dParams& p, Data d) {
        const int64_t plane = p.in_height * p.in_width;
        for (int64_t n = 0; n < p.batch; ++n) {
            for (int64_t c = 1; c < p.in_channels; c += 2) {
                float* x = d.in.data() + (n * p.in_channels + c) * plane;
                // Below 1.2e-38 (FLT_MIN); many stay so after the Winograd input
                // transform's sums.
                for (int64_t i = 0; i < plane; ++i) x[i] *= 1e-39f;
            }
        }
        return d;
    };
    const Shape winograd{64, 48, 32, 32, 1, PadMode::Reflect, Activation::None};
    const Conv2dParams pw = params_of(winograd);
    const Data dw = with_subnormal_odd_channels(pw, make_data(pw, 4700));
    const PreparedConv2d wconv(pw, dw.w.data(), dw.b.data(), bf16x3());
    ASSERT_TRUE(wconv.amx());
    EXPECT_TRUE(close_relative(run(wconv, dw, 2), reference_of(pw, dw), kBf16x3Relative))
        << describe(winograd);
    const StridedShape strided{64, 32, 16, 32, 1, 1, Activation::None};
    const Conv2dParams ps = params_of(strided);
    const Data ds = with_subnormal_odd_channels(ps, make_data(ps, 4710));
    const PreparedConv2d sconv(ps, ds.w.data(), ds.b.data(), bf16x3_auto());
    ASSERT_EQ(sconv.algorithm(), ConvAlgorithm::StridedAmx);
    EXPECT_TRUE(close_relative(run(sconv, ds, 2), reference_of(ps, ds), kStridedRelative))
        << describe(strided);
}

// A stride-2 layer on the tiles is no second of a pair (run_pair's second runs on the
// direct kernels): in bf16x3 the layer before it writes its output whole, where in fp32
// the two may pair.
TEST(ConvBf16x3, StridedIsNoSecondOfAPair) {
    if (!amx_runs()) GTEST_SKIP() << kNoAmx;
    const Conv2dParams second = params_of(StridedShape{16, 64, 8, 16});
    Conv2dParams first = params_of(Shape{16, 16, 16, 32});
    first.kernel_h = first.kernel_w = 1;
    first.pad_top = first.pad_left = first.pad_bottom = first.pad_right = 0;
    const ConvOptions direct{ConvAlgorithm::Direct, ConvIsa::Auto};
    EXPECT_TRUE(PreparedConv2d::can_pair(first, direct, second, direct));
    EXPECT_FALSE(PreparedConv2d::can_pair(first, direct, second, bf16x3_auto()));
}

// Where the stride-2 tiles do not apply, or pay, the layer keeps fp32's algorithms.
TEST(ConvBf16x3, StridedFp32WhereItDoesNotApply) {
    const auto algorithm = [](const Conv2dParams& p, ConvOptions o) {
        const std::vector<float> w(static_cast<size_t>(p.out_channels * p.in_channels * 9));
        return PreparedConv2d(p, w.data(), nullptr, o).algorithm();
    };
    const Conv2dParams fits = params_of(StridedShape{64, 32, 8, 16});
    EXPECT_NE(algorithm(fits, ConvOptions{}), ConvAlgorithm::StridedAmx) << "fp32";
    EXPECT_NE(algorithm(fits, ConvOptions{ConvAlgorithm::StridedAmx}), ConvAlgorithm::StridedAmx)
        << "fp32, asked for by name";
    Conv2dParams narrow = params_of(StridedShape{8, 32, 8, 16});
    EXPECT_NE(algorithm(narrow, bf16x3_auto()), ConvAlgorithm::StridedAmx) << "8 inputs";
    Conv2dParams one_tile = params_of(StridedShape{64, 16, 8, 16});
    EXPECT_NE(algorithm(one_tile, bf16x3_auto()), ConvAlgorithm::StridedAmx) << "16 outputs";
    Conv2dParams ragged = params_of(StridedShape{64, 32, 8, 20});
    EXPECT_NE(algorithm(ragged, bf16x3_auto()), ConvAlgorithm::StridedAmx) << "20 columns";
    Conv2dParams reflect = fits;
    reflect.pad_mode = PadMode::Reflect;
    EXPECT_NE(algorithm(reflect, bf16x3_auto()), ConvAlgorithm::StridedAmx) << "reflect";
    Conv2dParams odd_input = fits;
    odd_input.in_width -= 1;
    EXPECT_NE(algorithm(odd_input, bf16x3_auto()), ConvAlgorithm::StridedAmx) << "odd width";
    ConvOptions avx2 = bf16x3_auto();
    avx2.isa = ConvIsa::Avx2;
    EXPECT_NE(algorithm(fits, avx2), ConvAlgorithm::StridedAmx) << "AVX2";
}

}  // namespace
}  // namespace swaprun::kernels
