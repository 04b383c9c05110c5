#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/reference.h"
#include "test_util.h"

namespace swaprun::kernels {
namespace {

using testing::close_absolute;
using testing::close_relative;
using testing::random_vector;

ResizeParams make_resize(int64_t ih, int64_t iw, int64_t oh, int64_t ow, ResizeMode mode,
                         ResizeCoordinates coords) {
    ResizeParams p;
    p.batch = 1;
    p.channels = 1;
    p.in_height = ih;
    p.in_width = iw;
    p.out_height = oh;
    p.out_width = ow;
    p.scale_h = static_cast<float>(oh) / static_cast<float>(ih);
    p.scale_w = static_cast<float>(ow) / static_cast<float>(iw);
    p.mode = mode;
    p.coordinates = coords;
    return p;
}

std::vector<float> run(bool fast, const ResizeParams& p, const std::vector<float>& x) {
    std::vector<float> y(static_cast<size_t>(p.batch * p.channels * p.out_height * p.out_width),
                         -1.0f);
    if (fast) {
        resize(p, x.data(), y.data());
    } else {
        reference::resize(p, x.data(), y.data());
    }
    return y;
}

void expect_both(const ResizeParams& p, const std::vector<float>& x,
                 const std::vector<float>& expected) {
    EXPECT_TRUE(close_absolute(run(false, p, x), expected, 1e-6)) << "reference";
    EXPECT_TRUE(close_absolute(run(true, p, x), expected, 1e-5)) << "fast";
}

TEST(ResizeReference, HalfPixelBilinearUpsample) {
    // Per axis the source coordinates are -0.25, 0.25, 0.75, 1.25 (clamped to
    // [0, 1]), giving weights 0, .25, .75, 1 on x = [[0 1] [2 3]] = 2y + x.
    const ResizeParams p =
        make_resize(2, 2, 4, 4, ResizeMode::Linear, ResizeCoordinates::HalfPixel);
    expect_both(p, {0, 1, 2, 3},
                {0.0f, 0.25f, 0.75f, 1.0f, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2.0f,
                 2.25f, 2.75f, 3.0f});
}

TEST(ResizeReference, HalfPixelBilinearDownsample) {
    // Source coordinates 0.5 and 2.5: averages of neighbouring pairs.
    const ResizeParams p =
        make_resize(1, 4, 1, 2, ResizeMode::Linear, ResizeCoordinates::HalfPixel);
    expect_both(p, {1, 3, 10, 20}, {2, 15});
}

TEST(ResizeReference, AlignCorners) {
    const ResizeParams p =
        make_resize(1, 2, 1, 3, ResizeMode::Linear, ResizeCoordinates::AlignCorners);
    expect_both(p, {4, 8}, {4, 6, 8});
}

TEST(ResizeReference, PytorchHalfPixelSingleOutput) {
    // One output column: pytorch_half_pixel reads coordinate 0, half_pixel 1.5.
    ResizeParams p =
        make_resize(1, 4, 1, 1, ResizeMode::Linear, ResizeCoordinates::PytorchHalfPixel);
    expect_both(p, {1, 2, 3, 4}, {1});
    p.coordinates = ResizeCoordinates::HalfPixel;
    expect_both(p, {1, 2, 3, 4}, {2.5f});
}

TEST(ResizeReference, NearestRoundingModes) {
    const std::vector<float> x = {10, 20, 30, 40};
    struct Expect {
        NearestRounding mode;
        std::vector<float> scale2;     // asymmetric, scale 2: coordinates 0 .5 1 1.5 2 2.5
        std::vector<float> scale1_25;  // asymmetric, scale 1.25: 0 .8 1.6 2.4 3.2
    };
    const Expect cases[] = {
        {NearestRounding::RoundPreferFloor, {10, 10, 20, 20, 30, 30}, {10, 20, 30, 30, 40}},
        {NearestRounding::RoundPreferCeil, {10, 20, 20, 30, 30, 40}, {10, 20, 30, 30, 40}},
        {NearestRounding::Floor, {10, 10, 20, 20, 30, 30}, {10, 10, 20, 30, 40}},
        {NearestRounding::Ceil, {10, 20, 20, 30, 30, 40}, {10, 20, 30, 40, 40}},
    };
    for (const Expect& e : cases) {
        SCOPED_TRACE(static_cast<int>(e.mode));
        ResizeParams p =
            make_resize(1, 4, 1, 6, ResizeMode::Nearest, ResizeCoordinates::Asymmetric);
        p.scale_w = 2.0f;  // an explicit scale, not out / in
        p.nearest = e.mode;
        expect_both(p, x, e.scale2);
        p.out_width = 5;
        p.scale_w = 1.25f;
        expect_both(p, x, e.scale1_25);
    }
}

TEST(ResizeReference, NearestHalfPixelAndTfHalfPixel) {
    // half_pixel 2 -> 4: coordinates -0.25 .25 .75 1.25 -> 0 0 1 1.
    ResizeParams p = make_resize(1, 2, 1, 4, ResizeMode::Nearest, ResizeCoordinates::HalfPixel);
    expect_both(p, {5, 7}, {5, 5, 7, 7});
    // tf_half_pixel_for_nn: .25 .75 1.25 1.75 -> 0 1 1 2 (clamped to 1).
    p.coordinates = ResizeCoordinates::TfHalfPixelForNn;
    expect_both(p, {5, 7}, {5, 7, 7, 7});
}

TEST(ResizeReference, CubicCoefficients) {
    // a = -0.75 at ratio 0.5: weights -0.09375, 0.59375, 0.59375, -0.09375.
    // Asymmetric scale 2 on [1 2 4 8]: output 3 reads coordinate 1.5:
    //   -0.09375 + 1.1875 + 2.375 - 0.75 = 2.71875.
    // Output 1 reads 0.5, whose first tap (-1) is outside: clamped it repeats x[0]
    //   (1.3125); with exclude_outside it is dropped and the rest renormalized by
    //   1.09375: (0.59375 + 1.1875 - 0.375) / 1.09375 = 9 / 7.
    ResizeParams p = make_resize(1, 4, 1, 8, ResizeMode::Cubic, ResizeCoordinates::Asymmetric);
    const std::vector<float> x = {1, 2, 4, 8};
    for (bool fast : {false, true}) {
        auto y = run(fast, p, x);
        EXPECT_NEAR(y[0], 1.0f, 1e-6);
        EXPECT_NEAR(y[1], 1.3125f, 1e-6);
        EXPECT_NEAR(y[3], 2.71875f, 1e-6);
        ResizeParams q = p;
        q.exclude_outside = true;
        y = run(fast, q, x);
        EXPECT_NEAR(y[1], 9.0f / 7.0f, 1e-6);
        EXPECT_NEAR(y[3], 2.71875f, 1e-6);
    }
}

TEST(ResizeFast, MatchesReferenceOnRandomData) {
    const ResizeCoordinates coords[] = {
        ResizeCoordinates::HalfPixel, ResizeCoordinates::PytorchHalfPixel,
        ResizeCoordinates::AlignCorners, ResizeCoordinates::Asymmetric,
        ResizeCoordinates::TfHalfPixelForNn};
    const ResizeMode modes[] = {ResizeMode::Nearest, ResizeMode::Linear, ResizeMode::Cubic};
    struct Size {
        int64_t ih, iw, oh, ow;
    };
    // The x2 upsamplings of rows of one and of three 16-lane vectors, and of a row that
    // ends mid-vector, take the row function's vector paths (resize2x_row).
    const Size sizes[] = {{7, 9, 14, 18},  {13, 11, 5, 4}, {6, 5, 17, 3}, {1, 1, 3, 2},
                          {5, 16, 10, 32}, {3, 48, 6, 96}, {4, 37, 8, 74}};
    uint32_t seed = 1;
    for (ResizeMode mode : modes) {
        for (ResizeCoordinates c : coords) {
            for (const Size& s : sizes) {
                ResizeParams p = make_resize(s.ih, s.iw, s.oh, s.ow, mode, c);
                p.batch = 2;
                p.channels = 3;
                p.exclude_outside = (seed % 2) == 0;
                p.nearest = static_cast<NearestRounding>(seed % 4);
                const auto x = random_vector(2 * 3 * s.ih * s.iw, seed++);
                EXPECT_TRUE(close_relative(run(true, p, x), run(false, p, x)))
                    << "mode " << static_cast<int>(mode) << " coords " << static_cast<int>(c)
                    << " size " << s.ih << "x" << s.iw << "->" << s.oh << "x" << s.ow;
            }
        }
    }
}

}  // namespace
}  // namespace swaprun::kernels
