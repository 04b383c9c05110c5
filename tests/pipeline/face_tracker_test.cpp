#include "pipeline/face_tracker.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

FaceTrackerOptions detecting_every(int frames) {
    FaceTrackerOptions options;
    options.detect_every = frames;
    return options;
}

FaceTrackerOptions matching_at(float iou) {
    FaceTrackerOptions options;
    options.match_iou = iou;
    return options;
}

// A 200-pixel-wide face whose box's top-left corner is at (x, y), landmarks placed as
// the ArcFace template scales them.
DetectedFace face_at(double x, double y, double size = 200) {
    DetectedFace face;
    face.x1 = static_cast<float>(x);
    face.y1 = static_cast<float>(y);
    face.x2 = static_cast<float>(x + size);
    face.y2 = static_cast<float>(y + size);
    face.score = 0.9f;
    for (int i = 0; i < 5; ++i) {
        face.landmarks[i] = {x + kArcFaceTemplate112[i].x / 112.0 * size,
                             y + kArcFaceTemplate112[i].y / 112.0 * size};
    }
    return face;
}

// Largest distance between corresponding landmarks.
double landmark_error(const DetectedFace& a, const DetectedFace& b) {
    double worst = 0;
    for (int i = 0; i < 5; ++i) {
        worst = std::max(worst, std::hypot(a.landmarks[i].x - b.landmarks[i].x,
                                           a.landmarks[i].y - b.landmarks[i].y));
    }
    return worst;
}

DetectedFace jittered(DetectedFace face, std::mt19937& random, double sigma) {
    std::normal_distribution<double> noise(0.0, sigma);
    for (auto& p : face.landmarks) {
        p.x += noise(random);
        p.y += noise(random);
    }
    return face;
}

TEST(FaceTracker, DetectsEveryNthFrameFromTheFirst) {
    const FaceTracker every5;
    EXPECT_TRUE(every5.is_detection_frame(0));
    for (int f = 1; f < 5; ++f) EXPECT_FALSE(every5.is_detection_frame(f));
    EXPECT_TRUE(every5.is_detection_frame(5));
    EXPECT_TRUE(every5.is_detection_frame(100));
    const FaceTracker every1(detecting_every(1));
    for (int f = 0; f < 4; ++f) EXPECT_TRUE(every1.is_detection_frame(f));
    EXPECT_THROW(FaceTracker(detecting_every(0)), Error);
    EXPECT_THROW(FaceTracker(matching_at(0.0f)), Error);
    EXPECT_THROW(FaceTracker(matching_at(1.5f)), Error);
}

TEST(FaceTracker, BoxIou) {
    EXPECT_FLOAT_EQ(box_iou(face_at(0, 0, 10), face_at(0, 0, 10)), 1.0f);
    EXPECT_FLOAT_EQ(box_iou(face_at(0, 0, 10), face_at(5, 0, 10)), 50.0f / 150.0f);
    EXPECT_FLOAT_EQ(box_iou(face_at(0, 0, 10), face_at(10, 0, 10)), 0.0f);
}

TEST(FaceTracker, AStillFaceJittersLess) {
    // Landmarks with 1.5 px of noise on a still face; detection every 5 frames.
    FaceTracker tracker;
    const DetectedFace truth = face_at(300, 200);
    std::mt19937 random(11);
    double raw_squares = 0, smoothed_squares = 0;
    int samples = 0;
    for (int64_t frame = 0; frame < 5 * 200; frame += 5) {
        const DetectedFace seen = jittered(truth, random, 1.5);
        const auto faces = tracker.update(frame, std::span(&seen, 1));
        ASSERT_EQ(faces.size(), 1u);
        if (frame < 5 * 10) continue;  // the filter settling
        for (int i = 0; i < 5; ++i) {
            raw_squares += std::pow(seen.landmarks[i].x - truth.landmarks[i].x, 2);
            smoothed_squares += std::pow(faces[0].landmarks[i].x - truth.landmarks[i].x, 2);
            ++samples;
        }
    }
    const double raw_rms = std::sqrt(raw_squares / samples);
    const double smoothed_rms = std::sqrt(smoothed_squares / samples);
    // At rest the cutoff stays near min_cutoff: each detection weighs about 0.6, which
    // leaves sqrt(0.6 / 1.4) = 0.65 of the noise; speed noise raises the cutoff a little
    // (measured with this seed: 1.52 -> 1.13 px, 0.74).
    EXPECT_LT(smoothed_rms, 0.8 * raw_rms) << raw_rms << " -> " << smoothed_rms;
    // Between detections a still face stays still.
    const auto later = tracker.predict(5 * 199 + 3);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_LT(landmark_error(later[0], truth), 4.0);
}

