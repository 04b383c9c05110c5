#include "pipeline/soft_mask.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "util/error.h"

namespace swaprun::pipeline {

namespace {

void check_size(int width, int height) {
    if (width <= 0 || height <= 0) {
        throw Error(ErrorKind::InvalidArgument, "mask size must be positive, got " +
                                                    std::to_string(width) + "x" +
                                                    std::to_string(height));
    }
}

// cv2.getGaussianKernel(size, 0): sigma = 0.3 * ((size - 1) / 2 - 1) + 0.8. (OpenCV uses
// fixed tables for sizes up to 7; the sizes here are 11 and up.)
std::vector<float> gaussian_kernel(int size) {
    const double sigma = 0.3 * ((size - 1) * 0.5 - 1.0) + 0.8;
    std::vector<double> k(static_cast<size_t>(size));
    double sum = 0.0;
    for (int i = 0; i < size; ++i) {
        const double d = i - (size - 1) * 0.5;
        k[static_cast<size_t>(i)] = std::exp(-d * d / (2.0 * sigma * sigma));
        sum += k[static_cast<size_t>(i)];
    }
    std::vector<float> out;
    for (double v : k) out.push_back(static_cast<float>(v / sum));
    return out;
}

// One separable pass along x (step 1) or y (step width), zero outside the plane.
std::vector<float> blur_pass(const std::vector<float>& in, int width, int height,
                             const std::vector<float>& kernel, bool along_x) {
    const int radius = static_cast<int>(kernel.size()) / 2;
    std::vector<float> out(in.size(), 0.0f);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            float sum = 0.0f;
            for (int k = -radius; k <= radius; ++k) {
                const int sx = along_x ? x + k : x;
                const int sy = along_x ? y : y + k;
                if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
                sum += kernel[static_cast<size_t>(k + radius)] *
                       in[static_cast<size_t>(sy) * static_cast<size_t>(width) +
                          static_cast<size_t>(sx)];
            }
            out[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] = sum;
        }
    }
    return out;
}

}  // namespace

MaskPlane make_full_mask(int width, int height) {
    check_size(width, height);
    return {width, height,
            std::vector<float>(static_cast<size_t>(width) * static_cast<size_t>(height), 1.0f)};
}

MaskPlane make_feathered_mask(int width, int height) {
    check_size(width, height);
    const int size = static_cast<int>(std::sqrt(static_cast<double>(width) * height));
    const int erode = std::max(size / 10, 10);
    const int blur = 2 * std::max(size / 20, 5) + 1;

    // Erosion of an all-ones rectangle by a k x k square anchored at (k/2, k/2), as
    // cv2.erode places it: a pixel stays 1 when its whole window lies inside the crop.
    const int lo = erode / 2;
    const int hi = erode - 1 - erode / 2;
    std::vector<float> eroded(static_cast<size_t>(width) * static_cast<size_t>(height), 0.0f);
    for (int y = lo; y < height - hi; ++y) {
        for (int x = lo; x < width - hi; ++x) {
            eroded[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] =
                1.0f;
        }
    }
    const std::vector<float> kernel = gaussian_kernel(blur);
    MaskPlane mask{width, height, {}};
    mask.weights =
        blur_pass(blur_pass(eroded, width, height, kernel, true), width, height, kernel, false);
    for (float& w : mask.weights) w = std::clamp(w, 0.0f, 1.0f);
    return mask;
}

}  // namespace swaprun::pipeline
