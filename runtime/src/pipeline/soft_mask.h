// The feathered blend mask for pasting a generated face back, built once per crop size in
// crop coordinates and warped with the face every frame.
#pragma once

#include <cstddef>
#include <vector>

namespace swaprun::pipeline {

// One float plane of blend weights in [0, 1], row-major.
struct MaskPlane {
    int width = 0;
    int height = 0;
    std::vector<float> weights;

    float at(int x, int y) const {
        return weights[static_cast<size_t>(y) * static_cast<size_t>(width) +
                       static_cast<size_t>(x)];
    }
};

// A crop-sized all-ones mask, eroded and Gaussian-blurred as insightface's paste_back does
// to the warped white crop in the frame: erosion by a k x k square with
// k = max(size/10, 10), then a blur of size 2j+1 with j = max(size/20, 5) and OpenCV's
// default sigma for that size. Here `size` is the crop's (the geometric mean of width and
// height); insightface measures the warped crop in the frame, which differs by the warp's
// scale, so the two agree up to the minimums 10 and 5 (insightface's are frame pixels).
// Outside the crop counts as 0, as the frame around the warped crop does there.
// Throws swaprun::Error (InvalidArgument) for a non-positive size.
MaskPlane make_feathered_mask(int width, int height);

// Weight 1 everywhere: pastes the crop as it is.
MaskPlane make_full_mask(int width, int height);

}  // namespace swaprun::pipeline
