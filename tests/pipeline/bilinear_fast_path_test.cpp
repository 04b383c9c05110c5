// The warp and the paste-back read the four bilinear taps directly when they lie inside
// the image; these tests hold them to the checked per-tap sampling, bit for bit, on
// rotated and scaled transforms whose samples cover the interior and every border case.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "pipeline/bilinear.h"
#include "pipeline/image_convert.h"
#include "pipeline/paste_back.h"
#include "pipeline/resize.h"
#include "pipeline/warp_affine.h"
#include "util/error.h"

namespace swaprun::pipeline {
namespace {

Image noise(int width, int height, uint32_t seed) {
    Image image(width, height);
    uint32_t state = seed;
    for (size_t i = 0; i < image.size_bytes(); ++i) {
        state = state * 1664525u + 1013904223u;
        image.data()[i] = static_cast<uint8_t>(state >> 24);
    }
    return image;
}

Affine2 rotation_scale(double scale, double angle, double tx, double ty) {
    return {scale * std::cos(angle), -scale * std::sin(angle), tx,
            scale * std::sin(angle), scale * std::cos(angle),  ty};
}

uint8_t round_like_lround(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 255.0f) return 255;
    return static_cast<uint8_t>(std::lround(v));
}

// Every output pixel through the checked sampler and std::lround.
Image reference_warp(const Image& src, const Affine2& dst_from_src, int width, int height) {
    Image out(width, height);
    const Affine2 src_from_dst = invert(dst_from_src);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const Point2 s = src_from_dst.apply({static_cast<double>(x), static_cast<double>(y)});
            const detail::BilinearTaps t = detail::bilinear_taps(s.x, s.y);
            if (!detail::taps_touch(t, src.width(), src.height())) continue;
            for (int c = 0; c < 3; ++c) {
                out.pixel(x, y)[c] = round_like_lround(detail::sample_bilinear(
                    t, src.width(), src.height(),
                    [&](int sx, int sy) { return static_cast<float>(src.pixel(sx, sy)[c]); }));
            }
        }
    }
    return out;
}

void reference_paste(Image& frame, const Image& crop, const MaskPlane& mask,
                     const Affine2& crop_from_frame) {
    const PixelBox box = crop_box_in_frame(crop_from_frame, crop.width(), crop.height(),
                                           frame.width(), frame.height());
    const int cw = crop.width();
    const int ch = crop.height();
    for (int y = box.y0; y < box.y1; ++y) {
        for (int x = box.x0; x < box.x1; ++x) {
            const Point2 q =
                crop_from_frame.apply({static_cast<double>(x), static_cast<double>(y)});
            const detail::BilinearTaps t = detail::bilinear_taps(q.x, q.y);
            if (!detail::taps_touch(t, cw, ch)) continue;
            const float w =
                detail::sample_bilinear(t, cw, ch, [&](int sx, int sy) { return mask.at(sx, sy); });
            if (!(w > 0.0f)) continue;
            uint8_t* f = frame.pixel(x, y);
            for (int c = 0; c < 3; ++c) {
                const float value = detail::sample_bilinear(t, cw, ch, [&](int sx, int sy) {
                    return static_cast<float>(crop.pixel(sx, sy)[c]);
                });
                f[c] = round_like_lround(w * value + (1.0f - w) * static_cast<float>(f[c]));
            }
        }
    }
}

std::vector<uint8_t> bytes(const Image& image) {
    return {image.data(), image.data() + image.size_bytes()};
}

TEST(BilinearFastPath, RoundingMatchesLroundAtEveryHalfAndItsNeighbours) {
    for (int i = 0; i <= 255; ++i) {
        const float half = static_cast<float>(i) + 0.5f;
        for (float v : {half, std::nextafter(half, 0.0f), std::nextafter(half, 256.0f),
                        static_cast<float>(i), std::nextafter(static_cast<float>(i), 0.0f)}) {
            ASSERT_EQ(detail::to_u8(v), round_like_lround(v)) << v;
        }
    }
    EXPECT_EQ(detail::to_u8(1e-30f), 0);
    EXPECT_EQ(detail::to_u8(-3.0f), 0);
    EXPECT_EQ(detail::to_u8(NAN), 0);
    EXPECT_EQ(detail::to_u8(300.0f), 255);
}

