// Affine warps of whole images into face crops (and back).
#pragma once

#include "pipeline/image.h"
#include "pipeline/similarity_transform.h"

namespace swaprun::pipeline {

// The output pixel (x, y) is the bilinear sample of `src` at invert(dst_from_src)(x, y),
// with zero outside `src`: cv2.warpAffine(src, M, (width, height)) with INTER_LINEAR and
// a constant 0 border. cv2 rounds coordinates to 1/32 px and weights to 1/2048 for 8-bit
// images; this uses floats, so 8-bit results can differ from cv2 by one level.
// Throws swaprun::Error (InvalidArgument) for a non-invertible matrix or a bad size.
Image warp_affine(const Image& src, const Affine2& dst_from_src, int width, int height);
// The same into `out`, which gives the size and is overwritten whole: a video's crops
// reuse one buffer instead of faulting in fresh pages every frame.
void warp_affine_into(const Image& src, const Affine2& dst_from_src, Image& out);
PlanarImage warp_affine(const PlanarImage& src, const Affine2& dst_from_src, int width, int height);

}  // namespace swaprun::pipeline
