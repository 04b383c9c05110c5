// C API: the face pipeline (swaprun/pipeline.h) over pipeline::FacePipeline.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "api/api_handles.h"
#include "api/api_status.h"
#include "pipeline/backend_options.h"
#include "pipeline/face_pipeline.h"
#include "pipeline/image_io.h"
#include "pipeline/model_store.h"
#include "swaprun/pipeline.h"

struct swr_pipeline {
    std::unique_ptr<swaprun::pipeline::FacePipeline> pipeline;
    bool select_by_reference = false;  // waits for swr_pipeline_set_reference
    bool has_reference = false;
    std::vector<swr_face> faces;  // of the last process / detect
};

namespace swaprun::api {
namespace {

using pipeline::DetectedFace;
using pipeline::FivePoints;
using pipeline::Image;

// Copies a caller's RGB buffer into an Image, checking every argument.
Image image_from(const uint8_t* rgb, int32_t width, int32_t height, size_t stride,
                 const char* function) {
    require(rgb, function, "rgb");
    if (width <= 0 || height <= 0) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(function, ": image size ", width, "x", height, " is not positive"));
    }
    const uint64_t pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
    const pipeline::ImageLimits limits;
    if (pixels > limits.max_pixels) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(function, ": image ", width, "x", height, " is above the limit of ",
                            limits.max_pixels, " pixels"));
    }
    const size_t row = static_cast<size_t>(width) * 3;
    if (stride < row) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(function, ": stride ", stride, " is below 3 * width = ", row));
    }
    Image image(width, height);
    for (int32_t y = 0; y < height; ++y) {
        std::memcpy(image.pixel(0, y), rgb + static_cast<size_t>(y) * stride, row);
    }
    return image;
}

FivePoints points_from(const float* values) {
    FivePoints p;
    for (size_t i = 0; i < 5; ++i) {
        if (!std::isfinite(values[2 * i]) || !std::isfinite(values[2 * i + 1])) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("landmark ", i, " is not a finite number"));
        }
        p[i] = {values[2 * i], values[2 * i + 1]};
    }
    return p;
}

swr_face record(const DetectedFace& f, bool swapped) {
    swr_face out{};
    out.box[0] = f.x1;
    out.box[1] = f.y1;
    out.box[2] = f.x2;
    out.box[3] = f.y2;
    for (size_t i = 0; i < 5; ++i) {
        out.landmarks[2 * i] = static_cast<float>(f.landmarks[i].x);
        out.landmarks[2 * i + 1] = static_cast<float>(f.landmarks[i].y);
    }
    out.score = f.score;
    out.swapped = swapped ? 1 : 0;
    return out;
}

// The landmarks given, or the detector's best face.
FivePoints face_points(swr_pipeline* p, const Image& image, const float* landmarks,
                       const char* function) {
    if (landmarks) return points_from(landmarks);
    const std::vector<DetectedFace> faces = p->pipeline->detect(image);
    if (faces.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(function, ": no face found (give its landmarks)"));
    }
    return std::max_element(faces.begin(), faces.end(),
                            [](const auto& a, const auto& b) { return a.score < b.score; })
        ->landmarks;
}

const char* text_or_empty(const char* s) { return s ? s : ""; }

}  // namespace
}  // namespace swaprun::api

using swaprun::Error;
using swaprun::ErrorKind;
using swaprun::str_cat;
using swaprun::api::guarded;
using swaprun::api::option_field;
using swaprun::api::require;

