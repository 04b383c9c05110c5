#include "pipeline/paste_back.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "pipeline/warp_affine.h"
#include "util/error.h"

namespace swaprun::pipeline {
namespace {

Image pattern(int width, int height, int seed) {
    Image image(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.pixel(x, y)[c] = static_cast<uint8_t>((x * 13 + y * 7 + c * 50 + seed) % 256);
    return image;
}

// A smooth image: the double bilinear resampling of a round trip loses little on it.
Image smooth(int width, int height) {
    Image image(width, height);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < 3; ++c)
                image.pixel(x, y)[c] = static_cast<uint8_t>(std::lround(
                    120 + 60 * std::sin(x / 17.0 + c) * std::cos(y / 23.0) + 0.1 * (x - y)));
    return image;
}

Affine2 rotation_scale(double scale, double angle, double tx, double ty) {
    return {scale * std::cos(angle), -scale * std::sin(angle), tx,
            scale * std::sin(angle), scale * std::cos(angle),  ty};
}

TEST(PasteBack, FullMaskUnderIntegerShiftCopiesTheCropIntoItsBox) {
    const Image original = pattern(64, 48, 0);
    Image frame = original;
    const Image crop = pattern(20, 16, 99);
    const Affine2 crop_from_frame{1, 0, -10, 0, 1, -8};  // crop origin at frame (10, 8)
    const PixelBox box = paste_back(frame, crop, make_full_mask(20, 16), crop_from_frame);
    EXPECT_EQ(box.x0, 10);
    EXPECT_EQ(box.y0, 8);
    EXPECT_EQ(box.x1, 30);
    EXPECT_EQ(box.y1, 24);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 64; ++x) {
            const bool inside = x >= 10 && x < 30 && y >= 8 && y < 24;
            const uint8_t* want = inside ? crop.pixel(x - 10, y - 8) : original.pixel(x, y);
            for (int c = 0; c < 3; ++c) ASSERT_EQ(frame.pixel(x, y)[c], want[c]) << x << "," << y;
        }
    }
}

TEST(PasteBack, IdentityOnAFrameOfTheCropsSizeReplacesEverything) {
    Image frame = pattern(32, 32, 5);
    const Image crop = pattern(32, 32, 77);
    paste_back(frame, crop, make_full_mask(32, 32), Affine2{});
    EXPECT_EQ(std::vector<uint8_t>(frame.data(), frame.data() + frame.size_bytes()),
              std::vector<uint8_t>(crop.data(), crop.data() + crop.size_bytes()));
}

TEST(SoftMask, FeatheredMaskRisesFromTheBorderToOne) {
    for (int size : {128, 512}) {
        const MaskPlane mask = make_feathered_mask(size, size);
        // Erosion by ~size/20 and a blur of about the same radius leave a trace at the
        // edge (0.0058 for 128), as insightface's mask does.
        EXPECT_LT(mask.at(0, 0), 1e-4f);
        EXPECT_LT(mask.at(0, size / 2), 0.01f);
        EXPECT_FLOAT_EQ(mask.at(size / 2, size / 2), 1.0f);
        for (int x = 1; x <= size / 2; ++x) {
            ASSERT_GE(mask.at(x, size / 2), mask.at(x - 1, size / 2)) << size << " x " << x;
            ASSERT_GE(mask.at(size / 2, x), mask.at(size / 2, x - 1)) << size << " y " << x;
            ASSERT_GE(mask.at(size - x, size / 2), mask.at(size - x + 1, size / 2));
        }
        // The feather is a band of a few percent of the crop, not a vignette.
        EXPECT_FLOAT_EQ(mask.at(size / 5, size / 2), 1.0f);
    }
    EXPECT_THROW(make_feathered_mask(0, 4), Error);
}

