#include "pipeline/yuv_rgb.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <utility>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

Y4mFrame frame_of(std::initializer_list<uint8_t> y, std::initializer_list<uint8_t> u,
                  std::initializer_list<uint8_t> v) {
    Y4mFrame frame;
    for (const auto& plane : {y, u, v}) {
        for (uint8_t value : plane) frame.planes.push_back(value);
    }
    return frame;
}

Image random_image(int width, int height, uint32_t seed) {
    Image image(width, height);
    std::mt19937 random(seed);
    for (size_t i = 0; i < image.size_bytes(); ++i) image.data()[i] = random() & 0xff;
    return image;
}

int max_abs_difference(const Image& a, const Image& b) {
    int worst = 0;
    for (size_t i = 0; i < a.size_bytes(); ++i) {
        worst = std::max(worst, std::abs(int(a.data()[i]) - int(b.data()[i])));
    }
    return worst;
}

void expect_rgb(const Image& image, int x, int y, int r, int g, int b, int tolerance = 0) {
    const uint8_t* p = image.pixel(x, y);
    EXPECT_NEAR(p[0], r, tolerance) << x << "," << y;
    EXPECT_NEAR(p[1], g, tolerance) << x << "," << y;
    EXPECT_NEAR(p[2], b, tolerance) << x << "," << y;
}

TEST(YuvRgb, Bt601LimitedRangeReferenceColours) {
    // 4:4:4, one pixel each: black, white, mid grey, and the 75 %-free primaries as BT.601
    // tabulates them in 8-bit limited range (Y, Cb, Cr).
    const Y4mHeader header = parse_y4m_header("YUV4MPEG2 W6 H1 C444");
    const Y4mFrame frame = frame_of({16, 235, 126, 81, 145, 41}, {128, 128, 128, 90, 54, 240},
                                    {128, 128, 128, 240, 34, 110});
    Image rgb;
    y4m_to_rgb(header, frame, rgb);
    expect_rgb(rgb, 0, 0, 0, 0, 0);
    expect_rgb(rgb, 1, 0, 255, 255, 255);
    expect_rgb(rgb, 2, 0, 128, 128, 128);
    expect_rgb(rgb, 3, 0, 255, 0, 0, 1);
    expect_rgb(rgb, 4, 0, 0, 255, 0, 1);
    expect_rgb(rgb, 5, 0, 0, 0, 255, 1);

    Y4mFrame encoded;
    rgb_to_y4m(rgb, header, encoded);
    EXPECT_EQ(encoded.planes, frame.planes);
}

TEST(YuvRgb, FullRangeWhenTheHeaderSaysSo) {
    const Y4mHeader header = parse_y4m_header("YUV4MPEG2 W3 H1 C444 XCOLORRANGE=FULL");
    const Y4mFrame frame = frame_of({0, 255, 76}, {128, 128, 85}, {128, 128, 255});
    Image rgb;
    y4m_to_rgb(header, frame, rgb);
    expect_rgb(rgb, 0, 0, 0, 0, 0);
    expect_rgb(rgb, 1, 0, 255, 255, 255);
    expect_rgb(rgb, 2, 0, 255, 0, 0, 1);
}

TEST(YuvRgb, ChromaCoversTwoByTwoPixelsIn420AndTwoByOneIn422) {
    // 3x3 frame: chroma 2x2 for 4:2:0; the right column and bottom row share the last
    // chroma samples. Luma is mid grey everywhere; chroma differs per sample.
    const Y4mHeader h420 = parse_y4m_header("YUV4MPEG2 W3 H3 C420mpeg2");
    const Y4mFrame f420 = frame_of({126, 126, 126, 126, 126, 126, 126, 126, 126},
                                   {128, 160, 96, 128}, {128, 128, 128, 200});
    Image rgb;
    y4m_to_rgb(h420, f420, rgb);
    for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) {
            const int sample = (y / 2) * 2 + x / 2;
            const uint8_t* p = rgb.pixel(x, y);
            const uint8_t* first = rgb.pixel((sample % 2) * 2, (sample / 2) * 2);
            EXPECT_EQ(std::string(p, p + 3), std::string(first, first + 3)) << x << "," << y;
        }
    }
    expect_rgb(rgb, 0, 0, 128, 128, 128);
    EXPECT_GT(rgb.pixel(2, 0)[2], 128);  // Cb above 128: bluer
    EXPECT_LT(rgb.pixel(0, 2)[2], 128);
    EXPECT_GT(rgb.pixel(2, 2)[0], 200);  // Cr 200: red

    const Y4mHeader h422 = parse_y4m_header("YUV4MPEG2 W3 H2 C422");
    const Y4mFrame f422 =
        frame_of({126, 126, 126, 126, 126, 126}, {128, 200, 60, 128}, {128, 128, 128, 128});
    y4m_to_rgb(h422, f422, rgb);
    EXPECT_EQ(rgb.pixel(0, 0)[2], rgb.pixel(1, 0)[2]);
    EXPECT_GT(rgb.pixel(2, 0)[2], 200);
    EXPECT_LT(rgb.pixel(0, 1)[2], 60);
    EXPECT_EQ(rgb.pixel(2, 1)[2], 128);
}

