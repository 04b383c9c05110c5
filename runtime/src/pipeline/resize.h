// Bilinear resizing as cv2.resize(INTER_LINEAR) does it: pixel centres aligned
// (src = (dst + 0.5) * scale - 0.5), samples past the edge clamped to the edge.
#pragma once

#include "pipeline/image.h"

namespace swaprun::pipeline {

// Throws swaprun::Error (InvalidArgument) for an empty source or a non-positive size.
// cv2 computes 8-bit images in fixed point; this uses floats, so results can differ
// from cv2 by one level.
Image resize_bilinear(const Image& src, int width, int height);

}  // namespace swaprun::pipeline
