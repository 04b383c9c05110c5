// Reading and writing image files. Reading goes through stb_image (PNG, JPEG, BMP, TGA and
// the other formats it knows); writing produces PNG or JPEG, atomically: the target is
// either left as it was or replaced by the complete new file.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "pipeline/image.h"
#include "util/limits.h"

namespace swaprun::pipeline {

struct ImageLimits {
    // Checked against the file's header before any pixel is decoded, so a hostile header
    // cannot make the decoder allocate without bound. 64 Mpx is above 8K video frames.
    uint64_t max_pixels = limits::kDefaultMaxImagePixels;
};

// Decodes any supported file to RGB8 (grey and alpha are converted / dropped). Throws
// swaprun::Error naming `path`: Io if it cannot be opened, Format if it is not a readable
// image, InvalidArgument if it is larger than `limits` allow.
Image load_image(const std::string& path, const ImageLimits& limits = {});
// The same for a file's bytes already in memory; `path` names them in messages.
Image decode_image(std::span<const uint8_t> bytes, const std::string& path,
                   const ImageLimits& limits = {});

// Write `image` to `path` via a temporary file in the same directory and a rename.
// Throws swaprun::Error (Io or InvalidArgument) naming `path`; nothing is left on failure.
void save_png(const std::string& path, const Image& image);
// `quality` is 1..100, as for libjpeg.
void save_jpeg(const std::string& path, const Image& image, int quality = 95);

}  // namespace swaprun::pipeline
