#include "pipeline/image_convert.h"

#include <cstddef>
#include <cstdint>

#include "pipeline/bilinear.h"

namespace swaprun::pipeline {

std::array<float, 256> normalized_levels(Normalization norm) {
    std::array<float, 256> level;
    for (size_t i = 0; i < level.size(); ++i) {
        level[i] = (static_cast<float>(i) - norm.mean) / norm.scale;
    }
    return level;
}

// Both conversions go row by row over the cores; every value is computed alone, so the
// result does not depend on how many.

PlanarImage to_planar(const Image& image, Normalization norm) {
    PlanarImage out;
    to_planar_into(image, norm, out);
    return out;
}

void to_planar_into(const Image& image, Normalization norm, PlanarImage& out) {
    if (image.empty()) {
        out = {};
        return;
    }
    if (out.width() != image.width() || out.height() != image.height()) {
        out = PlanarImage(image.width(), image.height(), kUninitialized);
    }
    // A look-up instead of a division per value: the division was most of the time.
    const std::array<float, 256> level = normalized_levels(norm);
    const size_t width = static_cast<size_t>(image.width());
    float* const r = out.plane(0);
    float* const g = out.plane(1);
    float* const b = out.plane(2);
#pragma omp parallel for schedule(static)
    for (int y = 0; y < image.height(); ++y) {
        const uint8_t* in = image.pixel(0, y);
        const size_t row = static_cast<size_t>(y) * width;
        for (size_t x = 0; x < width; ++x) {
            r[row + x] = level[in[3 * x]];
            g[row + x] = level[in[3 * x + 1]];
            b[row + x] = level[in[3 * x + 2]];
        }
    }
}

Image to_rgb8(const PlanarImage& planar, Normalization norm) {
    Image out;
    to_rgb8_into(planar, norm, out);
    return out;
}

void to_rgb8_into(const PlanarImage& planar, Normalization norm, Image& out) {
    if (planar.plane_size() == 0) {
        out = {};
        return;
    }
    if (out.width() != planar.width() || out.height() != planar.height()) {
        out = Image(planar.width(), planar.height());
    }
    const size_t width = static_cast<size_t>(planar.width());
    const float* const r = planar.plane(0);
    const float* const g = planar.plane(1);
    const float* const b = planar.plane(2);
#pragma omp parallel for schedule(static)
    for (int y = 0; y < planar.height(); ++y) {
        uint8_t* o = out.pixel(0, y);
        const size_t row = static_cast<size_t>(y) * width;
        for (size_t x = 0; x < width; ++x) {
            o[3 * x] = detail::to_u8(r[row + x] * norm.scale + norm.mean);
            o[3 * x + 1] = detail::to_u8(g[row + x] * norm.scale + norm.mean);
            o[3 * x + 2] = detail::to_u8(b[row + x] * norm.scale + norm.mean);
        }
    }
}

}  // namespace swaprun::pipeline
