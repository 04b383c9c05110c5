// The explicitly vectorized paths (kernels/elementwise_simd.h) against the
// reference: sizes that are not multiples of any vector length, every activation,
// residual on and off, accuracy of the vector tanh / sigmoid over a dense range and
// at special values, and bit-identical results for 1, 2 and 3 threads.
//
// ctest runs this binary three times: as is (AVX-512 where the machine has it),
// with SWAPRUN_DISABLE_AVX512 (AVX2) and with SWAPRUN_DISABLE_AVX2 (portable), so
// each table and the portable loops meet the same checks. On AArch64 the table is
// NEON, and SWAPRUN_DISABLE_NEON selects the portable loops.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernels/elementwise_simd.h"
#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::bit_identical;
using testing::close_absolute;
using testing::close_relative;
using testing::make_shape;
using testing::random_vector;
using testing::with_threads;

constexpr Activation kActivations[] = {Activation::None,      Activation::Relu,
                                       Activation::LeakyRelu, Activation::Tanh,
                                       Activation::TanhUnit,  Activation::Sigmoid};

TEST(SimdPaths, TableFollowsTheEnvironment) {
    const simd::Table* t = simd::table();
    if (simd::env_flag(SWAPRUN_NEON_TABLE ? "SWAPRUN_DISABLE_NEON" : "SWAPRUN_DISABLE_AVX2")) {
        EXPECT_EQ(t, nullptr);
    } else if (simd::env_flag("SWAPRUN_DISABLE_AVX512") && t != nullptr) {
        EXPECT_EQ(std::string(t->name), "avx2");
    }
    std::printf("simd table: %s\n", t != nullptr ? t->name : "none (portable loops)");
}

// ---- adain ----------------------------------------------------------------------

struct AdainCase {
    int64_t n, c, h, w;
    bool broadcast;
};

std::vector<float> run_adain(bool fast, const AdainParams& p, const std::vector<float>& x,
                             const std::vector<float>& s, const std::vector<float>& t,
                             const std::vector<float>* r) {
    std::vector<float> y(x.size(), -777.0f);
    const float* rp = r != nullptr ? r->data() : nullptr;
    if (fast) {
        adain(p, x.data(), s.data(), t.data(), rp, y.data());
    } else {
        reference::adain(p, x.data(), s.data(), t.data(), rp, y.data());
    }
    return y;
}

TEST(SimdPaths, AdainMatchesReferenceOnOddShapes) {
    const AdainCase cases[] = {{1, 7, 5, 13, false}, {2, 3, 1, 17, false}, {1, 5, 32, 32, true},
                               {2, 9, 3, 3, true},   {1, 1, 1, 1, false},  {1, 4, 31, 33, false}};
    uint32_t seed = 1;
    for (const AdainCase& k : cases) {
        for (Activation act : kActivations) {
            for (bool with_residual : {false, true}) {
                AdainParams p;
                p.batch = k.n;
                p.channels = k.c;
                p.height = k.h;
                p.width = k.w;
                p.broadcast_batch = k.broadcast;
                p.epsilon = 1e-5f;
                p.activation = {act, 0.2f};
                const int64_t count = k.n * k.c * k.h * k.w;
                const int64_t mods = k.broadcast ? k.c : k.n * k.c;
                // An offset and spread that differ per element range, as real
                // activations do.
                const auto x = random_vector(count, seed++, -3.0f, 5.0f);
                const auto s = random_vector(mods, seed++, 0.5f, 2.0f);
                const auto t = random_vector(mods, seed++, -1.0f, 1.0f);
                const auto r = random_vector(count, seed++);
                const auto* rp = with_residual ? &r : nullptr;
                EXPECT_TRUE(close_absolute(run_adain(true, p, x, s, t, rp),
                                           run_adain(false, p, x, s, t, rp), 2e-6 * 8))
                    << "shape " << k.n << "x" << k.c << "x" << k.h << "x" << k.w << " act "
                    << static_cast<int>(act) << " residual " << with_residual;
            }
        }
    }
}

