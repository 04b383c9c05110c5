// The whole face pipeline on the sample portrait, with small seeded models in the three
// roles: what changes, what must not, pixel boost, face selection, detection plumbing.
#include "pipeline/face_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "pipeline/face_swapper.h"
#include "pipeline/image_io.h"
#include "pipeline/pixel_boost.h"
#include "synthetic_models.h"
#include "util/error.h"

namespace swaprun::pipeline {
namespace {

using testing::astronaut_landmarks;

// Pixels that differ between a and b, and whether all of them lie inside `box`.
struct Difference {
    size_t changed = 0;
    size_t outside = 0;
};

Difference compare(const Image& a, const Image& b, const PixelBox& box) {
    Difference d;
    for (int y = 0; y < a.height(); ++y) {
        for (int x = 0; x < a.width(); ++x) {
            if (!std::equal(a.pixel(x, y), a.pixel(x, y) + 3, b.pixel(x, y))) {
                ++d.changed;
                if (x < box.x0 || x >= box.x1 || y < box.y0 || y >= box.y1) ++d.outside;
            }
        }
    }
    return d;
}

Image mirrored(const Image& image) {
    Image out(image.width(), image.height());
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            std::copy(image.pixel(image.width() - 1 - x, y),
                      image.pixel(image.width() - 1 - x, y) + 3, out.pixel(x, y));
        }
    }
    return out;
}

// A mirrored face's points, in insightface order (left/right as seen swap).
FivePoints mirrored(const FivePoints& p, int width) {
    auto m = [&](const Point2& q) { return Point2{width - 1 - q.x, q.y}; };
    return {m(p[1]), m(p[0]), m(p[2]), m(p[4]), m(p[3])};
}

// Two copies of the portrait side by side: the right one mirrored.
Image two_faces(const Image& portrait) {
    const Image flipped = mirrored(portrait);
    Image out(portrait.width() * 2, portrait.height());
    for (int y = 0; y < portrait.height(); ++y) {
        std::copy(portrait.pixel(0, y), portrait.pixel(0, y) + portrait.stride(), out.pixel(0, y));
        std::copy(flipped.pixel(0, y), flipped.pixel(0, y) + flipped.stride(),
                  out.pixel(portrait.width(), y));
    }
    return out;
}

FivePoints shifted(FivePoints p, double dx) {
    for (Point2& q : p) q.x += dx;
    return p;
}

class FacePipelineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        portrait = load_image("data/astronaut.png");
        landmarks = astronaut_landmarks();
        models.recognizer = testing::small_recognizer(dir.file("recognizer.swpk"));
        models.swapper = testing::per_pixel_swapper(dir.file("swapper_128.swpk"), 128);
    }

    testkit::TempDir dir;
    Image portrait;
    FivePoints landmarks;
    FaceModels models;
};

TEST_F(FacePipelineTest, SwapChangesTheFaceAndNothingOutsideItsBox) {
    PipelineOptions options;
    options.backend.threads = 1;
    FacePipeline pipeline(models, options);
    EXPECT_FALSE(pipeline.has_source());
    pipeline.set_source(mirrored(portrait), mirrored(landmarks, portrait.width()));
    ASSERT_TRUE(pipeline.has_source());
    EXPECT_EQ(pipeline.source_embedding().size(), 512u);

    Image frame = portrait;
    const std::vector<DetectedFace> faces = {face_from_landmarks(landmarks)};
    const std::vector<SwappedFace> swapped = pipeline.process(frame, faces);
    ASSERT_EQ(swapped.size(), 1u);
    ASSERT_EQ(frame.width(), portrait.width());
    ASSERT_EQ(frame.height(), portrait.height());

    const Affine2 m = align_to_template(landmarks, 128);
    const PixelBox box = crop_box_in_frame(m, 128, 128, frame.width(), frame.height());
    const Difference d = compare(portrait, frame, box);
    EXPECT_EQ(d.outside, 0u) << "pixels changed outside the pasted box";
    // The box is about 100x100 px around the face; most of its inside must have changed
    // (the generator recolours every pixel it sees; the feathered edge keeps some).
    const size_t box_area = static_cast<size_t>(box.x1 - box.x0) * (box.y1 - box.y0);
    EXPECT_GT(d.changed, box_area / 4)
        << "box " << box.x0 << "," << box.y0 << " " << box.x1 << "," << box.y1;
    // The nose tip is in the fully weighted centre of the mask: changed.
    const int nx = static_cast<int>(landmarks[2].x), ny = static_cast<int>(landmarks[2].y);
    EXPECT_FALSE(std::equal(frame.pixel(nx, ny), frame.pixel(nx, ny) + 3, portrait.pixel(nx, ny)));

    const StageTimes& times = pipeline.stage_times();
    EXPECT_EQ(times.embeddings, 1);  // the source, once
    EXPECT_EQ(times.swaps, 1);
    EXPECT_EQ(times.detections, 0);  // landmarks were given
    EXPECT_GT(times.generator_ms, 0.0);
    EXPECT_GT(times.paste_ms, 0.0);
    pipeline.reset_stage_times();
    EXPECT_EQ(pipeline.stage_times().swaps, 0);
    EXPECT_EQ(pipeline.stage_times().generator_ms, 0.0);
}

