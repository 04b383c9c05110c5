#include "pipeline/resize.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "pipeline/bilinear.h"
#include "util/error.h"

namespace swaprun::pipeline {

namespace {

// For each output position: the first source index and the weight of the next one.
struct AxisTaps {
    std::vector<int> first;
    std::vector<int> second;
    std::vector<float> weight;
};

AxisTaps axis_taps(int src_size, int dst_size) {
    AxisTaps taps;
    const double scale = static_cast<double>(src_size) / dst_size;
    for (int d = 0; d < dst_size; ++d) {
        double s = (d + 0.5) * scale - 0.5;
        int i0 = static_cast<int>(std::floor(s));
        double w = s - i0;
        if (i0 < 0) {  // before the first centre: the edge pixel
            i0 = 0;
            w = 0;
        }
        if (i0 >= src_size - 1) {  // past the last centre
            i0 = src_size - 1;
            w = 0;
        }
        taps.first.push_back(i0);
        taps.second.push_back(std::min(i0 + 1, src_size - 1));
        taps.weight.push_back(static_cast<float>(w));
    }
    return taps;
}

// Calls `put(x, y, channel, value)` with every pixel of `src` resized to width x height.
template <typename Put>
void for_each_resized(const Image& src, int width, int height, Put put) {
    const AxisTaps xs = axis_taps(src.width(), width);
    const AxisTaps ys = axis_taps(src.height(), height);
    // Rows go to the cores: each value is computed alone, so the result does not depend
    // on how many.
#pragma omp parallel for schedule(static)
    for (int y = 0; y < height; ++y) {
        const uint8_t* row0 = src.pixel(0, ys.first[static_cast<size_t>(y)]);
        const uint8_t* row1 = src.pixel(0, ys.second[static_cast<size_t>(y)]);
        const float wy = ys.weight[static_cast<size_t>(y)];
        for (int x = 0; x < width; ++x) {
            const size_t a = static_cast<size_t>(xs.first[static_cast<size_t>(x)]) * 3;
            const size_t b = static_cast<size_t>(xs.second[static_cast<size_t>(x)]) * 3;
            const float wx = xs.weight[static_cast<size_t>(x)];
            for (size_t c = 0; c < 3; ++c) {
                const float top = row0[a + c] + wx * (row0[b + c] - row0[a + c]);
                const float bottom = row1[a + c] + wx * (row1[b + c] - row1[a + c]);
                put(x, y, c, detail::to_u8(top + wy * (bottom - top)));
            }
        }
    }
}

}  // namespace

Image resize_bilinear(const Image& src, int width, int height) {
    if (src.empty()) throw Error(ErrorKind::InvalidArgument, "resize: the source image is empty");
    Image out(width, height);  // checks the size
    for_each_resized(src, width, height,
                     [&](int x, int y, size_t c, uint8_t v) { out.pixel(x, y)[c] = v; });
    return out;
}

PlanarImage resize_letterbox_planar(const Image& src, int width, int height, int canvas_width,
                                    int canvas_height, Normalization norm) {
    PlanarImage out(canvas_width, canvas_height, kUninitialized);  // checks the canvas size
    resize_letterbox_planar_into(src, width, height, norm, out);
    return out;
}

void resize_letterbox_planar_into(const Image& src, int width, int height, Normalization norm,
                                  PlanarImage& out) {
    const int canvas_width = out.width();
    const int canvas_height = out.height();
    if (src.empty()) throw Error(ErrorKind::InvalidArgument, "resize: the source image is empty");
    if (width <= 0 || height <= 0 || width > canvas_width || height > canvas_height) {
        throw Error(ErrorKind::InvalidArgument,
                    "resize: the resized image must fit in the canvas and be non-empty");
    }
    const std::array<float, 256> level = normalized_levels(norm);
    // The padding right of and below the image, black as insightface pads; the image
    // overwrites the rest.
    const size_t row = static_cast<size_t>(canvas_width);
    for (int c = 0; c < 3; ++c) {
        float* plane = out.plane(c);
        for (int y = 0; y < height; ++y) {
            std::fill(plane + static_cast<size_t>(y) * row + static_cast<size_t>(width),
                      plane + static_cast<size_t>(y + 1) * row, level[0]);
        }
        std::fill(plane + static_cast<size_t>(height) * row, plane + out.plane_size(), level[0]);
    }
    for_each_resized(src, width, height, [&](int x, int y, size_t c, uint8_t v) {
        out.plane(static_cast<int>(c))[static_cast<size_t>(y) * row + static_cast<size_t>(x)] =
            level[v];
    });
}

}  // namespace swaprun::pipeline
