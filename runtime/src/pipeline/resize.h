// Bilinear resizing as cv2.resize(INTER_LINEAR) does it: pixel centres aligned
// (src = (dst + 0.5) * scale - 0.5), samples past the edge clamped to the edge.
#pragma once

#include "pipeline/image.h"
#include "pipeline/image_convert.h"

namespace swaprun::pipeline {

// Throws swaprun::Error (InvalidArgument) for an empty source or a non-positive size.
// cv2 computes 8-bit images in fixed point; this uses floats, so results can differ
// from cv2 by one level.
Image resize_bilinear(const Image& src, int width, int height);

// The detector's input in one pass: `src` resized to width x height as resize_bilinear
// does, placed at the top-left of a black canvas_width x canvas_height canvas and
// normalized as to_planar does; the same values as those three steps, without the two
// intermediate images. Throws swaprun::Error (InvalidArgument) for an empty source or a
// size that is not positive or does not fit in the canvas.
PlanarImage resize_letterbox_planar(const Image& src, int width, int height, int canvas_width,
                                    int canvas_height, Normalization norm);
// The same into `canvas`, whose size is the canvas's and which is overwritten whole.
void resize_letterbox_planar_into(const Image& src, int width, int height, Normalization norm,
                                  PlanarImage& canvas);

}  // namespace swaprun::pipeline
