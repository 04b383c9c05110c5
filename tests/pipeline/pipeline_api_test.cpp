// The pipeline C API (swaprun/pipeline.h): models from a directory, source once, frames
// in and out, faces queried; wrong arguments give a status and a message, and leave the
// output buffer untouched.
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "format/swpk_io.h"
#include "kernels/conv2d_prepared.h"
#include "pipeline/image_io.h"
#include "pipeline/model_store.h"
#include "swaprun/pipeline.h"
#include "synthetic_models.h"

extern "C" int swap_in_c(const char* models_dir, const uint8_t* rgb, int32_t width, int32_t height,
                         const float* source_landmarks, uint8_t* out);

namespace swaprun::pipeline {
namespace {

std::vector<float> flat(const FivePoints& p) {
    std::vector<float> v;
    for (const Point2& q : p) {
        v.push_back(static_cast<float>(q.x));
        v.push_back(static_cast<float>(q.y));
    }
    return v;
}

class PipelineApi : public ::testing::Test {
  protected:
    void SetUp() override {
        portrait = load_image("data/astronaut.png");
        landmarks = flat(testing::astronaut_landmarks());
        FivePoints in_input = testing::astronaut_landmarks();
        for (Point2& p : in_input) p = {p.x * 1.25, p.y * 1.25};  // 512 -> 640 letterbox
        testing::planted_detector(dir.file("det_10g.swpk"), {{in_input, 0.9f}});
        testing::small_recognizer(dir.file("w600k_r50.swpk"));
        testing::per_pixel_swapper(dir.file("inswapper_128.swpk"), 128);
    }

    swr_pipeline* create(swr_pipeline_options* options = nullptr) {
        swr_pipeline_models models{};
        models.struct_size = sizeof models;
        const std::string d = dir.path().string();
        models.models_dir = d.c_str();
        swr_pipeline* p = nullptr;
        EXPECT_EQ(swr_pipeline_create(&models, options, &p), SWR_OK) << swr_last_error();
        return p;
    }

