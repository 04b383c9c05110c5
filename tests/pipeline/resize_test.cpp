// Bilinear resizing with cv2.resize(INTER_LINEAR)'s coordinate mapping and edge clamp.
#include "pipeline/resize.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

Image row_of(std::initializer_list<uint8_t> values) {
    Image image(static_cast<int>(values.size()), 1);
    int x = 0;
    for (uint8_t v : values) {
        uint8_t* p = image.pixel(x++, 0);
        p[0] = v;
        p[1] = static_cast<uint8_t>(255 - v);
        p[2] = 7;
    }
    return image;
}

TEST(ResizeBilinear, UpscaleClampsAtTheEdgesLikeCv2) {
    // cv2.resize(np.array([[0, 100]], np.uint8), (4, 1)) == [[0, 25, 75, 100]]
    const Image out = resize_bilinear(row_of({0, 100}), 4, 1);
    const uint8_t want[4] = {0, 25, 75, 100};
    for (int x = 0; x < 4; ++x) {
        EXPECT_EQ(out.pixel(x, 0)[0], want[x]) << x;
        EXPECT_EQ(out.pixel(x, 0)[1], 255 - want[x]) << x;
        EXPECT_EQ(out.pixel(x, 0)[2], 7) << x;
    }
}

TEST(ResizeBilinear, DownscaleSamplesBetweenPixelCentres) {
    // Halving: each output pixel is the mean of two inputs (source x = 2 * x + 0.5).
    const Image out = resize_bilinear(row_of({0, 100, 200, 250}), 2, 1);
    EXPECT_EQ(out.pixel(0, 0)[0], 50);
    EXPECT_EQ(out.pixel(1, 0)[0], 225);
}

TEST(ResizeBilinear, SameSizeIsACopyAndBadSizesThrow) {
    Image image(5, 3);
    for (size_t i = 0; i < image.size_bytes(); ++i) image.data()[i] = static_cast<uint8_t>(i * 7);
    const Image out = resize_bilinear(image, 5, 3);
    EXPECT_TRUE(std::equal(image.data(), image.data() + image.size_bytes(), out.data()));
    EXPECT_THROW(resize_bilinear(image, 0, 3), Error);
    EXPECT_THROW(resize_bilinear(Image(), 4, 4), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
