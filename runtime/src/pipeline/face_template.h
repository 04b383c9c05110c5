// The five-point ArcFace alignment template and the crops the models take.
#pragma once

#include <array>
#include <span>

#include "pipeline/similarity_transform.h"

namespace swaprun::pipeline {

using FivePoints = std::array<Point2, 5>;

// Left eye, right eye, nose tip, left and right mouth corner, for a 112x112 crop
// (insightface's arcface_dst).
inline constexpr FivePoints kArcFaceTemplate112 = {{{38.2946, 51.6963},
                                                    {73.5318, 51.5014},
                                                    {56.0252, 71.7366},
                                                    {41.5493, 92.3655},
                                                    {70.7299, 92.2041}}};

// The template for a square crop of `crop_size`, as insightface's estimate_norm scales
// it: multiples of 112 scale by size/112; multiples of 128 (inswapper's 128, the live
// models' 512) scale by size/128 and shift x by 8*size/128. Throws swaprun::Error
// (InvalidArgument) for other sizes.
FivePoints arcface_template(int crop_size);

// The similarity taking frame coordinates to crop coordinates for these landmarks.
Affine2 align_to_template(const FivePoints& landmarks, int crop_size);

}  // namespace swaprun::pipeline
