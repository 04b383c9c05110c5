// The stride-2 Winograd convolution (winograd_s2.h): the matrices, the kernels
// against the reference, and where Auto picks them and their wide micro-kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "conv_cases.h"
#include "kernels/winograd_s2.h"

namespace swaprun::kernels {
namespace {

using namespace conv_testing;

// The stride-2 tile's matrices (winograd_s2.h: F(4, 2) on each axis's even inputs, the
// odd ones as they are) on single 9 x 9 tiles, in float as the kernels apply them,
// against the stride-2 convolution in double: the error the choice of F(4, 2)'s points
// sets, relative to the kernel's norm (here 1.0e-7 on average and 2.2e-6 at most over
// 1000 tiles).
TEST(ConvFast, StridedWinogradTransformsReproduceTheConvolution) {
    namespace s2 = winograd_s2;
    constexpr int kN = s2::kAxisPoints, kSpan = s2::kSpan, kOut = s2::kTile;
    float bt[kN][kSpan] = {};  // BT9
    for (int q = 0; q < s2::kEvenPoints; ++q) {
        for (int m = 0; m < s2::kEvenPoints; ++m)
            bt[q][2 * m] = static_cast<float>(s2::kEven.bt[q][m]);
    }
    for (int j = 0; j < kOut; ++j) bt[s2::kEvenPoints + j][2 * j + 1] = 1.0f;
    double worst = 0.0, total = 0.0;
    constexpr int kTiles = 1000;
    for (int n = 0; n < kTiles; ++n) {
        const std::vector<float> d = random_vector(kSpan * kSpan, 3100 + 2 * n);
        const std::vector<float> g = random_vector(9, 3101 + 2 * n, -0.5f, 0.5f);
        float rows[kSpan][kN], v[kN][kN];  // BT9 along each row of d, then down the columns
        for (int r = 0; r < kSpan; ++r) {
            for (int q = 0; q < kN; ++q) {
                float x = 0.0f;
                for (int c = 0; c < kSpan; ++c) x += bt[q][c] * d[r * kSpan + c];
                rows[r][q] = x;
            }
        }
        for (int p = 0; p < kN; ++p) {
            for (int q = 0; q < kN; ++q) {
                float x = 0.0f;
                for (int r = 0; r < kSpan; ++r) x += bt[p][r] * rows[r][q];
                v[p][q] = x;
            }
        }
        float m[kN][kN];
        for (int p = 0; p < kN; ++p) {
            for (int q = 0; q < kN; ++q) {
                double u = 0.0;  // (G9 g G9^T)[p][q]
                for (int a = 0; a < 3; ++a) {
                    for (int b = 0; b < 3; ++b) u += s2::g9(p, a) * g[a * 3 + b] * s2::g9(q, b);
                }
                m[p][q] = static_cast<float>(u) * v[p][q];
            }
        }
        double norm = 0.0;
        for (float x : g) norm += static_cast<double>(x) * x;
        norm = std::sqrt(norm);
        for (int i = 0; i < kOut; ++i) {
            for (int j = 0; j < kOut; ++j) {
                float y = 0.0f;
                for (int p = 0; p < kN; ++p) {
                    for (int q = 0; q < kN; ++q) {
                        y += static_cast<float>(s2::at9(i, p) * s2::at9(j, q)) * m[p][q];
                    }
                }
                double expected = 0.0;
                for (int a = 0; a < 3; ++a) {
                    for (int b = 0; b < 3; ++b) {
                        expected +=
                            static_cast<double>(g[a * 3 + b]) * d[(2 * i + a) * kSpan + 2 * j + b];
                    }
                }
                const double error = std::abs(y - expected) / norm;
                worst = std::max(worst, error);
                total += error;
            }
        }
    }
    EXPECT_LT(worst, 1e-5);
    EXPECT_LT(total / (kTiles * kOut * kOut), 5e-7);
}

// The stride-2 Winograd convolution (ConvAlgorithm::StridedWinograd) against the
// reference: a generator's 192-channel layer, sizes whose last tiles are partial, rows
// of tiles shorter and longer than a vector (so that a vector's tiles span rows), valid
// and lopsided padding, a batch without bias, output channels that are no multiple of
// the micro-kernel's, and an image of several passes; the same bits on 1 to 3 threads.
TEST(ConvFast, StridedWinogradMatchesTheReference) {
    std::vector<Case> cases;
    Case generator{192, 24, 16, 16, 3};
    generator.act = Activation::LeakyRelu;
    cases.push_back(generator);
    cases.push_back(Case{16, 20, 17, 23, 3});
    cases.push_back(Case{5, 9, 8, 70, 3});
    cases.push_back(with_pads(Case{3, 7, 33, 9, 3}, 0, 0, 0, 0));
    cases.push_back(with_pads(Case{4, 6, 21, 19, 3}, 2, 0, 1, 2));
    Case batch{6, 13, 12, 30, 3};
    batch.batch = 2;
    batch.bias = false;
    batch.act = Activation::TanhUnit;
    cases.push_back(batch);
    cases.push_back(Case{300, 10, 60, 60, 3});  // 64 tiles, 32 per pass
    uint32_t seed = 2800;
    for (Case c : cases) {
        c.stride = 2;
        const Conv2dParams p = make(c);
        const Data d = make_data(p, c.bias, seed++);
        const std::vector<float> expected = run_reference(p, d);
        for (ConvIsa isa : isas()) {
            if (isa == ConvIsa::Portable) continue;  // SIMD kernels only
            for (const ConvOptions& o : winograd_with(isa, ConvAlgorithm::StridedWinograd)) {
                const PreparedConv2d conv(p, d.w.data(), d.b.empty() ? nullptr : d.b.data(), o);
                const std::string what =
                    describe(c, isa, ConvAlgorithm::StridedWinograd) + " " + kernels_of(conv);
                ASSERT_EQ(conv.algorithm(), ConvAlgorithm::StridedWinograd) << what;
                expect_close_with_the_same_bits(conv, d, expected, what);
            }
        }
    }
}

// Auto runs live_base's 192 -> 192 down.3 on it on x86 (where it was measured faster),
// and not a 16-channel layer or a layer with reflection padding (which it cannot run
// even when asked).
TEST(ConvFast, AutoPicksStridedWinogradForWideStride2Layers) {
    Case c{192, 192, 16, 16, 3};
    c.stride = 2;
    const Conv2dParams p = make(c);
    const Data d = make_data(p, true, 2900);
    const PreparedConv2d conv(p, d.w.data(), d.b.data());
    const ConvIsa best = best_conv_isa();
    EXPECT_EQ(conv.algorithm() == ConvAlgorithm::StridedWinograd,
              best == ConvIsa::Avx512 || best == ConvIsa::Avx2);
    EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4));
    Case narrow{16, 16, 16, 16, 3};
    narrow.stride = 2;
    const Conv2dParams pn = make(narrow);
    const Data dn = make_data(pn, true, 2901);
    EXPECT_NE(PreparedConv2d(pn, dn.w.data(), dn.b.data()).algorithm(),
              ConvAlgorithm::StridedWinograd);
    Case reflect = c;
    reflect.mode = PadMode::Reflect;
    const Conv2dParams pr = make(reflect);
    const PreparedConv2d asked(pr, d.w.data(), d.b.data(),
                               ConvOptions{ConvAlgorithm::StridedWinograd});
    EXPECT_NE(asked.algorithm(), ConvAlgorithm::StridedWinograd);
    EXPECT_TRUE(close_relative(run_prepared(asked, d, 2), run_reference(pr, d), 1e-4));
}