TEST(FaceTracker, AMovingFaceIsFollowedBetweenDetections) {
    // 3 px per frame to the right, exact detections every 5 frames.
    for (bool extrapolate : {true, false}) {
        FaceTrackerOptions options;
        options.extrapolate = extrapolate;
        FaceTracker tracker(options);
        double worst_between = 0, worst_at_detection = 0;
        for (int64_t frame = 0; frame < 100; ++frame) {
            const DetectedFace truth = face_at(100 + 3.0 * frame, 150);
            std::vector<DetectedFace> faces;
            if (tracker.is_detection_frame(frame)) {
                faces = tracker.update(frame, std::span(&truth, 1));
            } else {
                faces = tracker.predict(frame);
            }
            ASSERT_EQ(faces.size(), 1u) << frame;
            ASSERT_EQ(tracker.tracks()[0].id, 0) << frame;
            if (frame < 30) continue;  // the speed estimate settling
            const double error = landmark_error(faces[0], truth);
            if (tracker.is_detection_frame(frame)) {
                worst_at_detection = std::max(worst_at_detection, error);
            } else {
                worst_between = std::max(worst_between, error);
            }
        }
        // The cutoff rises with speed (3 px per frame on a 200 px face raises it to about
        // 0.4 cycles per frame), leaving a lag of about 1 px.
        EXPECT_LT(worst_at_detection, 2.0) << extrapolate;
        if (extrapolate) {
            EXPECT_LT(worst_between, 2.5);
        } else {
            EXPECT_GT(worst_between, 12.0);  // held still, 4 frames of 3 px behind
        }
    }
}

TEST(FaceTracker, TwoFacesKeepTheirIdsAndComeLeftToRight) {
    FaceTracker tracker;
    for (int64_t frame = 0; frame <= 50; frame += 5) {
        // The right face is listed first by the detector; both drift down.
        const DetectedFace seen[2] = {face_at(600, 100 + frame), face_at(100, 120 + frame)};
        const auto faces = tracker.update(frame, seen);
        ASSERT_EQ(faces.size(), 2u);
        EXPECT_LT(faces[0].x1, faces[1].x1);
        ASSERT_EQ(tracker.tracks().size(), 2u);
        EXPECT_EQ(tracker.tracks()[0].id, 0);
        EXPECT_NEAR(tracker.tracks()[0].face.x1, 600, 1.0);
        EXPECT_EQ(tracker.tracks()[1].id, 1);
        EXPECT_NEAR(tracker.tracks()[1].face.x1, 100, 1.0);
    }
}

TEST(FaceTracker, FacesAreLostWhenUnmatchedAndNewOnesStartFresh) {
    FaceTracker tracker;
    const DetectedFace a = face_at(100, 100);
    tracker.update(0, std::span(&a, 1));
    tracker.update(5, std::span(&a, 1));
    ASSERT_EQ(tracker.tracks().size(), 1u);
    EXPECT_EQ(tracker.tracks()[0].id, 0);

    // Not detected: lost at once, nothing predicted.
    EXPECT_TRUE(tracker.update(10, {}).empty());
    EXPECT_TRUE(tracker.predict(12).empty());

    // Back again: a new track, at the detection (no smoothing towards the old one).
    const DetectedFace b = face_at(140, 100);
    const auto faces = tracker.update(15, std::span(&b, 1));
    ASSERT_EQ(faces.size(), 1u);
    EXPECT_EQ(tracker.tracks()[0].id, 1);
    EXPECT_LT(landmark_error(faces[0], b), 1e-3);

    // A jump with no overlap is a different face, not a fast move.
    const DetectedFace far = face_at(900, 100);
    const auto jumped = tracker.update(20, std::span(&far, 1));
    ASSERT_EQ(jumped.size(), 1u);
    EXPECT_EQ(tracker.tracks()[0].id, 2);
    EXPECT_LT(landmark_error(jumped[0], far), 1e-3);
}

}  // namespace
}  // namespace swaprun::pipeline