TEST_F(FacePipelineTest, AnotherSourceGivesAnotherResult) {
    FacePipeline pipeline(models, {});
    pipeline.set_source(portrait, landmarks);
    Image a = portrait;
    pipeline.swap_face(a, landmarks);
    pipeline.set_source(mirrored(portrait), mirrored(landmarks, portrait.width()));
    Image b = portrait;
    pipeline.swap_face(b, landmarks);
    const PixelBox everything{0, 0, a.width(), a.height()};
    EXPECT_GT(compare(a, b, everything).changed, 100u);
}

TEST_F(FacePipelineTest, SwappingWithoutASourceFails) {
    FacePipeline pipeline(models, {});
    Image frame = portrait;
    EXPECT_THROW(pipeline.swap_face(frame, landmarks), Error);
    const std::vector<DetectedFace> faces = {face_from_landmarks(landmarks)};
    EXPECT_THROW(pipeline.process(frame, faces), Error);
}

TEST(PixelBoost, SplitThenMergeIsIdentity) {
    for (int factor : {1, 2, 4}) {
        PlanarImage crop(128 * factor, 128 * factor);
        for (size_t i = 0; i < crop.plane_size() * 3; ++i) crop.data()[i] = static_cast<float>(i);
        const std::vector<PlanarImage> tiles = split_polyphase(crop, factor);
        ASSERT_EQ(tiles.size(), static_cast<size_t>(factor * factor));
        for (const PlanarImage& t : tiles) {
            EXPECT_EQ(t.width(), 128);
            EXPECT_EQ(t.height(), 128);
        }
        // Sub-image (i, j) holds the pixels at rows i + k * factor, columns j + l * factor.
        if (factor == 4) {
            EXPECT_EQ(tiles[1 * 4 + 3].at(2, 5, 7), crop.at(2, 5 * 4 + 3, 7 * 4 + 1));
        }
        const PlanarImage merged = merge_polyphase(tiles, factor);
        ASSERT_EQ(merged.width(), crop.width());
        EXPECT_TRUE(std::equal(crop.data(), crop.data() + crop.plane_size() * 3, merged.data()));
    }
    EXPECT_THROW(split_polyphase(PlanarImage(130, 128), 4), Error);
    std::vector<PlanarImage> three(3, PlanarImage(8, 8));
    EXPECT_THROW(merge_polyphase(three, 2), Error);
}

// A per-pixel generator does not care how its pixels are grouped: the 128 model on a
// 256 or 512 crop through pixel boost gives exactly what the same model built for the
// large size gives on the whole crop.
TEST_F(FacePipelineTest, PixelBoostWithAPerPixelModelMatchesTheFullSizeModel) {
    for (int size : {256, 512}) {
        PipelineOptions boosted_options;
        boosted_options.pixel_boost = size;
        FacePipeline boosted(models, boosted_options);
        FaceModels large = models;
        large.swapper =
            testing::per_pixel_swapper(dir.file("swapper_" + std::to_string(size) + ".swpk"), size);
        FacePipeline direct(large, {});
        ASSERT_EQ(direct.swapper_crop_size(), size);
        boosted.set_source(portrait, landmarks);
        direct.set_source(portrait, landmarks);

        Image a = portrait, b = portrait;
        const PixelBox box_a = boosted.swap_face(a, landmarks);
        const PixelBox box_b = direct.swap_face(b, landmarks);
        EXPECT_EQ(box_a.x0, box_b.x0);
        EXPECT_EQ(box_a.y1, box_b.y1);
        const PixelBox everything{0, 0, a.width(), a.height()};
        EXPECT_EQ(compare(a, b, everything).changed, 0u) << size;
        EXPECT_GT(compare(a, portrait, everything).changed, 1000u) << size;
    }
}