// Auto runs the stride-2 Winograd convolution on AVX-512's wide micro-kernel from 64
// output tiles (7 x 7 tiles: narrow; 8 x 8: wide), with the reference's values.
TEST(ConvFast, StridedWinogradWideMicroKernelFromWholeColumns) {
    uint32_t seed = 2950;
    for (int64_t size : {56, 64}) {
        Case c{128, 64, size, size, 3};
        c.stride = 2;
        const Conv2dParams p = make(c);
        const Data d = make_data(p, true, seed++);
        const PreparedConv2d conv(p, d.w.data(), d.b.data());
        if (conv.algorithm() != ConvAlgorithm::StridedWinograd) {
            GTEST_SKIP() << "the stride-2 Winograd kernels do not run here (" << kernels_of(conv)
                         << ")";
        }
        const std::string own = to_string(conv.isa());
        const bool wide = conv.isa() == ConvIsa::Avx512 && size == 64;
        EXPECT_EQ(conv.winograd_kernels_name(), wide ? own + "_wide" : own)
            << describe(c, conv.isa(), conv.algorithm());
        EXPECT_EQ(conv.winograd_wide(), wide) << describe(c, conv.isa(), conv.algorithm());
        EXPECT_TRUE(close_relative(run_prepared(conv, d, 2), run_reference(p, d), 1e-4))
            << describe(c, conv.isa(), conv.algorithm()) << " " << kernels_of(conv);
    }
}

}  // namespace
}  // namespace swaprun::kernels