extern "C" {

swr_status swr_pipeline_create(const swr_pipeline_models* models,
                               const swr_pipeline_options* options, swr_pipeline** out_pipeline) {
    return guarded([&] {
        namespace pl = swaprun::pipeline;
        require(out_pipeline, "swr_pipeline_create", "out_pipeline");
        *out_pipeline = nullptr;
        require(models, "swr_pipeline_create", "models");
        if (models->struct_size == 0 || (options != nullptr && options->struct_size == 0)) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_pipeline_create: struct_size is 0 (set it to the struct's sizeof)");
        }
        const std::string dir = swaprun::api::text_or_empty(option_field(
            models, &swr_pipeline_models::models_dir, static_cast<const char*>(nullptr)));
        const std::string swapper = swaprun::api::text_or_empty(
            option_field(models, &swr_pipeline_models::swapper, static_cast<const char*>(nullptr)));
        pl::ModelPaths paths;
        if (!dir.empty()) {
            paths = pl::find_models(dir, swapper);
        } else {
            paths.swapper = swapper;
        }
        const char* detector = option_field(models, &swr_pipeline_models::detector_path,
                                            static_cast<const char*>(nullptr));
        const char* recognizer = option_field(models, &swr_pipeline_models::recognizer_path,
                                              static_cast<const char*>(nullptr));
        if (detector) paths.detector = detector;
        if (recognizer) paths.recognizer = recognizer;
        if (paths.recognizer.empty() || paths.swapper.empty()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("swr_pipeline_create: no ",
                                paths.recognizer.empty() ? "recognizer (w600k_r50)"
                                                         : "swapper (inswapper_128, live_base, "
                                                           "live_mini)",
                                dir.empty() ? std::string(" given") : " in " + dir));
        }
        const int32_t detector_width =
            option_field(options, &swr_pipeline_options::detector_width, 0);
        const int32_t detector_height =
            option_field(options, &swr_pipeline_options::detector_height, 0);
        if ((detector_width == 0) != (detector_height == 0)) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_pipeline_create: detector_width and detector_height are set "
                        "together or both left 0");
        }
        const bool detector_size_given = detector_width != 0;
        pl::DetectorSize detector_size;
        if (detector_size_given) {
            detector_size = {detector_width, detector_height};
            pl::check_detector_size(detector_size, "swr_pipeline_create: detector size");
        }
        // The backend's options are checked before any model loads.
        pl::PipelineOptions o;
        o.backend.threads = option_field(options, &swr_pipeline_options::threads, 0);
        o.backend.device = option_field(options, &swr_pipeline_options::device, 0);
        o.backend.precision = option_field(options, &swr_pipeline_options::precision, 0);
        pl::check_backend_options(o.backend);
        pl::FaceModels loaded;
        if (!paths.detector.empty()) {
            loaded.detector =
                pl::load_detector_file(paths.detector, detector_size, detector_size_given);
        }
        loaded.recognizer = pl::load_model_file(paths.recognizer);
        swaprun::format::ReadOptions swapper_options;
        swapper_options.low_memory =
            option_field(options, &swr_pipeline_options::low_memory, 0) != 0;
        // bf16x3 is the swapper's CPU arithmetic, chosen as it loads.
        swapper_options.bf16x3 = o.backend.precision == SWR_PRECISION_BF16X3;
        loaded.swapper =
            pl::load_model_file(paths.swapper, nullptr, pl::kBatchOfOne, swapper_options);

        o.pixel_boost = option_field(options, &swr_pipeline_options::pixel_boost, 0);
        const float score = option_field(options, &swr_pipeline_options::score_threshold, 0.0f);
        const float iou = option_field(options, &swr_pipeline_options::nms_iou, 0.0f);
        if (score < 0 || score >= 1 || iou < 0 || iou >= 1) {
            throw Error(ErrorKind::InvalidArgument,
                        "swr_pipeline_create: score_threshold and nms_iou must be in [0, 1)");
        }
        if (score > 0) o.score_threshold = score;
        if (iou > 0) o.nms_iou = iou;
        const int32_t selection =
            option_field(options, &swr_pipeline_options::face_selection, SWR_FACES_ALL);
        auto handle = std::make_unique<swr_pipeline>();
        if (selection == SWR_FACES_INDEX) {
            o.selection.mode = pl::FaceSelectionMode::Index;
            o.selection.index = option_field(options, &swr_pipeline_options::face_index, 0);
        } else if (selection == SWR_FACES_REFERENCE) {
            handle->select_by_reference = true;
        } else if (selection != SWR_FACES_ALL) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("swr_pipeline_create: face_selection ", selection,
                                " (0 all, 1 index, 2 reference)"));
        }
        handle->pipeline = std::make_unique<pl::FacePipeline>(std::move(loaded), o);
        *out_pipeline = handle.release();  // owned by the caller until swr_pipeline_release
    });
}

void swr_pipeline_release(swr_pipeline* pipeline) { std::unique_ptr<swr_pipeline> owned(pipeline); }

swr_status swr_pipeline_set_source(swr_pipeline* pipeline, const uint8_t* rgb, int32_t width,
                                   int32_t height, size_t stride, const float* landmarks) {
    return guarded([&] {
        const char* fn = "swr_pipeline_set_source";
        require(pipeline, fn, "pipeline");
        const auto image = swaprun::api::image_from(rgb, width, height, stride, fn);
        pipeline->pipeline->set_source(image,
                                       swaprun::api::face_points(pipeline, image, landmarks, fn));
    });
}