// A large offset against a small spread: the one-pass moments must not cancel.
TEST(SimdPaths, AdainLargeOffsetKeepsPrecision) {
    AdainParams p;
    p.channels = 3;
    p.height = 17;
    p.width = 19;
    p.epsilon = 1e-8f;
    const int64_t count = 3 * 17 * 19;
    auto x = random_vector(count, 42, -0.01f, 0.01f);
    for (int64_t i = 0; i < count; ++i) x[static_cast<size_t>(i)] += 1000.0f;
    const std::vector<float> s = {1.0f, 2.0f, 0.5f}, t = {0.0f, 0.1f, -0.1f};
    const auto fast = run_adain(true, p, x, s, t, nullptr);
    const auto ref = run_adain(false, p, x, s, t, nullptr);
    // The deviations are exact in float near 1000 to ~6e-5 of a 0.01 spread;
    // normalized values are O(1), so 1e-3 bounds input rounding, not the method.
    EXPECT_TRUE(close_absolute(fast, ref, 1e-3));
}

TEST(SimdPaths, AdainIsThreadCountIndependent) {
    AdainParams p;
    p.channels = 67;
    p.height = 32;
    p.width = 31;
    p.activation = {Activation::LeakyRelu, 0.2f};
    const int64_t count = 67 * 32 * 31;
    const auto x = random_vector(count, 7), s = random_vector(67, 8), t = random_vector(67, 9);
    const auto r = random_vector(count, 10);
    const auto one = with_threads(1, [&] { return run_adain(true, p, x, s, t, &r); });
    for (int threads : {2, 3}) {
        EXPECT_TRUE(bit_identical(
            one, with_threads(threads, [&] { return run_adain(true, p, x, s, t, &r); })))
            << threads << " threads";
    }
}

// ---- resize ---------------------------------------------------------------------

std::vector<float> run_resize(bool fast, const ResizeParams& p, const std::vector<float>& x) {
    std::vector<float> y(static_cast<size_t>(p.batch * p.channels * p.out_height * p.out_width),
                         -777.0f);
    if (fast) {
        resize(p, x.data(), y.data());
    } else {
        reference::resize(p, x.data(), y.data());
    }
    return y;
}

ResizeParams make_x2(int64_t n, int64_t c, int64_t h, int64_t w, ResizeCoordinates coords) {
    ResizeParams p;
    p.batch = n;
    p.channels = c;
    p.in_height = h;
    p.in_width = w;
    p.out_height = 2 * h;
    p.out_width = 2 * w;
    p.scale_h = 2.0f;
    p.scale_w = 2.0f;
    p.mode = ResizeMode::Linear;
    p.coordinates = coords;
    return p;
}

TEST(SimdPaths, ResizeX2MatchesReferenceOnOddShapes) {
    const int64_t shapes[][4] = {{1, 3, 5, 7},   {2, 3, 1, 1},  {1, 2, 1, 17}, {1, 5, 9, 33},
                                 {1, 2, 16, 16}, {1, 1, 4, 47}, {1, 3, 2, 8},  {1, 2, 3, 100}};
    uint32_t seed = 100;
    for (const auto& s : shapes) {
        for (ResizeCoordinates coords :
             {ResizeCoordinates::HalfPixel, ResizeCoordinates::PytorchHalfPixel}) {
            const ResizeParams p = make_x2(s[0], s[1], s[2], s[3], coords);
            const auto x = random_vector(s[0] * s[1] * s[2] * s[3], seed++, -4.0f, 4.0f);
            EXPECT_TRUE(close_absolute(run_resize(true, p, x), run_resize(false, p, x), 4e-6))
                << s[0] << "x" << s[1] << "x" << s[2] << "x" << s[3];
        }
    }
}

TEST(SimdPaths, ResizeX2IsThreadCountIndependent) {
    const ResizeParams p = make_x2(1, 13, 37, 41, ResizeCoordinates::HalfPixel);
    const auto x = random_vector(13 * 37 * 41, 5);
    const auto one = with_threads(1, [&] { return run_resize(true, p, x); });
    for (int threads : {2, 3}) {
        EXPECT_TRUE(
            bit_identical(one, with_threads(threads, [&] { return run_resize(true, p, x); })))
            << threads << " threads";
    }
}

// ---- unary ----------------------------------------------------------------------

std::vector<float> run_unary(bool fast, UnaryOp op, float alpha, const std::vector<float>& x) {
    std::vector<float> y(x.size(), -777.0f);
    if (fast) {
        unary(op, alpha, static_cast<int64_t>(x.size()), x.data(), y.data());
    } else {
        reference::unary(op, alpha, static_cast<int64_t>(x.size()), x.data(), y.data());
    }
    return y;
}