    testkit::TempDir dir;
    Image portrait;
    std::vector<float> landmarks;
};

TEST_F(PipelineApi, FromCSwapsTheDetectedFace) {
    std::vector<uint8_t> out(portrait.size_bytes(), 0);
    const std::string d = dir.path().string();
    EXPECT_EQ(swap_in_c(d.c_str(), portrait.data(), portrait.width(), portrait.height(),
                        landmarks.data(), out.data()),
              1);
    size_t changed = 0;
    for (size_t i = 0; i < out.size(); ++i) changed += out[i] != portrait.data()[i];
    EXPECT_GT(changed, 3000u);
    EXPECT_EQ(out[0], portrait.data()[0]);  // a corner, far from the face
}

TEST_F(PipelineApi, FacesAreReportedWithTheirLandmarks) {
    swr_pipeline* p = create();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(swr_pipeline_crop_size(p), 128);
    ASSERT_EQ(swr_pipeline_detect(p, portrait.data(), 512, 512, 512 * 3), SWR_OK);
    ASSERT_EQ(swr_pipeline_face_count(p), 1);
    swr_face face{};
    ASSERT_EQ(swr_pipeline_face(p, 0, &face), SWR_OK);
    for (size_t i = 0; i < 10; ++i) EXPECT_NEAR(face.landmarks[i], landmarks[i], 1e-3);
    EXPECT_NEAR(face.score, 0.9f, 1e-6);
    EXPECT_EQ(face.swapped, 0);
    EXPECT_LT(face.box[0], landmarks[0]);
    EXPECT_EQ(swr_pipeline_face(p, 1, &face), SWR_ERROR_INVALID_ARGUMENT);

    // In place, with landmarks by hand and a padded stride.
    ASSERT_EQ(swr_pipeline_set_source(p, portrait.data(), 512, 512, 512 * 3, nullptr), SWR_OK)
        << swr_last_error();
    const size_t stride = 512 * 3 + 7;
    std::vector<uint8_t> frame(stride * 512, 0xAB);
    for (int y = 0; y < 512; ++y) {
        std::copy(portrait.pixel(0, y), portrait.pixel(0, y) + 512 * 3, frame.data() + y * stride);
    }
    ASSERT_EQ(swr_pipeline_process(p, frame.data(), 512, 512, stride, frame.data(), stride,
                                   landmarks.data(), 1),
              SWR_OK)
        << swr_last_error();
    ASSERT_EQ(swr_pipeline_face_count(p), 1);
    ASSERT_EQ(swr_pipeline_face(p, 0, &face), SWR_OK);
    EXPECT_EQ(face.swapped, 1);
    EXPECT_EQ(face.score, 1.0f);
    EXPECT_EQ(frame[stride - 1], 0xAB) << "the row padding was written";
    const size_t nose = static_cast<size_t>(126) * stride + 224 * 3;
    EXPECT_NE(std::vector<uint8_t>(frame.begin() + nose, frame.begin() + nose + 3),
              std::vector<uint8_t>(portrait.pixel(224, 126), portrait.pixel(224, 126) + 3));
    swr_pipeline_release(p);
}

TEST_F(PipelineApi, SelectionByIndexAndReference) {
    swr_pipeline_options options{};
    options.struct_size = sizeof options;
    options.face_selection = SWR_FACES_INDEX;
    options.face_index = 1;  // only one face: nothing is swapped
    swr_pipeline* p = create(&options);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(swr_pipeline_set_source(p, portrait.data(), 512, 512, 512 * 3, landmarks.data()),
              SWR_OK);
    std::vector<uint8_t> out(portrait.size_bytes());
    ASSERT_EQ(swr_pipeline_process(p, portrait.data(), 512, 512, 512 * 3, out.data(), 512 * 3,
                                   nullptr, 0),
              SWR_OK);
    EXPECT_EQ(out, std::vector<uint8_t>(portrait.data(), portrait.data() + portrait.size_bytes()));
    swr_face face{};
    ASSERT_EQ(swr_pipeline_face(p, 0, &face), SWR_OK);
    EXPECT_EQ(face.swapped, 0);
    swr_pipeline_release(p);

    options.face_selection = SWR_FACES_REFERENCE;
    p = create(&options);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(swr_pipeline_set_source(p, portrait.data(), 512, 512, 512 * 3, landmarks.data()),
              SWR_OK);
    EXPECT_EQ(swr_pipeline_process(p, portrait.data(), 512, 512, 512 * 3, out.data(), 512 * 3,
                                   nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(swr_last_error()).find("reference"), std::string::npos);
    ASSERT_EQ(swr_pipeline_set_reference(p, portrait.data(), 512, 512, 512 * 3, nullptr), SWR_OK);
    ASSERT_EQ(swr_pipeline_process(p, portrait.data(), 512, 512, 512 * 3, out.data(), 512 * 3,
                                   nullptr, 0),
              SWR_OK);
    ASSERT_EQ(swr_pipeline_face(p, 0, &face), SWR_OK);
    EXPECT_EQ(face.swapped, 1);
    swr_pipeline_release(p);
}

TEST_F(PipelineApi, WrongArgumentsFailWithAMessageAndLeaveTheOutputAlone) {
    swr_pipeline* p = create();
    ASSERT_NE(p, nullptr);
    std::vector<uint8_t> out(portrait.size_bytes(), 7);
    const auto untouched = out;
    const uint8_t* in = portrait.data();
    EXPECT_EQ(swr_pipeline_process(p, in, 512, 512, 512 * 3, out.data(), 512 * 3, nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);  // no source yet
    EXPECT_NE(std::string(swr_last_error()).find("no source"), std::string::npos);
    ASSERT_EQ(swr_pipeline_set_source(p, in, 512, 512, 512 * 3, landmarks.data()), SWR_OK);
    EXPECT_EQ(swr_pipeline_process(p, in, 0, 512, 512 * 3, out.data(), 512 * 3, nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_pipeline_process(p, in, 512, 512, 100, out.data(), 512 * 3, nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(swr_last_error()).find("stride"), std::string::npos);
    EXPECT_EQ(swr_pipeline_process(p, in, 512, 512, 512 * 3, out.data(), 10, nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(
        swr_pipeline_process(p, in, 512, 512, 512 * 3, out.data(), 512 * 3, landmarks.data(), 0),
        SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_pipeline_process(p, nullptr, 512, 512, 512 * 3, out.data(), 512 * 3, nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_pipeline_process(p, in, 100000, 100000, 300000, out.data(), 300000, nullptr, 0),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(swr_last_error()).find("above the limit"), std::string::npos);
    std::vector<float> bad = landmarks;
    bad[3] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(swr_pipeline_process(p, in, 512, 512, 512 * 3, out.data(), 512 * 3, bad.data(), 1),
              SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(out, untouched);
    EXPECT_EQ(swr_pipeline_face_count(nullptr), -1);
    swr_pipeline_release(p);
    swr_pipeline_release(nullptr);

    swr_pipeline_models models{};
    models.struct_size = sizeof models;
    const std::string missing = dir.file("no_such_dir");
    models.models_dir = missing.c_str();
    swr_pipeline* q = reinterpret_cast<swr_pipeline*>(&models);
    EXPECT_EQ(swr_pipeline_create(&models, nullptr, &q), SWR_ERROR_IO);
    EXPECT_EQ(q, nullptr);
    EXPECT_NE(std::string(swr_last_error()).find("no_such_dir"), std::string::npos);
    models.models_dir = nullptr;
    EXPECT_EQ(swr_pipeline_create(&models, nullptr, &q), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(swr_pipeline_create(nullptr, nullptr, &q), SWR_ERROR_INVALID_ARGUMENT);
}

// Options no device kind runs are refused before any model loads: a swapper file that
// is not a model is not read for bf16x3 on Vulkan.
TEST_F(PipelineApi, BackendOptionsAreCheckedBeforeTheModelsLoad) {
    {
        std::ofstream garbage(dir.file("inswapper_128.swpk"), std::ios::binary | std::ios::trunc);
        garbage << "not a model";
    }
    swr_pipeline_models models{};
    models.struct_size = sizeof models;
    const std::string d = dir.path().string();
    models.models_dir = d.c_str();
    swr_pipeline_options options{};
    options.struct_size = sizeof options;
    options.device = 1;
    options.precision = SWR_PRECISION_BF16X3;
    swr_pipeline* p = nullptr;
    EXPECT_EQ(swr_pipeline_create(&models, &options, &p), SWR_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(swr_last_error()).find("bf16x3"), std::string::npos) << swr_last_error();
    EXPECT_EQ(p, nullptr);
    options.device = 0;  // then the file is read, and found no model
    EXPECT_EQ(swr_pipeline_create(&models, &options, &p), SWR_ERROR_FORMAT) << swr_last_error();
}

TEST_F(PipelineApi, DetectorSizeIsCheckedAgainstTheDetector) {
    swr_pipeline_models models{};
    models.struct_size = sizeof models;
    const std::string d = dir.path().string();
    models.models_dir = d.c_str();
    auto create_with = [&](int32_t width, int32_t height, uint32_t struct_size) {
        swr_pipeline_options options{};
        options.struct_size = struct_size;
        options.detector_width = width;
        options.detector_height = height;
        swr_pipeline* p = nullptr;
        const swr_status status = swr_pipeline_create(&models, &options, &p);
        swr_pipeline_release(p);
        return status;
    };
    // The planted detector is a .swpk fixed at 640 x 640.
    EXPECT_EQ(create_with(640, 640, sizeof(swr_pipeline_options)), SWR_OK) << swr_last_error();
    EXPECT_EQ(create_with(640, 384, sizeof(swr_pipeline_options)), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(swr_last_error()).find("fixed at 640x640; it cannot run at 640x384"),
              std::string::npos)
        << swr_last_error();
    EXPECT_EQ(create_with(640, 0, sizeof(swr_pipeline_options)), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(swr_last_error()).find("set together"), std::string::npos);
    EXPECT_EQ(create_with(640, 380, sizeof(swr_pipeline_options)), SWR_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(swr_last_error()).find("multiple of 32"), std::string::npos);
    EXPECT_EQ(create_with(4096, 640, sizeof(swr_pipeline_options)), SWR_ERROR_INVALID_ARGUMENT);
    // A caller built before the size fields existed gets the detector's own size.
    EXPECT_EQ(create_with(640, 384, offsetof(swr_pipeline_options, detector_width)), SWR_OK)
        << swr_last_error();
}

// swr_pipeline_options.low_memory loads the swapper as swr_model_options.low_memory does.
// The synthetic swapper has no layer it changes, so the frames are the same bits; the
// loader's part is checked on a layer it does change (load_model_file, which the
// pipeline's models go through).
TEST_F(PipelineApi, LowMemoryLoadsTheSwapperWithFewerPackedWeights) {
    auto swap_frame = [&](int32_t low_memory) {
        swr_pipeline_options options{};
        options.struct_size = sizeof options;
        options.low_memory = low_memory;
        swr_pipeline* p = create(&options);
        std::vector<uint8_t> out(portrait.size_bytes());
        if (p == nullptr) return out;
        EXPECT_EQ(swr_pipeline_set_source(p, portrait.data(), 512, 512, 512 * 3, landmarks.data()),
                  SWR_OK);
        EXPECT_EQ(swr_pipeline_process(p, portrait.data(), 512, 512, 512 * 3, out.data(), 512 * 3,
                                       nullptr, 0),
                  SWR_OK);
        swr_pipeline_release(p);
        return out;
    };
    EXPECT_EQ(swap_frame(1), swap_frame(0));

    if (kernels::best_conv_isa() == kernels::ConvIsa::Portable) {
        GTEST_SKIP() << "the portable kernels have no Winograd: nothing to keep";
    }
    format::write_swpk(testkit::wide_conv().desc(), dir.file("wide.swpk"));
    format::ReadOptions lean;
    lean.low_memory = true;
    const size_t plain_bytes = load_model_file(dir.file("wide.swpk"))->cpu_weight_bytes();
    const size_t lean_bytes =
        load_model_file(dir.file("wide.swpk"), nullptr, kBatchOfOne, lean)->cpu_weight_bytes();
    EXPECT_LT(lean_bytes * 3, plain_bytes);
}

}  // namespace
}  // namespace swaprun::pipeline
