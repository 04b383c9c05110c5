#include "pipeline/scrfd_decode.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace swaprun::pipeline {
namespace {

// One stride's output maps for a 640x640 input, all scores zero until set.
struct LevelMaps {
    explicit LevelMaps(int stride_)
        : stride(stride_),
          width(640 / stride_),
          scores(static_cast<size_t>(width * width * 2), 0.0f),
          boxes(scores.size() * 4, 0.0f),
          keypoints(scores.size() * 10, 0.0f) {}

    // A face at anchor `a` of (row, col); distances and offsets in input pixels.
    void put(int row, int col, int a, float score, std::array<float, 4> distances,
             std::array<float, 10> offsets = {}) {
        const size_t i = static_cast<size_t>((row * width + col) * 2 + a);
        scores[i] = score;
        for (size_t k = 0; k < 4; ++k) boxes[i * 4 + k] = distances[k] / static_cast<float>(stride);
        for (size_t k = 0; k < 10; ++k)
            keypoints[i * 10 + k] = offsets[k] / static_cast<float>(stride);
    }

    ScrfdLevel level() const { return {stride, scores, boxes, keypoints}; }

    int stride;
    int width;
    std::vector<float> scores, boxes, keypoints;
};

std::vector<DetectedFace> decode(const LevelMaps& s8, const LevelMaps& s16, const LevelMaps& s32,
                                 float scale) {
    const ScrfdLevel levels[3] = {s8.level(), s16.level(), s32.level()};
    Letterbox box;
    box.scale = scale;
    return decode_scrfd(levels, box);
}

TEST(ScrfdDecode, AKnownFaceComesOutInImageCoordinates) {
    LevelMaps s8(8), s16(16), s32(32);
    // Anchor centre (col 12, row 10) * 16 = (192, 160).
    s16.put(10, 12, 1, 0.9f, {32, 48, 64, 80}, {-10, -20, 10, -20, 0, 0, -8, 15, 8, 15});
    const auto faces = decode(s8, s16, s32, 0.5f);
    ASSERT_EQ(faces.size(), 1u);
    const DetectedFace& f = faces[0];
    EXPECT_FLOAT_EQ(f.score, 0.9f);
    // Input box (160, 112, 256, 240), divided by the letterbox scale 0.5.
    EXPECT_FLOAT_EQ(f.x1, 320);
    EXPECT_FLOAT_EQ(f.y1, 224);
    EXPECT_FLOAT_EQ(f.x2, 512);
    EXPECT_FLOAT_EQ(f.y2, 480);
    EXPECT_DOUBLE_EQ(f.landmarks[0].x, 364);  // (192 - 10) / 0.5
    EXPECT_DOUBLE_EQ(f.landmarks[0].y, 280);  // (160 - 20) / 0.5
    EXPECT_DOUBLE_EQ(f.landmarks[2].x, 384);
    EXPECT_DOUBLE_EQ(f.landmarks[4].y, 350);  // (160 + 15) / 0.5
}

TEST(ScrfdDecode, ThresholdIsInclusive) {
    LevelMaps s8(8), s16(16), s32(32);
    s8.put(5, 5, 0, 0.5f, {8, 8, 8, 8});
    s8.put(40, 40, 0, 0.4999f, {8, 8, 8, 8});
    s32.put(2, 2, 1, 0.2f, {30, 30, 30, 30});
    const auto faces = decode(s8, s16, s32, 1.0f);
    ASSERT_EQ(faces.size(), 1u);
    EXPECT_FLOAT_EQ(faces[0].x1, 32);
}

TEST(ScrfdDecode, OverlapsAreSuppressedAndFacesSortedByScore) {
    LevelMaps s8(8), s16(16), s32(32);
    // The same face seen by strides 8 and 16 and by both anchors: one survives.
    s8.put(20, 20, 0, 0.80f, {40, 40, 40, 40});   // (120,120)-(200,200)
    s8.put(20, 20, 1, 0.85f, {40, 40, 40, 40});   // identical
    s16.put(10, 10, 0, 0.95f, {42, 38, 40, 40});  // (118,122)-(200,200)
    // A second face apart from it, and one overlapping it only a little (IoU < 0.4).
    s32.put(12, 12, 0, 0.70f, {50, 50, 50, 50});  // (334,334)-(434,434)
    s8.put(25, 30, 0, 0.90f, {45, 30, 30, 30});   // (195,170)-(270,230)
    const auto faces = decode(s8, s16, s32, 1.0f);
    ASSERT_EQ(faces.size(), 3u);
    EXPECT_FLOAT_EQ(faces[0].score, 0.95f);
    EXPECT_FLOAT_EQ(faces[0].x1, 118);
    EXPECT_FLOAT_EQ(faces[1].score, 0.90f);
    EXPECT_FLOAT_EQ(faces[2].score, 0.70f);
}

TEST(ScrfdDecode, NmsUsesInclusiveAreasAndTheIouBound) {
    // Boxes of 10x10 inclusive pixels overlapping in 10x5: IoU = 50 / 150 = 1/3.
    DetectedFace a, b;
    a.score = 0.9f;
    a.x1 = 0;
    a.y1 = 0;
    a.x2 = 9;
    a.y2 = 9;
    b = a;
    b.score = 0.8f;
    b.y1 = 5;
    b.y2 = 14;
    EXPECT_EQ(suppress_overlaps({a, b}, 0.4f).size(), 2u);
    EXPECT_EQ(suppress_overlaps({a, b}, 0.33f).size(), 1u);
}

TEST(ScrfdDecode, LetterboxMatchesInsightface) {
    const Letterbox wide = scrfd_letterbox(1280, 720);
    EXPECT_EQ(wide.resized_width, 640);
    EXPECT_EQ(wide.resized_height, 360);
    EXPECT_FLOAT_EQ(wide.scale, 0.5f);
    const Letterbox tall = scrfd_letterbox(720, 1280);
    EXPECT_EQ(tall.resized_width, 360);
    EXPECT_EQ(tall.resized_height, 640);
    EXPECT_FLOAT_EQ(tall.scale, 0.5f);
    const Letterbox odd = scrfd_letterbox(1000, 600);  // height int(640 * 0.6) = 384
    EXPECT_EQ(odd.resized_height, 384);
    EXPECT_FLOAT_EQ(odd.scale, 0.64f);
    const Letterbox small = scrfd_letterbox(320, 320);
    EXPECT_FLOAT_EQ(small.scale, 2.0f);
    EXPECT_THROW(scrfd_letterbox(0, 10), Error);
}

TEST(ScrfdDecode, MismatchedOutputsNameTheStride) {
    LevelMaps s16(16);
    s16.boxes.pop_back();
    const ScrfdLevel levels[1] = {s16.level()};
    try {
        decode_scrfd(levels, Letterbox{640, 640, 1.0f});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("stride 16: boxes"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace swaprun::pipeline