// Worst error of op over xs against a double-precision truth, relative to the
// truth. Where the truth is below the smallest normal float, an error up to
// FLT_MIN passes (the float result there may be subnormal or flushed to 0).
// Prints the worst input.
double worst_relative_error(UnaryOp op, const std::vector<float>& xs) {
    const auto y = run_unary(true, op, 0.0f, xs);
    double worst = 0.0;
    float worst_x = 0.0f;
    for (size_t i = 0; i < xs.size(); ++i) {
        const double x = xs[i];
        double truth = 0.0;
        switch (op) {
            case UnaryOp::Tanh:
                truth = std::tanh(x);
                break;
            case UnaryOp::TanhUnit:
                // (tanh(x) + 1) / 2 written as sigmoid(2x): the same value without the
                // cancellation of tanh(x) + 1 for very negative x.
                truth = 1.0 / (1.0 + std::exp(-2.0 * x));
                break;
            case UnaryOp::Sigmoid:
                truth = 1.0 / (1.0 + std::exp(-x));
                break;
            default:
                break;
        }
        const double err = std::fabs(y[i] - truth);
        const double rel = std::fabs(truth) >= FLT_MIN ? err / std::fabs(truth)
                           : err <= FLT_MIN            ? 0.0
                                                       : err / FLT_MIN;
        if (!(rel <= worst)) {
            worst = rel;
            worst_x = xs[i];
        }
    }
    std::printf("op %d: worst relative error %.3g at x = %.9g\n", static_cast<int>(op), worst,
                worst_x);
    return worst;
}

std::vector<float> dense_range() {
    std::vector<float> xs;
    for (double x = -20.0; x <= 20.0; x += 1.0 / 4096.0) xs.push_back(static_cast<float>(x));
    // Every float between 2^-20 and 1 at a coarser step, where the polynomial and
    // the exp branch of tanh meet.
    for (float x = 1e-6f; x < 1.0f; x *= 1.0001f) {
        xs.push_back(x);
        xs.push_back(-x);
    }
    for (float x : {0.0f, -0.0f, 0.625f, -0.625f, std::nextafter(0.625f, 0.0f), 1e-30f, -1e-30f,
                    50.0f, -50.0f, 88.0f, -88.0f, 89.0f, -89.0f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX})
        xs.push_back(x);
    return xs;
}

TEST(SimdPaths, TanhSigmoidAccuracyOverADenseRange) {
    const auto xs = dense_range();
    // The portable loops use the C library's tanhf / expf, and TanhUnit as
    // (tanh(x) + 1) / 2 in float, which cancels for very negative x: only their
    // absolute error is small there.
    const double tol = simd::table() != nullptr ? 1e-6 : 1.0;
    EXPECT_LE(worst_relative_error(UnaryOp::Tanh, xs), tol);
    EXPECT_LE(worst_relative_error(UnaryOp::TanhUnit, xs), tol);
    EXPECT_LE(worst_relative_error(UnaryOp::Sigmoid, xs), tol);
    const auto xu = run_unary(true, UnaryOp::TanhUnit, 0.0f, xs);
    const auto xr = run_unary(false, UnaryOp::TanhUnit, 0.0f, xs);
    EXPECT_TRUE(close_absolute(xu, xr, 3e-7));  // a few ulp of values near 1
}

TEST(SimdPaths, TanhSigmoidSpecialValues) {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float denorm = std::numeric_limits<float>::denorm_min() * 5.0f;
    // Padded to an odd length so both the vector body and the tail see them.
    const std::vector<float> x = {nan,   inf,   -inf, denorm, -denorm, 0.0f,    -0.0f,  1.0f,
                                  -1.0f, nan,   inf,  -inf,   denorm,  -denorm, 0.0f,   -0.0f,
                                  1.0f,  -1.0f, nan,  inf,    -inf,    denorm,  -denorm};
    const auto th = run_unary(true, UnaryOp::Tanh, 0.0f, x);
    const auto tu = run_unary(true, UnaryOp::TanhUnit, 0.0f, x);
    const auto sg = run_unary(true, UnaryOp::Sigmoid, 0.0f, x);
    for (size_t i = 0; i < x.size(); i += 9) {
        EXPECT_TRUE(std::isnan(th[i]) && std::isnan(tu[i]) && std::isnan(sg[i])) << i;
        EXPECT_EQ(th[i + 1], 1.0f);
        EXPECT_EQ(th[i + 2], -1.0f);
        EXPECT_EQ(tu[i + 1], 1.0f);
        EXPECT_EQ(tu[i + 2], 0.0f);
        EXPECT_EQ(sg[i + 1], 1.0f);
        EXPECT_EQ(sg[i + 2], 0.0f);
        EXPECT_EQ(th[i + 3], denorm);
        EXPECT_EQ(th[i + 4], -denorm);
        EXPECT_EQ(tu[i + 3], 0.5f);
        EXPECT_EQ(sg[i + 4], 0.5f);
    }
    for (size_t i = 5; i < x.size(); i += 9) {
        EXPECT_EQ(th[i], 0.0f);
        EXPECT_TRUE(std::signbit(th[i + 1])) << "tanh(-0) keeps its sign";
    }
}