TEST_F(FacePipelineTest, PixelBoostMustBeAMultipleOfTheCropSize) {
    PipelineOptions options;
    options.pixel_boost = 200;
    EXPECT_THROW(FacePipeline(models, options), Error);
    FacePipeline pipeline(models, {});
    EXPECT_THROW(pipeline.set_pixel_boost(64), Error);
    EXPECT_NO_THROW(pipeline.set_pixel_boost(512));
    EXPECT_EQ(pipeline.options().pixel_boost, 512);
}

// The detector's outputs reach the decoder in insightface's order, the letterbox is
// undone, and faces come out left to right.
TEST_F(FacePipelineTest, DetectionFindsThePlantedFacesLeftToRight) {
    const Image frame = two_faces(portrait);  // 1024x512: letterbox scale 640 / 1024
    const double scale = 640.0 / 1024.0;
    const FivePoints left = landmarks;
    const FivePoints right = shifted(mirrored(landmarks, portrait.width()), portrait.width());
    auto in_input = [&](FivePoints p) {
        for (Point2& q : p) q = {q.x * scale, q.y * scale};
        return p;
    };
    // The right face scores higher, so it comes first from the decoder.
    models.detector = testing::planted_detector(dir.file("two_faces.swpk"),
                                                {{in_input(left), 0.8f}, {in_input(right), 0.9f}});
    FacePipeline pipeline(models, {});
    ASSERT_TRUE(pipeline.has_detector());
    const std::vector<DetectedFace> faces = pipeline.detect(frame);
    ASSERT_EQ(faces.size(), 2u);
    EXPECT_NEAR(faces[0].score, 0.8f, 1e-6);
    EXPECT_NEAR(faces[1].score, 0.9f, 1e-6);
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_NEAR(faces[0].landmarks[i].x, left[i].x, 1e-3);
        EXPECT_NEAR(faces[0].landmarks[i].y, left[i].y, 1e-3);
        EXPECT_NEAR(faces[1].landmarks[i].x, right[i].x, 1e-3);
        EXPECT_NEAR(faces[1].landmarks[i].y, right[i].y, 1e-3);
    }
    EXPECT_LT(faces[0].x1, landmarks[0].x);
    EXPECT_GT(faces[0].x2, landmarks[1].x);
}

TEST_F(FacePipelineTest, SourceWithoutLandmarksUsesTheDetector) {
    models.detector = testing::planted_detector(dir.file("no_faces.swpk"), {});  // finds nothing
    FacePipeline pipeline(models, {});
    EXPECT_TRUE(pipeline.detect(portrait).empty());
    EXPECT_THROW(pipeline.set_source(portrait), Error);
    Image frame = portrait;
    pipeline.set_source(portrait, landmarks);
    EXPECT_TRUE(pipeline.process(frame).empty());
    const PixelBox everything{0, 0, frame.width(), frame.height()};
    EXPECT_EQ(compare(frame, portrait, everything).changed, 0u);
}

TEST_F(FacePipelineTest, NoDetectorNeedsLandmarks) {
    FacePipeline pipeline(models, {});
    EXPECT_FALSE(pipeline.has_detector());
    EXPECT_THROW(pipeline.detect(portrait), Error);
    EXPECT_THROW(pipeline.set_source(portrait), Error);
}

class FaceSelectionTest : public FacePipelineTest {
  protected:
    void SetUp() override {
        FacePipelineTest::SetUp();
        frame = two_faces(portrait);
        faces = {
            face_from_landmarks(landmarks),
            face_from_landmarks(shifted(mirrored(landmarks, portrait.width()), portrait.width()))};
    }

