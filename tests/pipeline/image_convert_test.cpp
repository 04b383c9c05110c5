#include "pipeline/image_convert.h"

#include <gtest/gtest.h>

namespace swaprun::pipeline {
namespace {

TEST(ImageConvert, PlanarLayoutAndRanges) {
    Image image(2, 1);
    const uint8_t values[6] = {0, 127, 255, 128, 1, 64};
    std::copy(values, values + 6, image.data());

    const PlanarImage unit = to_planar(image);
    EXPECT_FLOAT_EQ(unit.at(0, 0, 0), 0.0f);
    EXPECT_FLOAT_EQ(unit.at(1, 0, 0), 127.0f / 255.0f);
    EXPECT_FLOAT_EQ(unit.at(2, 0, 0), 1.0f);
    EXPECT_FLOAT_EQ(unit.at(0, 1, 0), 128.0f / 255.0f);
    EXPECT_FLOAT_EQ(unit.plane(2)[1], 64.0f / 255.0f);  // CHW: plane 2, column 1

    const PlanarImage det = to_planar(image, kDetectorNormalization);
    EXPECT_FLOAT_EQ(det.at(0, 0, 0), -127.5f / 128.0f);
    EXPECT_FLOAT_EQ(det.at(2, 0, 0), 127.5f / 128.0f);
    const PlanarImage rec = to_planar(image, kRecognizerNormalization);
    EXPECT_FLOAT_EQ(rec.at(0, 0, 0), -1.0f);
    EXPECT_FLOAT_EQ(rec.at(2, 0, 0), 1.0f);
    EXPECT_FLOAT_EQ(rec.at(0, 1, 0), 0.5f / 127.5f);
}

TEST(ImageConvert, RoundTripsAndClamps) {
    Image image(16, 16);
    for (size_t i = 0; i < image.size_bytes(); ++i) image.data()[i] = static_cast<uint8_t>(i);
    for (Normalization n : {kUnitRange, kDetectorNormalization, kRecognizerNormalization}) {
        const Image back = to_rgb8(to_planar(image, n), n);
        ASSERT_EQ(std::vector<uint8_t>(back.data(), back.data() + back.size_bytes()),
                  std::vector<uint8_t>(image.data(), image.data() + image.size_bytes()));
    }
    PlanarImage planar(2, 1);
    planar.at(0, 0, 0) = -0.5f;
    planar.at(0, 1, 0) = 1.5f;
    planar.at(1, 0, 0) = 0.5f;  // 127.5 rounds half away from zero
    planar.at(2, 1, 0) = 0.2f;
    const Image out = to_rgb8(planar);
    EXPECT_EQ(out.pixel(0, 0)[0], 0);
    EXPECT_EQ(out.pixel(1, 0)[0], 255);
    EXPECT_EQ(out.pixel(0, 0)[1], 128);
    EXPECT_EQ(out.pixel(1, 0)[2], 51);
}

}  // namespace
}  // namespace swaprun::pipeline
