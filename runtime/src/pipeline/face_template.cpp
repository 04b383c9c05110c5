#include "pipeline/face_template.h"

#include <string>

#include "util/error.h"

namespace swaprun::pipeline {

FivePoints arcface_template(int crop_size) {
    double ratio = 0.0;
    double shift_x = 0.0;
    if (crop_size > 0 && crop_size % 112 == 0) {
        ratio = crop_size / 112.0;
    } else if (crop_size > 0 && crop_size % 128 == 0) {
        ratio = crop_size / 128.0;
        shift_x = 8.0 * ratio;
    } else {
        throw Error(ErrorKind::InvalidArgument,
                    "face crop size must be a positive multiple of 112 or 128, got " +
                        std::to_string(crop_size));
    }
    FivePoints points = kArcFaceTemplate112;
    for (Point2& p : points) {
        p.x = p.x * ratio + shift_x;
        p.y = p.y * ratio;
    }
    return points;
}

Affine2 align_to_template(const FivePoints& landmarks, int crop_size) {
    const FivePoints dst = arcface_template(crop_size);
    return estimate_similarity(landmarks, dst);
}

}  // namespace swaprun::pipeline
