#include "pipeline/face_tracker.h"

#include <algorithm>
#include <tuple>

#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

std::vector<DetectedFace> left_to_right(std::vector<DetectedFace> faces) {
    std::stable_sort(faces.begin(), faces.end(),
                     [](const DetectedFace& a, const DetectedFace& b) { return a.x1 < b.x1; });
    return faces;
}

// The size speeds are measured against: the face's box width (at least a pixel).
double scale_of(const DetectedFace& face) { return std::max(1.0f, face.x2 - face.x1); }

}  // namespace

float box_iou(const DetectedFace& a, const DetectedFace& b) {
    const float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
    const float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
    if (iw <= 0 || ih <= 0) return 0.0f;
    const float inter = iw * ih;
    const float uni = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
    return uni > 0 ? inter / uni : 0.0f;
}

FaceTracker::FaceTracker(const FaceTrackerOptions& options) : options_(options) {
    if (options_.detect_every < 1) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("face tracker: detect every ", options_.detect_every,
                            " frames: must be at least 1"));
    }
    if (!(options_.match_iou > 0.0f && options_.match_iou <= 1.0f)) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("face tracker: match IoU ", options_.match_iou, " must be in (0, 1]"));
    }
}

bool FaceTracker::is_detection_frame(int64_t frame) const {
    return frame % options_.detect_every == 0;
}

DetectedFace FaceTracker::predicted(size_t track, int64_t frame) const {
    DetectedFace face = tracks_[track].face;
    if (!options_.extrapolate) return face;
    const double ahead = static_cast<double>(
        std::clamp<int64_t>(frame - tracks_[track].detected_at, 0, options_.detect_every));
    const Filters& f = filters_[track];
    float* box[4] = {&face.x1, &face.y1, &face.x2, &face.y2};
    for (int i = 0; i < 4; ++i) *box[i] += static_cast<float>(f.box[i].speed() * ahead);
    for (int i = 0; i < 5; ++i) {
        face.landmarks[i].x += f.points[2 * i].speed() * ahead;
        face.landmarks[i].y += f.points[2 * i + 1].speed() * ahead;
    }
    return face;
}

std::vector<DetectedFace> FaceTracker::update(int64_t frame,
                                              std::span<const DetectedFace> detections) {
    // Every (track, detection) pair that overlaps enough, best overlap first.
    std::vector<std::tuple<float, size_t, size_t>> pairs;
    for (size_t t = 0; t < tracks_.size(); ++t) {
        const DetectedFace expected = predicted(t, frame);
        for (size_t d = 0; d < detections.size(); ++d) {
            const float iou = box_iou(expected, detections[d]);
            if (iou >= options_.match_iou) pairs.emplace_back(iou, t, d);
        }
    }
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
    std::vector<int> detection_of(tracks_.size(), -1);
    std::vector<bool> used(detections.size(), false);
    for (const auto& [iou, t, d] : pairs) {
        if (detection_of[t] >= 0 || used[d]) continue;
        detection_of[t] = static_cast<int>(d);
        used[d] = true;
    }

    std::vector<TrackedFace> tracks;
    std::vector<Filters> filters;
    for (size_t t = 0; t < tracks_.size(); ++t) {
        if (detection_of[t] < 0) continue;  // lost
        const DetectedFace& seen = detections[static_cast<size_t>(detection_of[t])];
        TrackedFace track = tracks_[t];
        Filters f = filters_[t];
        const double dt = static_cast<double>(std::max<int64_t>(frame - track.detected_at, 1));
        const double scale = scale_of(seen);
        const float raw_box[4] = {seen.x1, seen.y1, seen.x2, seen.y2};
        float* box[4] = {&track.face.x1, &track.face.y1, &track.face.x2, &track.face.y2};
        for (int i = 0; i < 4; ++i) {
            *box[i] =
                static_cast<float>(f.box[i].filter(raw_box[i], dt, scale, options_.smoothing));
        }
        for (int i = 0; i < 5; ++i) {
            track.face.landmarks[i].x =
                f.points[2 * i].filter(seen.landmarks[i].x, dt, scale, options_.smoothing);
            track.face.landmarks[i].y =
                f.points[2 * i + 1].filter(seen.landmarks[i].y, dt, scale, options_.smoothing);
        }
        track.face.score = seen.score;
        track.detected_at = frame;
        tracks.push_back(track);
        filters.push_back(f);
    }
    for (size_t d = 0; d < detections.size(); ++d) {
        if (used[d]) continue;
        TrackedFace track{next_id_++, detections[d], frame};
        Filters f;
        const double scale = scale_of(detections[d]);
        const float raw_box[4] = {track.face.x1, track.face.y1, track.face.x2, track.face.y2};
        for (int i = 0; i < 4; ++i) f.box[i].filter(raw_box[i], 1.0, scale, options_.smoothing);
        for (int i = 0; i < 5; ++i) {
            f.points[2 * i].filter(track.face.landmarks[i].x, 1.0, scale, options_.smoothing);
            f.points[2 * i + 1].filter(track.face.landmarks[i].y, 1.0, scale, options_.smoothing);
        }
        tracks.push_back(track);
        filters.push_back(f);
    }
    tracks_ = std::move(tracks);
    filters_ = std::move(filters);
    return predict(frame);
}

std::vector<DetectedFace> FaceTracker::predict(int64_t frame) const {
    std::vector<DetectedFace> faces;
    for (size_t t = 0; t < tracks_.size(); ++t) faces.push_back(predicted(t, frame));
    return left_to_right(std::move(faces));
}

}  // namespace swaprun::pipeline