TEST(SimdPaths, UnaryOpsMatchReferenceOnOddLengths) {
    const UnaryOp ops[] = {UnaryOp::Identity, UnaryOp::Relu,    UnaryOp::LeakyRelu, UnaryOp::Tanh,
                           UnaryOp::TanhUnit, UnaryOp::Sigmoid, UnaryOp::Sqrt,      UnaryOp::Neg,
                           UnaryOp::Abs,      UnaryOp::Exp,     UnaryOp::Log};
    for (int64_t n : {1, 3, 15, 17, 31, 33, 1000, 70001}) {
        for (UnaryOp op : ops) {
            const bool positive = op == UnaryOp::Sqrt || op == UnaryOp::Log;
            const auto x = random_vector(n, static_cast<uint32_t>(n) + static_cast<uint32_t>(op),
                                         positive ? 0.01f : -8.0f, 8.0f);
            const auto fast = run_unary(true, op, 0.2f, x);
            const auto ref = run_unary(false, op, 0.2f, x);
            for (size_t i = 0; i < x.size(); ++i) {
                // Relative to the value, or absolute below 1 (where TanhUnit's portable
                // form loses relative precision).
                const double tol = 2e-6 * std::max(std::fabs(static_cast<double>(ref[i])), 1.0);
                ASSERT_LE(std::fabs(static_cast<double>(fast[i]) - ref[i]), tol)
                    << "op " << static_cast<int>(op) << " n " << n << " x " << x[i];
            }
            // In place, as the executor runs activations.
            auto y = x;
            unary(op, 0.2f, n, y.data(), y.data());
            EXPECT_TRUE(bit_identical(y, run_unary(true, op, 0.2f, x)));
        }
    }
}

TEST(SimdPaths, UnaryIsThreadCountIndependent) {
    const auto x = random_vector(3 * 97 * 101 + 5, 11, -6.0f, 6.0f);
    for (UnaryOp op : {UnaryOp::TanhUnit, UnaryOp::Tanh, UnaryOp::LeakyRelu}) {
        const auto one = with_threads(1, [&] { return run_unary(true, op, 0.2f, x); });
        for (int threads : {2, 3}) {
            EXPECT_TRUE(bit_identical(
                one, with_threads(threads, [&] { return run_unary(true, op, 0.2f, x); })));
        }
    }
}

// ---- binary ---------------------------------------------------------------------

std::vector<float> run_binary(bool fast, BinaryOp op, const Shape& as, const std::vector<float>& a,
                              const Shape& bs, const std::vector<float>& b, const Shape& os) {
    std::vector<float> y(static_cast<size_t>(os.elements()), -1.0f);
    if (fast) {
        binary(op, as, a.data(), bs, b.data(), os, y.data());
    } else {
        reference::binary(op, as, a.data(), bs, b.data(), os, y.data());
    }
    return y;
}

