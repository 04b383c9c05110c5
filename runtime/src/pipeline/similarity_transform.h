// 2-D affine maps and the least-squares similarity fit that aligns five facial points to
// the ArcFace template.
#pragma once

#include <span>

namespace swaprun::pipeline {

struct Point2 {
    double x = 0.0;
    double y = 0.0;
};

// x' = a*x + b*y + c,  y' = d*x + e*y + f: the 2x3 matrix that cv2.warpAffine takes.
struct Affine2 {
    double a = 1.0, b = 0.0, c = 0.0;
    double d = 0.0, e = 1.0, f = 0.0;

    Point2 apply(Point2 p) const { return {a * p.x + b * p.y + c, d * p.x + e * p.y + f}; }
};

// The inverse map, as cv2.invertAffineTransform. Throws swaprun::Error (InvalidArgument)
// if the linear part is singular.
Affine2 invert(const Affine2& m);

// The rotation + uniform scale + translation minimising sum |M*src_i - dst_i|^2: Umeyama's
// method exactly as skimage's SimilarityTransform.estimate computes it, including its
// choice of a proper rotation when the point sets are mirrored. Throws swaprun::Error
// (InvalidArgument) for fewer than two points, different counts, or a degenerate set
// (all source points equal, or no rotation+scale fits at all: skimage returns NaN or a
// singular matrix there).
Affine2 estimate_similarity(std::span<const Point2> src, std::span<const Point2> dst);

}  // namespace swaprun::pipeline
