#include "pipeline/warp_affine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

Image pattern(int width, int height) {
    Image image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            uint8_t* p = image.pixel(x, y);
            p[0] = static_cast<uint8_t>((x * 37 + y * 11) % 256);
            p[1] = static_cast<uint8_t>((x * x + 3 * y) % 256);
            p[2] = static_cast<uint8_t>(200 - x);
        }
    }
    return image;
}

// The textbook definition, in double precision, written separately from the library:
// invert the 2x2 linear part by the adjugate, take the four neighbours with 0 outside.
double naive_sample(const Image& src, const Affine2& m, int x, int y, int c) {
    const double det = m.a * m.e - m.b * m.d;
    const double u = x - m.c;
    const double v = y - m.f;
    const double sx = (m.e * u - m.b * v) / det;
    const double sy = (-m.d * u + m.a * v) / det;
    const int x0 = static_cast<int>(std::floor(sx));
    const int y0 = static_cast<int>(std::floor(sy));
    const double fx = sx - x0;
    const double fy = sy - y0;
    auto at = [&](int px, int py) -> double {
        if (px < 0 || py < 0 || px >= src.width() || py >= src.height()) return 0.0;
        return src.pixel(px, py)[c];
    };
    return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
           fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

TEST(WarpAffine, MatchesANaiveReference) {
    const Image src = pattern(50, 40);
    const double angle = 0.3;
    const Affine2 m{1.7 * std::cos(angle), -1.7 * std::sin(angle), -10.3,
                    1.7 * std::sin(angle), 1.7 * std::cos(angle),  4.6};
    const Image out = warp_affine(src, m, 64, 72);
    ASSERT_EQ(out.width(), 64);
    ASSERT_EQ(out.height(), 72);
    int nonzero = 0;
    for (int y = 0; y < 72; ++y) {
        for (int x = 0; x < 64; ++x) {
            for (int c = 0; c < 3; ++c) {
                const double want = naive_sample(src, m, x, y, c);
                // Float versus double arithmetic can move a value across a .5 boundary.
                ASSERT_LE(std::abs(out.pixel(x, y)[c] - want), 0.5 + 1e-3)
                    << x << "," << y << "," << c;
                nonzero += want > 0;
            }
        }
    }
    EXPECT_GT(nonzero, 3000);  // the warp covers a good part of the output
}

// A video reuses one crop buffer: warping into one that holds the previous frame's
// pixels (here 0xAB everywhere) gives the fresh result, zero border included.
TEST(WarpAffine, IntoAUsedBufferOverwritesEveryPixel) {
    const Image src = pattern(50, 40);
    const Affine2 m{1.3, 0.2, -12.0, -0.2, 1.3, 9.0};  // part of the output lies outside
    const Image fresh = warp_affine(src, m, 96, 80);
    Image used(96, 80);
    std::fill(used.data(), used.data() + used.size_bytes(), uint8_t{0xAB});
    warp_affine_into(src, m, used);
    ASSERT_TRUE(std::equal(fresh.data(), fresh.data() + fresh.size_bytes(), used.data()));
    EXPECT_EQ(fresh.pixel(95, 79)[0], 0);  // the zero border is part of what was compared
    // And from an empty source: all zero.
    warp_affine_into(Image(), m, used);
    EXPECT_TRUE(std::all_of(used.data(), used.data() + used.size_bytes(),
                            [](uint8_t v) { return v == 0; }));
}

TEST(WarpAffine, PlanarMatchesTheNaiveReference) {
    const Image src = pattern(20, 30);
    PlanarImage planar(20, 30);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 20; ++x) planar.at(c, x, y) = src.pixel(x, y)[c];
    const Affine2 m{0.8, 0.3, 2.25, -0.3, 0.8, 7.5};
    const PlanarImage out = warp_affine(planar, m, 25, 33);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 33; ++y)
            for (int x = 0; x < 25; ++x)
                ASSERT_NEAR(out.at(c, x, y), naive_sample(src, m, x, y, c), 1e-3);
}

TEST(WarpAffine, HandCheckedPixels) {
    Image src(3, 1);
    src.pixel(0, 0)[0] = 10;
    src.pixel(1, 0)[0] = 20;
    src.pixel(2, 0)[0] = 41;
    // Integer shift right by one: exact copy, column 0 from outside the image is 0.
    const Image shifted = warp_affine(src, Affine2{1, 0, 1, 0, 1, 0}, 4, 1);
    EXPECT_EQ(shifted.pixel(0, 0)[0], 0);
    EXPECT_EQ(shifted.pixel(1, 0)[0], 10);
    EXPECT_EQ(shifted.pixel(3, 0)[0], 41);
    // Half a pixel right: each output is the mean of two neighbours, the first with the
    // zero border (10 / 2), (10 + 20) / 2, (20 + 41) / 2 = 30.5 rounds to 31.
    const Image half = warp_affine(src, Affine2{1, 0, 0.5, 0, 1, 0}, 4, 1);
    EXPECT_EQ(half.pixel(0, 0)[0], 5);
    EXPECT_EQ(half.pixel(1, 0)[0], 15);
    EXPECT_EQ(half.pixel(2, 0)[0], 31);
    EXPECT_EQ(half.pixel(3, 0)[0], 21);  // 41 / 2 beyond the right edge
    // Scale by 2: output x samples source x / 2.
    const Image up = warp_affine(src, Affine2{2, 0, 0, 0, 2, 0}, 5, 2);
    EXPECT_EQ(up.pixel(1, 0)[0], 15);
    EXPECT_EQ(up.pixel(4, 0)[0], 41);
    EXPECT_EQ(up.pixel(4, 1)[0], 21);  // half-way to the zero row below
}

TEST(WarpAffine, BadArgumentsThrow) {
    const Image src = pattern(4, 4);
    EXPECT_THROW(warp_affine(src, Affine2{0, 0, 0, 0, 0, 0}, 8, 8), Error);
    EXPECT_THROW(warp_affine(src, Affine2{}, 0, 8), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