TEST(SimdPaths, BinaryOpsMatchReferenceOnOddShapes) {
    struct Case {
        Shape a, b, out;
    };
    const Case cases[] = {
        {make_shape({1, 7, 5, 13}), make_shape({1, 7, 5, 13}), make_shape({1, 7, 5, 13})},
        {make_shape({1, 7, 5, 13}), make_shape({1, 7, 1, 1}), make_shape({1, 7, 5, 13})},
        {make_shape({1, 7, 1, 1}), make_shape({1, 7, 5, 13}), make_shape({1, 7, 5, 13})},
        {make_shape({1, 3, 37, 41}), make_shape({1}), make_shape({1, 3, 37, 41})},
        {make_shape({1}), make_shape({2, 3, 17}), make_shape({2, 3, 17})},
        {make_shape({1}), make_shape({1}), make_shape({1})},
        {make_shape({1, 19, 63, 65}), make_shape({1, 19, 1, 1}), make_shape({1, 19, 63, 65})},
    };
    const BinaryOp ops[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div,
                            BinaryOp::Pow, BinaryOp::Max, BinaryOp::Min};
    uint32_t seed = 300;
    for (const Case& c : cases) {
        for (BinaryOp op : ops) {
            const bool pow = op == BinaryOp::Pow;
            const auto a = random_vector(c.a.elements(), seed++, pow ? 0.1f : -4.0f, 4.0f);
            const auto b = random_vector(c.b.elements(), seed++, pow ? -2.0f : 0.5f, 3.0f);
            EXPECT_TRUE(close_relative(run_binary(true, op, c.a, a, c.b, b, c.out),
                                       run_binary(false, op, c.a, a, c.b, b, c.out), 2e-6))
                << "op " << static_cast<int>(op) << " case " << (seed - 300) / 2;
            const auto one =
                with_threads(1, [&] { return run_binary(true, op, c.a, a, c.b, b, c.out); });
            const auto three =
                with_threads(3, [&] { return run_binary(true, op, c.a, a, c.b, b, c.out); });
            EXPECT_TRUE(bit_identical(one, three));
        }
    }
}

// ---- correlate3 (polyphase border corrections) ----------------------------------

// Every length from 1 to past 6 vectors of 16 (the block of the AVX-512 loop) and past
// 12 of them, so that positions fall in full blocks, in the shorter last block, in the
// vector moved back to the end, and in the scalar path of the shortest; 1 to 7 outputs
// (whole blocks of 3 and of 2 outputs and the rest); tap steps 1 and 3 (rows and
// columns of 3 x 3 kernels). Against a double sum, and each output bit for bit as
// when it is made alone.
TEST(SimdPaths, Correlate3MatchesADoubleSum) {
    const simd::Table* t = simd::table();
    if (t == nullptr) GTEST_SKIP() << "no SIMD table (portable loops): nothing to compare";
    constexpr int64_t kRows = 5, kTapStride = 9, kOutputTaps = kRows * kTapStride + 2;
    uint32_t seed = 400;
    for (int64_t n = 1; n <= 12 * 16 + 19; n += n < 40 ? 1 : 7) {
        for (int64_t outputs : {1, 4, 7}) {
            for (int64_t step : {1, 3}) {
                const auto lines = random_vector(kRows * n, seed++, -2.0f, 2.0f);
                const auto taps = random_vector(outputs * kOutputTaps, seed++, -1.0f, 1.0f);
                const int64_t stride = n + 3;
                std::vector<float> out(outputs * stride, -777.0f);
                t->correlate3(outputs, kRows, n, lines.data(), taps.data(), kTapStride, kOutputTaps,
                              step, out.data(), stride);
                for (int64_t o = 0; o < outputs; ++o) {
                    const float* got = out.data() + o * stride;
                    const std::string where = "n " + std::to_string(n) + ", output " +
                                              std::to_string(o) + ", step " + std::to_string(step);
                    ASSERT_EQ(got[0], 0.0f) << where;
                    ASSERT_EQ(got[n - 1], 0.0f) << where;
                    for (int64_t i = n; i < stride; ++i) ASSERT_EQ(got[i], -777.0f) << where;
                    for (int64_t i = 1; i + 1 < n; ++i) {
                        double sum = 0.0;
                        for (int64_t r = 0; r < kRows; ++r) {
                            for (int64_t k = 0; k < 3; ++k) {
                                sum += static_cast<double>(
                                           taps[o * kOutputTaps + r * kTapStride + k * step]) *
                                       lines[r * n + i - 1 + k];
                            }
                        }
                        ASSERT_NEAR(got[i], sum, 1e-5) << where << ", i " << i;
                    }
                    std::vector<float> alone(n);
                    t->correlate3(1, kRows, n, lines.data(), taps.data() + o * kOutputTaps,
                                  kTapStride, kOutputTaps, step, alone.data(), n);
                    ASSERT_TRUE(std::equal(alone.begin(), alone.end(), got)) << where;
                }
            }
        }
    }
}

}  // namespace
}  // namespace swaprun::kernels