    // Which halves of the frame changed after processing with `selection`.
    std::pair<bool, bool> changed_halves(const FaceSelection& selection,
                                         std::vector<SwappedFace>* swapped = nullptr) {
        PipelineOptions options;
        options.selection = selection;
        FacePipeline pipeline(models, options);
        pipeline.set_source(portrait, landmarks);
        Image out = frame;
        const std::vector<SwappedFace> s = pipeline.process(out, faces);
        if (swapped) *swapped = s;
        const int half = portrait.width();
        const Difference left = compare(frame, out, {half, 0, 2 * half, frame.height()});
        const Difference all = compare(frame, out, {0, 0, 2 * half, frame.height()});
        return {left.outside > 0, all.changed > left.outside};
    }

    Image frame;
    std::vector<DetectedFace> faces;
};

TEST_F(FaceSelectionTest, AllFaces) {
    std::vector<SwappedFace> swapped;
    EXPECT_EQ(changed_halves({}, &swapped), std::make_pair(true, true));
    ASSERT_EQ(swapped.size(), 2u);
    EXPECT_EQ(swapped[0].index, 0);
    EXPECT_EQ(swapped[1].index, 1);
}

TEST_F(FaceSelectionTest, ByIndex) {
    std::vector<SwappedFace> swapped;
    EXPECT_EQ(changed_halves({FaceSelectionMode::Index, 1, {}}, &swapped),
              std::make_pair(false, true));
    ASSERT_EQ(swapped.size(), 1u);
    EXPECT_EQ(swapped[0].index, 1);
    EXPECT_EQ(changed_halves({FaceSelectionMode::Index, 0, {}}), std::make_pair(true, false));
    EXPECT_EQ(changed_halves({FaceSelectionMode::Index, 2, {}}), std::make_pair(false, false));
}

TEST_F(FaceSelectionTest, ByReferenceEmbedding) {
    FacePipeline probe(models, {});
    const std::vector<float> left = probe.embed(frame, faces[0].landmarks);
    const std::vector<float> right = probe.embed(frame, faces[1].landmarks);
    ASSERT_LT(cosine_similarity(left, right), 0.999f) << "the two faces must embed differently";
    EXPECT_EQ(changed_halves({FaceSelectionMode::Reference, 0, right}),
              std::make_pair(false, true));
    EXPECT_EQ(changed_halves({FaceSelectionMode::Reference, 0, left}), std::make_pair(true, false));
}

TEST(FaceSwapperRanges, MetadataRangesBecomeNormalizations) {
    const Normalization unit = range_normalization("0,1", "k");
    EXPECT_FLOAT_EQ((255.0f - unit.mean) / unit.scale, 1.0f);
    const Normalization symmetric = range_normalization("-1,1", "k");
    EXPECT_FLOAT_EQ((0.0f - symmetric.mean) / symmetric.scale, -1.0f);
    EXPECT_FLOAT_EQ((255.0f - symmetric.mean) / symmetric.scale, 1.0f);
    EXPECT_THROW(range_normalization("1,0", "k"), Error);
    EXPECT_THROW(range_normalization("0;1", "k"), Error);
    EXPECT_THROW(range_normalization("0,1x", "k"), Error);
}

TEST_F(FacePipelineTest, TheLatentIsTheNormalizedProjectionThroughTheEmap) {
    FaceSwapper swapper(models.swapper, {});
    std::vector<float> embedding(512, 0.0f);
    embedding[3] = 2.0f;  // normalized: e_3, so the latent is emap row 3, normalized
    const std::vector<float> latent = swapper.latent(embedding);
    const auto& d = models.swapper->description();
    const auto& emap = d.tensors[*models.swapper->find_extra("buff2fs")].data;
    double norm = 0;
    for (size_t j = 0; j < 512; ++j) norm += double(emap[3 * 512 + j]) * emap[3 * 512 + j];
    norm = std::sqrt(norm);
    for (size_t j = 0; j < 512; j += 37) EXPECT_NEAR(latent[j], emap[3 * 512 + j] / norm, 1e-6);
    EXPECT_THROW(swapper.latent(std::vector<float>(100, 1.0f)), Error);
    EXPECT_THROW(swapper.latent(std::vector<float>(512, 0.0f)), Error);
}

}  // namespace
}  // namespace swaprun::pipeline
