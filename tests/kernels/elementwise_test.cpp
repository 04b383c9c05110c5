#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::close_absolute;
using testing::close_relative;
using testing::make_shape;
using testing::random_vector;

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

const std::vector<float> kA23 = {1, 2, 3, 4, 5, 6};  // shape [2, 3]

TEST(BinaryReference, BroadcastShapes) {
    const Shape s23 = make_shape({2, 3});
    for (bool fast : {false, true}) {
        // [2,3] + [3]
        EXPECT_TRUE(close_absolute(
            run_binary(fast, BinaryOp::Add, s23, kA23, make_shape({3}), {10, 20, 30}, s23),
            {11, 22, 33, 14, 25, 36}));
        // [2,3] - [2,1]
        EXPECT_TRUE(close_absolute(
            run_binary(fast, BinaryOp::Sub, s23, kA23, make_shape({2, 1}), {100, 200}, s23),
            {-99, -98, -97, -196, -195, -194}));
        // scalar (rank 0) * [2,3]
        EXPECT_TRUE(
            close_absolute(run_binary(fast, BinaryOp::Mul, make_shape({}), {2}, s23, kA23, s23),
                           {2, 4, 6, 8, 10, 12}));
        // [2,1] / [1,3] -> [2,3]
        EXPECT_TRUE(close_absolute(run_binary(fast, BinaryOp::Div, make_shape({2, 1}), {6, 12},
                                              make_shape({1, 3}), {1, 2, 3}, s23),
                                   {6, 3, 2, 12, 6, 4}));
        // [2,3] ^ [1]
        EXPECT_TRUE(
            close_absolute(run_binary(fast, BinaryOp::Pow, s23, kA23, make_shape({1}), {2}, s23),
                           {1, 4, 9, 16, 25, 36}, 1e-5));
        // max / min against a row
        EXPECT_TRUE(close_absolute(
            run_binary(fast, BinaryOp::Max, s23, kA23, make_shape({3}), {3, 3, 3}, s23),
            {3, 3, 3, 4, 5, 6}));
        EXPECT_TRUE(close_absolute(
            run_binary(fast, BinaryOp::Min, s23, kA23, make_shape({1, 3}), {0, 5, 5}, s23),
            {0, 2, 3, 0, 5, 5}));
    }
}

TEST(BinaryFast, MatchesReferenceOnRandomData) {
    struct Shapes {
        Shape a, b, out;
    };
    const Shapes shapes[] = {
        {make_shape({2, 3, 5, 7}), make_shape({2, 3, 5, 7}), make_shape({2, 3, 5, 7})},
        {make_shape({2, 3, 5, 7}), make_shape({3, 1, 1}), make_shape({2, 3, 5, 7})},
        {make_shape({2, 3, 5, 7}), make_shape({1}), make_shape({2, 3, 5, 7})},
        {make_shape({7}), make_shape({2, 3, 5, 7}), make_shape({2, 3, 5, 7})},
        {make_shape({2, 1, 5, 1}), make_shape({3, 1, 7}), make_shape({2, 3, 5, 7})},
        {make_shape({1, 3, 1, 7}), make_shape({2, 1, 5, 1}), make_shape({2, 3, 5, 7})},
        {make_shape({1, 40, 33, 35}), make_shape({1, 40, 1, 1}), make_shape({1, 40, 33, 35})},
        {make_shape({}), make_shape({}), make_shape({})},
    };
    const BinaryOp ops[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div,
                            BinaryOp::Pow, BinaryOp::Max, BinaryOp::Min};
    uint32_t seed = 1;
    for (const Shapes& s : shapes) {
        for (BinaryOp op : ops) {
            // Positive operands keep Pow and Div finite.
            const auto a = random_vector(s.a.elements(), seed++, 0.5f, 2.0f);
            const auto b = random_vector(s.b.elements(), seed++, 0.5f, 2.0f);
            EXPECT_TRUE(close_relative(run_binary(true, op, s.a, a, s.b, b, s.out),
                                       run_binary(false, op, s.a, a, s.b, b, s.out)))
                << "op " << static_cast<int>(op) << " out rank " << s.out.rank;
        }
    }
}

// PRelu: a < 0 ? a * slope : a, with one slope per channel as ONNX PRelu's [C, 1, 1].
TEST(BinaryReference, PReluKnownValues) {
    const Shape x = make_shape({1, 2, 1, 3});
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run_binary(fast, BinaryOp::PRelu, x, {-2, 0, 3, -4, 5, -0.5f},
                                              make_shape({2, 1, 1}), {0.25f, 2.0f}, x),
                                   {-0.5f, 0, 3, -8, 5, -1}));
    }
}

