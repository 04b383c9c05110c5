#include "pipeline/image.h"

#include <string>

#include "util/error.h"

namespace swaprun::pipeline {

namespace {

void check_size(int width, int height, const char* what) {
    if (width <= 0 || height <= 0) {
        throw Error(ErrorKind::InvalidArgument,
                    std::string(what) + ": size must be positive, got " + std::to_string(width) +
                        "x" + std::to_string(height));
    }
}

}  // namespace

Image::Image(int width, int height) : width_(width), height_(height) {
    check_size(width, height, "Image");
    pixels_.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * 3, 0);
}

PlanarImage::PlanarImage(int width, int height) : width_(width), height_(height) {
    check_size(width, height, "PlanarImage");
    values_.assign(plane_size() * 3, 0.0f);
}

PlanarImage::PlanarImage(int width, int height, Uninitialized) : width_(width), height_(height) {
    check_size(width, height, "PlanarImage");
    values_.resize(plane_size() * 3);
}

}  // namespace swaprun::pipeline