swr_status swr_pipeline_set_reference(swr_pipeline* pipeline, const uint8_t* rgb, int32_t width,
                                      int32_t height, size_t stride, const float* landmarks) {
    return guarded([&] {
        const char* fn = "swr_pipeline_set_reference";
        require(pipeline, fn, "pipeline");
        const auto image = swaprun::api::image_from(rgb, width, height, stride, fn);
        const auto points = swaprun::api::face_points(pipeline, image, landmarks, fn);
        swaprun::pipeline::FaceSelection s;
        s.mode = swaprun::pipeline::FaceSelectionMode::Reference;
        s.reference = pipeline->pipeline->embed(image, points);
        pipeline->pipeline->set_selection(s);
        pipeline->has_reference = true;
    });
}

swr_status swr_pipeline_process(swr_pipeline* pipeline, const uint8_t* in, int32_t width,
                                int32_t height, size_t in_stride, uint8_t* out, size_t out_stride,
                                const float* landmarks, int32_t landmark_faces) {
    return guarded([&] {
        const char* fn = "swr_pipeline_process";
        require(pipeline, fn, "pipeline");
        require(out, fn, "out");
        auto frame = swaprun::api::image_from(in, width, height, in_stride, fn);
        if (out_stride < frame.stride()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat(fn, ": out_stride ", out_stride, " is below 3 * width"));
        }
        if (pipeline->select_by_reference && !pipeline->has_reference) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat(fn,
                                ": face_selection is SWR_FACES_REFERENCE but no reference "
                                "face is set (swr_pipeline_set_reference)"));
        }
        std::vector<swaprun::pipeline::DetectedFace> faces;
        if (landmarks) {
            if (landmark_faces < 1) {
                throw Error(
                    ErrorKind::InvalidArgument,
                    str_cat(fn, ": landmark_faces is ", landmark_faces, " with landmarks given"));
            }
            for (int32_t i = 0; i < landmark_faces; ++i) {
                faces.push_back(swaprun::pipeline::face_from_landmarks(
                    swaprun::api::points_from(landmarks + 10 * static_cast<size_t>(i))));
            }
        } else {
            faces = pipeline->pipeline->detect(frame);
        }
        const auto swapped = pipeline->pipeline->process(frame, faces);
        std::vector<swr_face> records;
        for (size_t i = 0; i < faces.size(); ++i) {
            const bool was = std::any_of(swapped.begin(), swapped.end(), [&](const auto& s) {
                return static_cast<size_t>(s.index) == i;
            });
            records.push_back(swaprun::api::record(faces[i], was));
        }
        // Written only now: on any failure above, `out` is untouched.
        for (int32_t y = 0; y < height; ++y) {
            std::memmove(out + static_cast<size_t>(y) * out_stride, frame.pixel(0, y),
                         frame.stride());
        }
        pipeline->faces = std::move(records);
    });
}

swr_status swr_pipeline_detect(swr_pipeline* pipeline, const uint8_t* rgb, int32_t width,
                               int32_t height, size_t stride) {
    return guarded([&] {
        const char* fn = "swr_pipeline_detect";
        require(pipeline, fn, "pipeline");
        const auto image = swaprun::api::image_from(rgb, width, height, stride, fn);
        std::vector<swr_face> records;
        for (const auto& f : pipeline->pipeline->detect(image)) {
            records.push_back(swaprun::api::record(f, false));
        }
        pipeline->faces = std::move(records);
    });
}

int32_t swr_pipeline_face_count(const swr_pipeline* pipeline) {
    if (pipeline == nullptr) {
        swaprun::api::set_last_error("swr_pipeline_face_count: pipeline is NULL");
        return -1;
    }
    return static_cast<int32_t>(pipeline->faces.size());
}

swr_status swr_pipeline_face(const swr_pipeline* pipeline, int32_t index, swr_face* out_face) {
    return guarded([&] {
        require(pipeline, "swr_pipeline_face", "pipeline");
        require(out_face, "swr_pipeline_face", "out_face");
        if (index < 0 || static_cast<size_t>(index) >= pipeline->faces.size()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("swr_pipeline_face: index ", index, " is outside [0, ",
                                pipeline->faces.size(), ")"));
        }
        *out_face = pipeline->faces[static_cast<size_t>(index)];
    });
}

int32_t swr_pipeline_crop_size(const swr_pipeline* pipeline) {
    if (pipeline == nullptr) {
        swaprun::api::set_last_error("swr_pipeline_crop_size: pipeline is NULL");
        return -1;
    }
    return pipeline->pipeline->swapper_crop_size();
}

}  // extern "C"
