// Why the stride-1 Winograd layers use F(4x4, 3x3) and no larger tile (runtime/README.md):
// the fp32 error of single tiles of F(4x4), F(6x6) and F(8x8) with the matrices that
// cook_toom::make builds, as the kernels apply them.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "conv_cases.h"
#include "kernels/cook_toom.h"

namespace swaprun::kernels {
namespace {

using namespace conv_testing;

constexpr int kTaps = 3;

// L x L^T in float, as the kernels apply a transform along both axes: the rows of L x
// first, then L along them, each sum in increasing order. L is Rows x Cols, x Cols x
// Cols (row-major), the result Rows x Rows.
template <int Rows, int Cols>
std::array<float, Rows * Rows> sandwich(const double (&l)[Rows][Cols], const float* x) {
    float lx[Rows][Cols];
    for (int p = 0; p < Rows; ++p) {
        for (int j = 0; j < Cols; ++j) {
            float s = 0.0f;
            for (int k = 0; k < Cols; ++k) s += static_cast<float>(l[p][k]) * x[k * Cols + j];
            lx[p][j] = s;
        }
    }
    std::array<float, Rows * Rows> y{};
    for (int p = 0; p < Rows; ++p) {
        for (int q = 0; q < Rows; ++q) {
            float s = 0.0f;
            for (int k = 0; k < Cols; ++k) s += lx[p][k] * static_cast<float>(l[q][k]);
            y[p * Rows + q] = s;
        }
    }
    return y;
}

// The mean, over `tiles` single tiles of `channels` input channels, of F(Out x Out, 3x3)'s
// largest error against the correlation in double, relative to the tile's largest output:
// U = G g G^T and V = BT d BT^T per channel, M their products summed over the channels,
// y = AT M AT^T, all in float.
template <int Out>
double mean_tile_error(const double (&points)[Out + kTaps - 2], int tiles, int channels) {
    constexpr int n = Out + kTaps - 1;
    const cook_toom::Transforms<Out, kTaps> t = cook_toom::make<Out, kTaps>(points);
    double total = 0.0;
    for (int tile = 0; tile < tiles; ++tile) {
        const std::vector<float> d = random_vector(int64_t{channels} * n * n, 7000 + 2 * tile);
        const std::vector<float> g =
            random_vector(int64_t{channels} * kTaps * kTaps, 7001 + 2 * tile, -0.5f, 0.5f);
        std::array<float, n * n> m{};
        double exact[Out][Out] = {};
        for (int c = 0; c < channels; ++c) {
            const float* dc = d.data() + c * n * n;
            const float* gc = g.data() + c * kTaps * kTaps;
            const auto u = sandwich(t.g, gc);
            const auto v = sandwich(t.bt, dc);
            for (int e = 0; e < n * n; ++e) m[e] += u[e] * v[e];
            for (int i = 0; i < Out; ++i) {
                for (int j = 0; j < Out; ++j) {
                    for (int a = 0; a < kTaps; ++a) {
                        for (int b = 0; b < kTaps; ++b) {
                            exact[i][j] +=
                                static_cast<double>(dc[(i + a) * n + j + b]) * gc[a * kTaps + b];
                        }
                    }
                }
            }
        }
        const auto y = sandwich(t.at, m.data());
        double worst = 0.0, largest = 0.0;
        for (int i = 0; i < Out; ++i) {
            for (int j = 0; j < Out; ++j) {
                worst = std::max(worst, std::abs(y[i * Out + j] - exact[i][j]));
                largest = std::max(largest, std::abs(exact[i][j]));
            }
        }
        total += worst / largest;
    }
    return total / tiles;
}

// F(4x4) at 0, +-1, +-2; F(6x6) adding +-1/2; F(8x8) adding a last pair, +-3/4 the best of
// those tried. 192 input channels, as live_base's blocks; the figures are printed for
// runtime/README.md. A wrong matrix (G's infinity row off by 1e-3) fails it.
TEST(ConvFast, LargerWinogradTilesLoseThePrecisionTheyWouldSave) {
    constexpr int kTiles = 200, kChannels = 192;
    const double f4 = mean_tile_error<4>({0, 1, -1, 2, -2}, kTiles, kChannels);
    const double f6 = mean_tile_error<6>({0, 1, -1, 2, -2, 0.5, -0.5}, kTiles, kChannels);
    std::printf("F(4x4, 3x3) %.2e, F(6x6, 3x3) %.2e\n", f4, f6);
    EXPECT_LT(f4, 1e-5);
    EXPECT_LT(f6, 3 * f4);
    double best = 0.0, best_last = 0.0;
    for (const double last : {4.0, 0.25, 3.0, 0.75, 1.5}) {
        const double f8 =
            mean_tile_error<8>({0, 1, -1, 2, -2, 0.5, -0.5, last, -last}, kTiles, kChannels);
        std::printf("F(8x8, 3x3) +-%g: %.2e\n", last, f8);
        EXPECT_GE(f8, 10 * f4) << "+-" << last;
        if (best == 0.0 || f8 < best) {
            best = f8;
            best_last = last;
        }
    }
    EXPECT_EQ(best_last, 0.75);
}

}  // namespace
}  // namespace swaprun::kernels
