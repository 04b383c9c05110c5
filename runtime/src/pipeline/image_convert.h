// Conversions between RGB8 frames and the float CHW tensors the models take and give.
#pragma once

#include <array>

#include "pipeline/image.h"

namespace swaprun::pipeline {

// value = (pixel - mean) / scale, per channel, RGB order.
struct Normalization {
    float mean = 0.0f;
    float scale = 255.0f;
};

// The generators' input and output range: [0, 1].
inline constexpr Normalization kUnitRange{0.0f, 255.0f};
// SCRFD detectors: (x - 127.5) / 128.
inline constexpr Normalization kDetectorNormalization{127.5f, 128.0f};
// ArcFace recognizers: (x - 127.5) / 127.5.
inline constexpr Normalization kRecognizerNormalization{127.5f, 127.5f};

PlanarImage to_planar(const Image& image, Normalization norm = kUnitRange);
// The same into `out`, resized (reallocated) only when its size differs from `image`'s.
void to_planar_into(const Image& image, Normalization norm, PlanarImage& out);

// (level - mean) / scale for every 8-bit level, computed exactly as to_planar computes
// each value: a look-up gives the same bits as the division.
std::array<float, 256> normalized_levels(Normalization norm);

// The inverse: pixel = value * scale + mean, rounded to nearest and clamped to 0..255.
Image to_rgb8(const PlanarImage& planar, Normalization norm = kUnitRange);
// The same into `out`, resized (reallocated) only when its size differs from `planar`'s.
void to_rgb8_into(const PlanarImage& planar, Normalization norm, Image& out);

}  // namespace swaprun::pipeline