TEST(YuvRgb, DownsamplingAveragesTheCoveredPixels) {
    const Y4mHeader header = parse_y4m_header("YUV4MPEG2 W2 H2 C420jpeg");
    Image rgb(2, 2);
    // Two red and two blue pixels: the chroma sample is that of their mean, (127.5, 0, 127.5).
    for (int i : {0, 3}) rgb.data()[i * 3] = 255;
    for (int i : {1, 2}) rgb.data()[i * 3 + 2] = 255;
    Y4mFrame frame;
    rgb_to_y4m(rgb, header, frame);
    ASSERT_EQ(frame.planes.size(), 6u);
    EXPECT_EQ(frame.planes[0], 81);  // red's luma
    EXPECT_EQ(frame.planes[1], 41);  // blue's luma
    // Mean colour: Y' = 0.299 * 127.5 + 0.114 * 127.5 = 52.66; Cb = 128 + (127.5 - 52.66) /
    // 1.772 * 224/255 = 165.1; Cr = 128 + (127.5 - 52.66) / 1.402 * 224/255 = 174.9.
    EXPECT_EQ(frame.planes[4], 165);
    EXPECT_EQ(frame.planes[5], 175);
}

TEST(YuvRgb, MonoIsGrey) {
    const Y4mHeader header = parse_y4m_header("YUV4MPEG2 W2 H1 Cmono");
    Y4mFrame frame;
    frame.planes = {16, 235};
    Image rgb;
    y4m_to_rgb(header, frame, rgb);
    expect_rgb(rgb, 0, 0, 0, 0, 0);
    expect_rgb(rgb, 1, 0, 255, 255, 255);
    rgb.pixel(0, 0)[0] = 255;  // red: luma 81 (grey can not keep the colour)
    rgb_to_y4m(rgb, header, frame);
    EXPECT_EQ(frame.planes[0], 81);
}

TEST(YuvRgb, FourFourFourRoundTripIsWithinQuantization) {
    // Limited range has 219 luma levels for 256 RGB ones, so a round trip can move a channel
    // by the rounding of luma and both chroma samples: at most 2 levels.
    const Image original = random_image(64, 64, 7);
    for (const char* line : {"YUV4MPEG2 W64 H64 C444", "YUV4MPEG2 W64 H64 C444 XCOLORRANGE=FULL"}) {
        const Y4mHeader header = parse_y4m_header(line);
        Y4mFrame frame;
        rgb_to_y4m(original, header, frame);
        Image back;
        y4m_to_rgb(header, frame, back);
        EXPECT_LE(max_abs_difference(original, back), 2) << line;
    }
}

TEST(YuvRgb, UpdateReencodesOnlyWhatChanged) {
    for (const char* tag : {"420jpeg", "422", "444", "mono"}) {
        const Y4mHeader header = parse_y4m_header(std::string("YUV4MPEG2 W33 H21 C") + tag);
        Y4mFrame frame;
        rgb_to_y4m(random_image(33, 21, 3), header, frame);
        Image decoded;
        y4m_to_rgb(header, frame, decoded);

        Y4mFrame unchanged = frame;
        update_y4m_where_changed(decoded, decoded, header, unchanged);
        EXPECT_EQ(unchanged.planes, frame.planes) << tag;

        // Paint a rectangle (x 5..14, y 3..10) and re-encode.
        Image edited = decoded;
        for (int y = 3; y <= 10; ++y)
            for (int x = 5; x <= 14; ++x) edited.pixel(x, y)[1] = 250;
        Y4mFrame updated = frame;
        update_y4m_where_changed(decoded, edited, header, updated);
        Y4mFrame full;
        rgb_to_y4m(edited, header, full);
        const Y4mConstPlanes before = y4m_planes(header, std::as_const(frame));
        const Y4mConstPlanes after = y4m_planes(header, std::as_const(updated));
        const Y4mConstPlanes reference = y4m_planes(header, std::as_const(full));
        for (int y = 0; y < 21; ++y) {
            for (int x = 0; x < 33; ++x) {
                const bool inside = x >= 5 && x <= 14 && y >= 3 && y <= 10;
                const size_t i = size_t(y) * 33 + size_t(x);
                ASSERT_EQ(after.y[i], inside ? reference.y[i] : before.y[i]) << tag << x << y;
            }
        }
        if (!after.u) continue;
        const int sx = 33 / after.sizes.chroma_width + (after.sizes.chroma_width * 2 == 34);
        const int sy = after.sizes.chroma_height == 21 ? 1 : 2;
        for (int cy = 0; cy < after.sizes.chroma_height; ++cy) {
            for (int cx = 0; cx < after.sizes.chroma_width; ++cx) {
                const bool covers = cx * sx <= 14 && (cx + 1) * sx - 1 >= 5 && cy * sy <= 10 &&
                                    (cy + 1) * sy - 1 >= 3;
                const size_t i = size_t(cy) * after.sizes.chroma_width + size_t(cx);
                ASSERT_EQ(after.u[i], covers ? reference.u[i] : before.u[i]) << tag << cx << cy;
                ASSERT_EQ(after.v[i], covers ? reference.v[i] : before.v[i]) << tag << cx << cy;
            }
        }
    }
}

TEST(YuvRgb, SizeMismatchIsRejected) {
    const Y4mHeader header = parse_y4m_header("YUV4MPEG2 W4 H4");
    Y4mFrame frame;
    EXPECT_THROW(rgb_to_y4m(Image(4, 5), header, frame), Error);
    frame.planes.resize(10);
    Image rgb;
    EXPECT_THROW(y4m_to_rgb(header, frame, rgb), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
