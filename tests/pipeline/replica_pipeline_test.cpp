// The whole pipeline with the reference replicas (seeded SCRFD, ArcFace and live_mini from
// models/builtin/, converted by the build for swaprun to embed) on the sample portrait
// with its hand-placed landmarks.
#include <gtest/gtest.h>

#include <filesystem>

#include "pipeline/face_pipeline.h"
#include "pipeline/image_io.h"
#include "synthetic_models.h"

namespace swaprun::pipeline {
namespace {

const std::string kDir = SWAPRUN_BUILTIN_MODEL_DIR;

std::shared_ptr<const engine::LoadedModel> open_role(const std::string& role) {
    return engine::LoadedModel::open(kDir + "/" + role + ".swpk");
}

class ReplicaPipeline : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* role : {"detector", "recognizer", "swapper"}) {
            if (!std::filesystem::exists(kDir + "/" + role + ".swpk")) {
                GTEST_SKIP() << kDir << "/" << role
                             << ".swpk absent: models/builtin/ held no replica models when "
                                "this build was configured";
            }
        }
        models.detector = open_role("detector");
        models.recognizer = open_role("recognizer");
        models.swapper = open_role("swapper");
    }
    FaceModels models;
};

TEST_F(ReplicaPipeline, TheFaceChangesAndNothingOutsideThePastedBox) {
    const Image portrait = load_image("data/astronaut.png");
    const FivePoints landmarks = testing::astronaut_landmarks();
    FacePipeline pipeline(models, {});
    // A seeded detector finds no real face, but it runs on any frame.
    EXPECT_NO_THROW(pipeline.detect(portrait));
    pipeline.set_source(portrait, landmarks);

    Image frame = portrait;
    const PixelBox box = pipeline.swap_face(frame, landmarks);
    ASSERT_EQ(frame.width(), portrait.width());
    ASSERT_EQ(frame.height(), portrait.height());
    const int size = pipeline.swapper_crop_size();
    const PixelBox crop = crop_box_in_frame(align_to_template(landmarks, size), size, size,
                                            frame.width(), frame.height());
    EXPECT_EQ(box.x0, crop.x0);
    EXPECT_EQ(box.y1, crop.y1);
    size_t changed = 0, outside = 0;
    for (int y = 0; y < frame.height(); ++y) {
        for (int x = 0; x < frame.width(); ++x) {
            if (std::equal(frame.pixel(x, y), frame.pixel(x, y) + 3, portrait.pixel(x, y))) {
                continue;
            }
            ++changed;
            outside += x < box.x0 || x >= box.x1 || y < box.y0 || y >= box.y1;
        }
    }
    EXPECT_EQ(outside, 0u);
    EXPECT_GT(changed, static_cast<size_t>(box.x1 - box.x0) * (box.y1 - box.y0) / 4);
}

}  // namespace
}  // namespace swaprun::pipeline
