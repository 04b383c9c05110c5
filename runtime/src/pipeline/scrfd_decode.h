// Turning SCRFD's raw outputs into faces, as insightface's SCRFD.detect does: decode the
// distance-encoded boxes and keypoints per stride, keep scores above a threshold, undo
// the letterbox scale, suppress overlaps.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "pipeline/face_template.h"

namespace swaprun::pipeline {

struct DetectedFace {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // box in image pixels
    float score = 0;
    FivePoints landmarks;  // insightface order: eyes, nose, mouth corners
};

// How the image was placed in the detector's input: resized by `scale` (keeping its aspect
// ratio) into the top-left corner of an input_width x input_height canvas, the rest zero.
struct Letterbox {
    int resized_width = 0;
    int resized_height = 0;
    float scale = 1.0f;  // input pixels per image pixel
};

// insightface's sizing: the longer side (relative to the input's aspect) fills the input,
// the other is truncated to an integer; scale = resized_height / image_height.
// Throws swaprun::Error (InvalidArgument) for non-positive sizes.
Letterbox scrfd_letterbox(int image_width, int image_height, int input_width = 640,
                          int input_height = 640);

// One stride's outputs for a batch of one. Location (row, col) has anchors_per_location
// anchors, all centred at (col * stride, row * stride); anchor i = (row * width + col) *
// anchors + a. scores: one per anchor; boxes: 4 per anchor (distances left, top, right,
// bottom, in units of the stride); keypoints: 10 per anchor (x, y offsets of the five
// points, in units of the stride). width = input_width / stride, height likewise.
struct ScrfdLevel {
    int stride = 0;
    std::span<const float> scores;
    std::span<const float> boxes;
    std::span<const float> keypoints;
};

struct ScrfdParams {
    int input_width = 640;
    int input_height = 640;
    int anchors_per_location = 2;
    float score_threshold = 0.5f;
    float nms_iou = 0.4f;
};

// Faces in image coordinates, highest score first. Throws swaprun::Error
// (InvalidArgument) naming the stride when an output's size does not match.
std::vector<DetectedFace> decode_scrfd(std::span<const ScrfdLevel> levels,
                                       const Letterbox& letterbox, const ScrfdParams& params = {});

// Greedy non-maximum suppression over faces sorted by descending score: a face is dropped
// when its overlap with a kept one exceeds `iou`. Areas use insightface's inclusive pixel
// convention, (x2 - x1 + 1) * (y2 - y1 + 1).
std::vector<DetectedFace> suppress_overlaps(std::vector<DetectedFace> sorted_faces, float iou);

}  // namespace swaprun::pipeline
