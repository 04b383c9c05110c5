#include "pipeline/image_convert.h"

#include "pipeline/bilinear.h"

namespace swaprun::pipeline {

PlanarImage to_planar(const Image& image, Normalization norm) {
    if (image.empty()) return {};
    PlanarImage out(image.width(), image.height());
    const size_t count = out.plane_size();
    const uint8_t* in = image.data();
    for (int c = 0; c < 3; ++c) {
        float* plane = out.plane(c);
        for (size_t i = 0; i < count; ++i) {
            plane[i] =
                (static_cast<float>(in[i * 3 + static_cast<size_t>(c)]) - norm.mean) / norm.scale;
        }
    }
    return out;
}

Image to_rgb8(const PlanarImage& planar, Normalization norm) {
    if (planar.plane_size() == 0) return {};
    Image out(planar.width(), planar.height());
    const size_t count = planar.plane_size();
    uint8_t* o = out.data();
    for (int c = 0; c < 3; ++c) {
        const float* plane = planar.plane(c);
        for (size_t i = 0; i < count; ++i) {
            o[i * 3 + static_cast<size_t>(c)] = detail::to_u8(plane[i] * norm.scale + norm.mean);
        }
    }
    return out;
}

}  // namespace swaprun::pipeline
