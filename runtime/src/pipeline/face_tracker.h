// Faces followed through a video with the detector run only every N frames.
//
// On a detection frame the new detections are matched to the tracked faces by box overlap
// (IoU against where each track was predicted to be), greedily from the best overlap;
// a matched face's landmarks and box go through One-Euro filters (less jitter at rest,
// little lag in motion), an unmatched detection starts a new track, and a track with no
// detection is dropped (the face left or was lost). Between detection frames each face
// is moved by the filters' speed estimate, at most N frames ahead.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pipeline/one_euro_filter.h"
#include "pipeline/scrfd_decode.h"

namespace swaprun::pipeline {

struct FaceTrackerOptions {
    int detect_every = 5;     // detection on frames 0, N, 2N, ... (1: every frame)
    float match_iou = 0.3f;   // least overlap for a detection to continue a track
    bool extrapolate = true;  // move faces by their speed between detections
    OneEuroSettings smoothing;
};

struct TrackedFace {
    int id = 0;               // stable while the face is tracked; new faces get new ids
    DetectedFace face;        // smoothed box and landmarks, the last detection's score
    int64_t detected_at = 0;  // the frame of the last detection that matched it
};

class FaceTracker {
  public:
    // Throws swaprun::Error (InvalidArgument) for detect_every < 1 or match_iou outside
    // (0, 1].
    explicit FaceTracker(const FaceTrackerOptions& options = {});

    // Whether the detector should run on frame `frame` (counting from 0).
    bool is_detection_frame(int64_t frame) const;

    // The detector's faces on frame `frame`: matched, smoothed, started or dropped as
    // described above. Returns the tracked faces, left to right by box.
    std::vector<DetectedFace> update(int64_t frame, std::span<const DetectedFace> detections);

    // The tracked faces as predicted for frame `frame` (at or after the last update),
    // left to right by box.
    std::vector<DetectedFace> predict(int64_t frame) const;

    const std::vector<TrackedFace>& tracks() const { return tracks_; }

  private:
    struct Filters {
        OneEuroFilter box[4];
        OneEuroFilter points[10];
    };
    DetectedFace predicted(size_t track, int64_t frame) const;

    FaceTrackerOptions options_;
    std::vector<TrackedFace> tracks_;
    std::vector<Filters> filters_;  // one per track
    int next_id_ = 0;
};

// Intersection over union of two boxes (continuous areas); 0 when either is empty.
float box_iou(const DetectedFace& a, const DetectedFace& b);

}  // namespace swaprun::pipeline