TEST(PasteBack, BlendWeightIsMonotoneFromTheBoxBorderInward) {
    // A white crop pasted onto black shows the blend weight as brightness.
    Image frame(300, 300);
    Image crop(128, 128);
    std::fill(crop.data(), crop.data() + crop.size_bytes(), uint8_t{255});
    // Face centred near (150, 140), 1.6x the crop's size, rotated by 0.3 rad.
    const Affine2 frame_from_crop = rotation_scale(1.6, 0.3, 0, 0);
    const Point2 centre_offset = frame_from_crop.apply({63.5, 63.5});
    Affine2 placed = frame_from_crop;
    placed.c = 150 - centre_offset.x;
    placed.f = 140 - centre_offset.y;
    const Affine2 crop_from_frame = invert(placed);
    const PixelBox box = paste_back(frame, crop, make_feathered_mask(128, 128), crop_from_frame);
    ASSERT_FALSE(box.empty());
    EXPECT_EQ(frame.pixel(150, 140)[0], 255);
    // Along the row and the column through the centre, from the box edge inward.
    for (int x = box.x0 + 1; x <= 150; ++x)
        ASSERT_GE(frame.pixel(x, 140)[0], frame.pixel(x - 1, 140)[0]) << "x " << x;
    for (int x = box.x1 - 2; x >= 150; --x)
        ASSERT_GE(frame.pixel(x, 140)[0], frame.pixel(x + 1, 140)[0]) << "x " << x;
    for (int y = box.y0 + 1; y <= 140; ++y)
        ASSERT_GE(frame.pixel(150, y)[0], frame.pixel(150, y - 1)[0]) << "y " << y;
    EXPECT_EQ(frame.pixel(box.x0, 140)[0], 0);
    // Nothing outside the box changed.
    for (int y = 0; y < 300; ++y)
        for (int x = 0; x < 300; ++x)
            if (x < box.x0 || x >= box.x1 || y < box.y0 || y >= box.y1) {
                ASSERT_EQ(frame.pixel(x, y)[0], 0) << x << "," << y;
            }
}

TEST(PasteBack, RoundTripOfAnUnmodifiedCropBarelyChangesTheFrame) {
    const Image original = smooth(256, 256);
    Image frame = original;
    // Frame to crop: scale 0.9, rotated, the face around (128, 120).
    Affine2 crop_from_frame = rotation_scale(0.9, -0.2, 0, 0);
    const Point2 c = crop_from_frame.apply({128, 120});
    crop_from_frame.c = 63.5 - c.x;
    crop_from_frame.f = 63.5 - c.y;
    const Image crop = warp_affine(original, crop_from_frame, 128, 128);
    const PixelBox box = paste_back(frame, crop, make_feathered_mask(128, 128), crop_from_frame);
    int max_diff = 0;
    int changed = 0;
    for (int y = 0; y < 256; ++y) {
        for (int x = 0; x < 256; ++x) {
            for (int ch = 0; ch < 3; ++ch) {
                const int d = std::abs(frame.pixel(x, y)[ch] - original.pixel(x, y)[ch]);
                max_diff = std::max(max_diff, d);
                changed += d > 0;
                if (x < box.x0 || x >= box.x1 || y < box.y0 || y >= box.y1) {
                    ASSERT_EQ(d, 0);
                }
            }
        }
    }
    EXPECT_LE(max_diff, 2);
    EXPECT_GT(changed, 0);  // the paste did happen (resampling rounds somewhere)
}

TEST(PasteBack, FaceOutsideTheFrameChangesNothing) {
    const Image original = pattern(40, 40, 1);
    Image frame = original;
    const PixelBox box = paste_back(frame, pattern(16, 16, 2), make_full_mask(16, 16),
                                    Affine2{1, 0, 500, 0, 1, 500});
    EXPECT_TRUE(box.empty());
    EXPECT_EQ(std::vector<uint8_t>(frame.data(), frame.data() + frame.size_bytes()),
              std::vector<uint8_t>(original.data(), original.data() + original.size_bytes()));
    EXPECT_THROW(paste_back(frame, pattern(16, 16, 2), make_full_mask(8, 8), Affine2{}), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