TEST(BilinearFastPath, WarpIsBitIdenticalToTheCheckedSampler) {
    const Image src = noise(97, 83, 7);
    // Crops that lie inside, straddle every edge, and leave the image entirely.
    for (const Affine2& m :
         {rotation_scale(1.3, 0.37, -20.0, 5.5), rotation_scale(0.7, -1.1, 40.25, 60.0),
          rotation_scale(2.9, 2.5, 150.0, 30.0), rotation_scale(1.0, 0.0, -300.0, 0.0)}) {
        EXPECT_EQ(bytes(warp_affine(src, m, 128, 128)), bytes(reference_warp(src, m, 128, 128)));
    }
}

TEST(BilinearFastPath, PasteBackIsBitIdenticalToTheCheckedSampler) {
    const Image frame = noise(160, 120, 3);
    const Image crop = noise(64, 64, 11);
    for (const MaskPlane& mask : {make_feathered_mask(64, 64), make_full_mask(64, 64)}) {
        for (const Affine2& m :
             {rotation_scale(0.8, 0.3, -30.0, -10.0), rotation_scale(1.7, -0.9, 20.0, 90.0),
              rotation_scale(0.45, 3.0, 50.0, 40.0)}) {
            Image fast = frame;
            Image reference = frame;
            paste_back(fast, crop, mask, m);
            reference_paste(reference, crop, mask, m);
            EXPECT_EQ(bytes(fast), bytes(reference));
            EXPECT_NE(bytes(fast), bytes(frame));  // the paste did change something
        }
    }
}

// A stream's sizes: a 512 crop out of a 720p frame and pasted back, through the vector
// loops' full groups and remainders. Every value rounded is a fresh chance to catch a
// product fused into its add (one rounding instead of two) or a rounding off by a half.
TEST(BilinearFastPath, WarpOfAFaceCropIsBitIdentical) {
    const Image frame = noise(1280, 720, 13);
    for (const Affine2& m :
         {rotation_scale(2.1, 0.12, -1050.0, -400.0), rotation_scale(1.7, -0.8, -600.0, 600.0)}) {
        EXPECT_EQ(bytes(warp_affine(frame, m, 512, 512)),
                  bytes(reference_warp(frame, m, 512, 512)));
    }
}

// The paste's blend alone: a whole-pixel shift puts every tap's weight at 0, so each frame
// pixel mixes one crop pixel by one mask weight, and the weights here take every value in
// [-0.05, 1.05): zero and negative ones leave the frame as it was.
TEST(BilinearFastPath, PasteBackBlendIsBitIdenticalForEveryWeight) {
    const Image frame = noise(700, 560, 17);
    const Image crop = noise(512, 512, 19);
    MaskPlane mask = make_full_mask(512, 512);
    uint32_t state = 23;
    for (float& w : mask.weights) {
        state = state * 1664525u + 1013904223u;
        w = -0.05f + 1.1f * static_cast<float>(state >> 8) / 16777216.0f;
    }
    for (const Affine2& m :
         {rotation_scale(1.0, 0.0, -90.0, -20.0), rotation_scale(0.93, 0.21, -60.0, -40.0)}) {
        Image fast = frame;
        Image reference = frame;
        paste_back(fast, crop, mask, m);
        reference_paste(reference, crop, mask, m);
        EXPECT_EQ(bytes(fast), bytes(reference));
    }
}

TEST(BilinearFastPath, LetterboxResizeEqualsResizePadAndNormalize) {
    const Image src = noise(211, 117, 5);
    for (const auto& [w, h] : {std::pair{160, 89}, std::pair{100, 30}, std::pair{160, 120}}) {
        Image canvas(160, 120);
        const Image resized = resize_bilinear(src, w, h);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                for (int c = 0; c < 3; ++c) canvas.pixel(x, y)[c] = resized.pixel(x, y)[c];
        const PlanarImage want = to_planar(canvas, kDetectorNormalization);
        const PlanarImage got =
            resize_letterbox_planar(src, w, h, 160, 120, kDetectorNormalization);
        ASSERT_EQ(got.plane_size(), want.plane_size());
        EXPECT_EQ(std::vector<float>(got.data(), got.data() + 3 * got.plane_size()),
                  std::vector<float>(want.data(), want.data() + 3 * want.plane_size()));
    }
    EXPECT_THROW(resize_letterbox_planar(src, 161, 10, 160, 120, kDetectorNormalization), Error);
    EXPECT_THROW(resize_letterbox_planar(src, 0, 10, 160, 120, kDetectorNormalization), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
