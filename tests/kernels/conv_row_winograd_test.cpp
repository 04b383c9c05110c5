// The 7x7 layers' row transforms, F(4, 7) along rows (row_winograd.h): the matrices,
// the kernels against the reference, and where Auto picks them (their pairs:
// conv_pair_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "conv_cases.h"
#include "kernels/row_winograd.h"

namespace swaprun::kernels {
namespace {

using namespace conv_testing;

// F(4, 7)'s matrices (row_winograd.h) on single tiles, in float as the kernels apply
// them, against the correlation in double: the error the choice of points sets, relative
// to the kernel's norm (here 4.6e-7 on average and 8.6e-6 at most over 2000 tiles).
TEST(ConvFast, RowWinogradTransformsReproduceTheCorrelation) {
    namespace rw = row_winograd;
    const auto& t = rw::kTransforms;
    double worst = 0.0, total = 0.0;
    constexpr int kTiles = 2000;
    for (int n = 0; n < kTiles; ++n) {
        const std::vector<float> d = random_vector(rw::kPoints, 3000 + 2 * n);
        const std::vector<float> g = random_vector(rw::kTaps, 3001 + 2 * n, -0.5f, 0.5f);
        float m[rw::kPoints];
        for (int i = 0; i < rw::kPoints; ++i) {
            double u = 0.0;
            for (int k = 0; k < rw::kTaps; ++k) u += t.g[i][k] * g[k];
            float v = 0.0f;
            for (int k = 0; k < rw::kPoints; ++k) v += static_cast<float>(t.bt[i][k]) * d[k];
            m[i] = static_cast<float>(u) * v;
        }
        double norm = 0.0;
        for (float x : g) norm += static_cast<double>(x) * x;
        norm = std::sqrt(norm);
        for (int j = 0; j < rw::kOut; ++j) {
            float y = 0.0f;
            for (int i = 0; i < rw::kPoints; ++i) y += static_cast<float>(t.at[j][i]) * m[i];
            double expected = 0.0;
            for (int k = 0; k < rw::kTaps; ++k) expected += static_cast<double>(g[k]) * d[j + k];
            const double error = std::abs(y - expected) / norm;
            worst = std::max(worst, error);
            total += error;
        }
    }
    EXPECT_LT(worst, 2e-5);
    EXPECT_LT(total / (kTiles * rw::kOut), 1e-6);
}

// The row transforms (ConvAlgorithm::RowWinograd, F(4, 7) along the rows) against the
// reference: the generators' 3 -> 16 head and 16 -> 3 tail (the wide and narrow tiles),
// channel counts between, widths that end mid-tile and mid-vector, rows of one vector of
// tiles and of several, every pad mode, lopsided pads, a batch, odd heights (the narrow
// tiles make two rows at a time on AVX-512: the tail's 19 leaves one alone); the same
// bits on 1 to 3 threads (in a pair, a thread's run of rows may start anywhere:
// RowWinogradPairGivesTheBitsOfTheTwoInTurn).
TEST(ConvFast, RowWinogradMatchesTheReference) {
    std::vector<Case> cases;
    for (const auto& [ic, oc, h, w] : {std::array<int64_t, 4>{3, 16, 23, 61},
                                       {16, 3, 19, 130},
                                       {5, 9, 9, 4},
                                       {7, 20, 12, 203},
                                       {1, 1, 8, 9}}) {
        for (PadMode mode : {PadMode::Reflect, PadMode::Constant, PadMode::Edge}) {
            Case c = with_pads(Case{ic, oc, h, w, 7}, 3, 3, 3, 3);
            c.mode = mode;
            c.act = mode == PadMode::Reflect ? Activation::LeakyRelu : Activation::TanhUnit;
            cases.push_back(c);
        }
    }
    Case lopsided = with_pads(Case{4, 6, 17, 40, 7}, 0, 6, 5, 1);
    lopsided.batch = 2;
    lopsided.bias = false;
    cases.push_back(lopsided);
    cases.push_back(with_pads(Case{6, 5, 11, 33, 7}, 0, 0, 0, 0));  // valid: 5 x 27
    uint32_t seed = 2500;
    for (const Case& c : cases) {
        const Conv2dParams p = make(c);
        const Data d = make_data(p, c.bias, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // the SIMD direct kernels' ring only
            const PreparedConv2d conv(p, d.w.data(), d.b.empty() ? nullptr : d.b.data(),
                                      ConvOptions{ConvAlgorithm::RowWinograd, isa});
            const std::string what = describe(c, isa, ConvAlgorithm::RowWinograd);
            ASSERT_EQ(conv.algorithm(), ConvAlgorithm::RowWinograd) << what;
            expect_close_with_the_same_bits(conv, d, expected, what);
        }
    }
}

// Auto takes the row transforms for a 7x7 stride-1 layer on AVX-512 and AVX2 (where they
// were measured faster: row_winograd_wins), and never where the layer reads its input
// upsampled (the direct kernels do), at stride 2, or where Direct is asked for.
TEST(ConvFast, AutoPicksRowWinogradFor7x7OnX86) {
    Case c = with_pads(Case{3, 16, 24, 48, 7}, 3, 3, 3, 3);
    c.mode = PadMode::Reflect;
    const Conv2dParams p = make(c);
    const Data d = make_data(p, true, 2700);
    const PreparedConv2d conv(p, d.w.data(), d.b.data());
    const ConvIsa best = best_conv_isa();
    EXPECT_EQ(conv.algorithm() == ConvAlgorithm::RowWinograd,
              best == ConvIsa::Avx512 || best == ConvIsa::Avx2);
    EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4));
    const PreparedConv2d direct(p, d.w.data(), d.b.data(), ConvOptions{ConvAlgorithm::Direct});
    EXPECT_EQ(direct.algorithm(), ConvAlgorithm::Direct);
    Case s2 = c;
    s2.stride = 2;
    const Conv2dParams p2 = make(s2);
    EXPECT_NE(PreparedConv2d(p2, d.w.data(), d.b.data()).algorithm(), ConvAlgorithm::RowWinograd);
    if (best_conv_isa() != ConvIsa::Portable) {  // the SIMD kernels read upsampled input
        ConvOptions upsampled;
        upsampled.upsampled_input = true;
        EXPECT_TRUE(PreparedConv2d::reads_upsampled_input(p, upsampled));
        EXPECT_EQ(PreparedConv2d(p, d.w.data(), d.b.data(), upsampled).algorithm(),
                  ConvAlgorithm::Direct);
    }
    EXPECT_FALSE(PreparedConv2d::reads_upsampled_input(
        p, ConvOptions{ConvAlgorithm::RowWinograd, ConvIsa::Auto}));
}

}  // namespace
}  // namespace swaprun::kernels
