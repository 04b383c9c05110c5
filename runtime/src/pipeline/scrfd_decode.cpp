#include "pipeline/scrfd_decode.h"

#include <algorithm>
#include <string>

#include "util/error.h"

namespace swaprun::pipeline {

namespace {

void check_level(const ScrfdLevel& level, size_t anchors) {
    auto fail = [&](const char* what, size_t got, size_t want) {
        throw Error(ErrorKind::InvalidArgument, "SCRFD stride " + std::to_string(level.stride) +
                                                    ": " + what + " has " + std::to_string(got) +
                                                    " values, expected " + std::to_string(want));
    };
    if (level.scores.size() != anchors) fail("scores", level.scores.size(), anchors);
    if (level.boxes.size() != anchors * 4) fail("boxes", level.boxes.size(), anchors * 4);
    if (level.keypoints.size() != anchors * 10) {
        fail("keypoints", level.keypoints.size(), anchors * 10);
    }
}

float inclusive_area(const DetectedFace& f) { return (f.x2 - f.x1 + 1) * (f.y2 - f.y1 + 1); }

}  // namespace

Letterbox scrfd_letterbox(int image_width, int image_height, int input_width, int input_height) {
    if (image_width <= 0 || image_height <= 0 || input_width <= 0 || input_height <= 0) {
        throw Error(ErrorKind::InvalidArgument, "SCRFD letterbox: sizes must be positive");
    }
    const double image_ratio = static_cast<double>(image_height) / image_width;
    const double input_ratio = static_cast<double>(input_height) / input_width;
    Letterbox box;
    if (image_ratio > input_ratio) {
        box.resized_height = input_height;
        box.resized_width = static_cast<int>(box.resized_height / image_ratio);
    } else {
        box.resized_width = input_width;
        box.resized_height = static_cast<int>(box.resized_width * image_ratio);
    }
    box.resized_width = std::max(box.resized_width, 1);
    box.resized_height = std::max(box.resized_height, 1);
    box.scale = static_cast<float>(static_cast<double>(box.resized_height) / image_height);
    return box;
}

std::vector<DetectedFace> decode_scrfd(std::span<const ScrfdLevel> levels,
                                       const Letterbox& letterbox, const ScrfdParams& params) {
    if (!(letterbox.scale > 0.0f) || params.anchors_per_location <= 0) {
        throw Error(ErrorKind::InvalidArgument, "SCRFD decode: bad letterbox scale or anchors");
    }
    std::vector<DetectedFace> faces;
    for (const ScrfdLevel& level : levels) {
        if (level.stride <= 0) {
            throw Error(ErrorKind::InvalidArgument, "SCRFD decode: stride must be positive, got " +
                                                        std::to_string(level.stride));
        }
        const int width = params.input_width / level.stride;
        const int height = params.input_height / level.stride;
        const size_t per_location = static_cast<size_t>(params.anchors_per_location);
        check_level(level, static_cast<size_t>(width) * static_cast<size_t>(height) * per_location);
        const float stride = static_cast<float>(level.stride);
        for (size_t i = 0; i < level.scores.size(); ++i) {
            const float score = level.scores[i];
            // insightface keeps scores >= threshold; NaN fails the comparison and is dropped.
            if (!(score >= params.score_threshold)) continue;
            const size_t location = i / per_location;
            const float cx = static_cast<float>(location % static_cast<size_t>(width)) * stride;
            const float cy = static_cast<float>(location / static_cast<size_t>(width)) * stride;
            const float* d = level.boxes.data() + i * 4;
            const float* k = level.keypoints.data() + i * 10;
            DetectedFace face;
            face.score = score;
            face.x1 = (cx - d[0] * stride) / letterbox.scale;
            face.y1 = (cy - d[1] * stride) / letterbox.scale;
            face.x2 = (cx + d[2] * stride) / letterbox.scale;
            face.y2 = (cy + d[3] * stride) / letterbox.scale;
            for (size_t p = 0; p < 5; ++p) {
                face.landmarks[p].x = (cx + k[2 * p] * stride) / letterbox.scale;
                face.landmarks[p].y = (cy + k[2 * p + 1] * stride) / letterbox.scale;
            }
            faces.push_back(face);
        }
    }
    // Stable, so equal scores keep the stride-then-anchor order they were found in.
    std::stable_sort(faces.begin(), faces.end(), [](const DetectedFace& a, const DetectedFace& b) {
        return a.score > b.score;
    });
    return suppress_overlaps(std::move(faces), params.nms_iou);
}

std::vector<DetectedFace> suppress_overlaps(std::vector<DetectedFace> sorted_faces, float iou) {
    std::vector<DetectedFace> kept;
    for (const DetectedFace& face : sorted_faces) {
        bool suppressed = false;
        for (const DetectedFace& k : kept) {
            const float w = std::max(0.0f, std::min(face.x2, k.x2) - std::max(face.x1, k.x1) + 1);
            const float h = std::max(0.0f, std::min(face.y2, k.y2) - std::max(face.y1, k.y1) + 1);
            const float inter = w * h;
            if (inter / (inclusive_area(face) + inclusive_area(k) - inter) > iou) {
                suppressed = true;
                break;
            }
        }
        if (!suppressed) kept.push_back(face);
    }
    return kept;
}

}  // namespace swaprun::pipeline
