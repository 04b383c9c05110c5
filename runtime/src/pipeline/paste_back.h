// Putting the generator's face back into the frame: the crop is warped back by the
// inverse of the alignment and blended through a soft mask.
#pragma once

#include "pipeline/image.h"
#include "pipeline/similarity_transform.h"
#include "pipeline/soft_mask.h"

namespace swaprun::pipeline {

// A pixel rectangle, half-open: x0 <= x < x1, y0 <= y < y1.
struct PixelBox {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool empty() const { return x1 <= x0 || y1 <= y0; }
};

// The frame pixels the crop covers: the bounding box of the crop's corner pixels mapped
// into the frame, widened to whole pixels and clipped to the frame.
PixelBox crop_box_in_frame(const Affine2& crop_from_frame, int crop_width, int crop_height,
                           int frame_width, int frame_height);

// For every frame pixel p inside crop_box_in_frame: with q = crop_from_frame(p), the
// crop's colour c and the mask's weight w bilinearly sampled at q (0 outside the crop),
// frame = w * c + (1 - w) * frame, rounded. Pixels outside the box, and those with w = 0,
// are not touched. `crop_from_frame` is the alignment that cut the crop. Returns the box.
// Throws swaprun::Error (InvalidArgument) if the mask and the crop differ in size or the
// transform is not invertible.
PixelBox paste_back(Image& frame, const Image& crop, const MaskPlane& mask,
                    const Affine2& crop_from_frame);

}  // namespace swaprun::pipeline