TEST(BinaryFast, PReluMatchesReferenceOnSignedData) {
    const Shape shapes[][2] = {
        {make_shape({1, 40, 33, 35}), make_shape({40, 1, 1})},  // per channel, as ArcFace
        {make_shape({2, 3, 5, 7}), make_shape({1})},            // one shared slope
        {make_shape({2, 3, 5, 7}), make_shape({2, 3, 5, 7})},   // elementwise
    };
    uint32_t seed = 99;
    for (const auto& s : shapes) {
        const auto a = random_vector(s[0].elements(), seed++, -2.0f, 2.0f);
        const auto slope = random_vector(s[1].elements(), seed++, 0.05f, 0.5f);
        const auto fast = run_binary(true, BinaryOp::PRelu, s[0], a, s[1], slope, s[0]);
        EXPECT_TRUE(
            close_relative(fast, run_binary(false, BinaryOp::PRelu, s[0], a, s[1], slope, s[0])));
        int negatives = 0;
        for (size_t i = 0; i < a.size(); ++i) negatives += a[i] < 0 && fast[i] != a[i];
        EXPECT_GT(negatives, static_cast<int>(a.size() / 4)) << "negative inputs were scaled";
    }
}

TEST(BinaryFast, OutputMayAliasAnOperand) {
    const Shape big = make_shape({3, 50, 70});
    const Shape row = make_shape({70});
    const auto a = random_vector(big.elements(), 1);
    const auto b = random_vector(row.elements(), 2);
    const auto expected = run_binary(false, BinaryOp::Mul, big, a, row, b, big);
    auto inplace = a;
    binary(BinaryOp::Mul, big, inplace.data(), row, b.data(), big, inplace.data());
    EXPECT_TRUE(close_relative(inplace, expected));

    const auto expected_sub = run_binary(false, BinaryOp::Sub, row, b, big, a, big);
    inplace = a;
    binary(BinaryOp::Sub, row, b.data(), big, inplace.data(), big, inplace.data());
    EXPECT_TRUE(close_relative(inplace, expected_sub));
}

std::vector<float> run_unary(bool fast, UnaryOp op, float alpha, const std::vector<float>& x) {
    std::vector<float> y(x.size(), -1.0f);
    const auto n = static_cast<int64_t>(x.size());
    if (fast) {
        unary(op, alpha, n, x.data(), y.data());
    } else {
        reference::unary(op, alpha, n, x.data(), y.data());
    }
    return y;
}

TEST(UnaryReference, KnownValues) {
    const std::vector<float> x = {-2, 0, 4};
    for (bool fast : {false, true}) {
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Identity, 0, x), {-2, 0, 4}));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Relu, 0, x), {0, 0, 4}));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::LeakyRelu, 0.1f, x), {-0.2f, 0, 4}));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Tanh, 0, x),
                                   {-0.9640276f, 0, 0.9993293f}, 1e-6));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::TanhUnit, 0, x),
                                   {0.0179862f, 0.5f, 0.9996646f}, 1e-6));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Sigmoid, 0, x),
                                   {0.1192029f, 0.5f, 0.9820138f}, 1e-6));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Neg, 0, x), {2, 0, -4}));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Abs, 0, x), {2, 0, 4}));
        EXPECT_TRUE(
            close_absolute(run_unary(fast, UnaryOp::Exp, 0, x), {0.1353353f, 1, 54.59815f}, 1e-4));
        const std::vector<float> pos = {0.25f, 1, 4};
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Sqrt, 0, pos), {0.5f, 1, 2}));
        EXPECT_TRUE(close_absolute(run_unary(fast, UnaryOp::Log, 0, pos),
                                   {-1.3862944f, 0, 1.3862944f}, 1e-6));
    }
}

TEST(UnaryFast, MatchesReferenceOnRandomData) {
    const UnaryOp ops[] = {UnaryOp::Identity, UnaryOp::Relu,    UnaryOp::LeakyRelu, UnaryOp::Tanh,
                           UnaryOp::TanhUnit, UnaryOp::Sigmoid, UnaryOp::Sqrt,      UnaryOp::Neg,
                           UnaryOp::Abs,      UnaryOp::Exp,     UnaryOp::Log};
    uint32_t seed = 1;
    for (UnaryOp op : ops) {
        const bool positive = op == UnaryOp::Sqrt || op == UnaryOp::Log;
        const auto x = random_vector(70001, seed++, positive ? 0.01f : -4.0f, 4.0f);
        EXPECT_TRUE(close_relative(run_unary(true, op, 0.3f, x), run_unary(false, op, 0.3f, x)))
            << "op " << static_cast<int>(op);
        // In place.
        auto y = x;
        unary(op, 0.3f, static_cast<int64_t>(y.size()), y.data(), y.data());
        EXPECT_TRUE(close_relative(y, run_unary(false, op, 0.3f, x)))
            << "in place, op " << static_cast<int>(op);
    }
}

}  // namespace
}  // namespace swaprun::kernels
