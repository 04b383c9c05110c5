#include "pipeline/face_detector.h"

#include <array>

#include "pipeline/image_convert.h"
#include "pipeline/resize.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

constexpr std::array<int, 3> kStrides = {8, 16, 32};
constexpr std::array<int64_t, 3> kValuesPerAnchor = {1, 4, 10};  // scores, boxes, keypoints

[[noreturn]] void fail(const engine::LoadedModel& model, const std::string& what) {
    throw Error(ErrorKind::InvalidArgument,
                str_cat(model.path(), ": not an SCRFD face detector: ", what));
}

}  // namespace

FaceDetector::FaceDetector(std::shared_ptr<const engine::LoadedModel> model,
                           const BackendOptions& backend) {
    const format::ModelDescription& d = model->description();
    if (d.inputs.size() != 1) fail(*model, str_cat(d.inputs.size(), " inputs, expected 1"));
    const format::TensorDescription& input = d.tensors[d.inputs[0]];
    if (input.shape.size() != 4 || input.shape[0] != 1 || input.shape[1] != 3 ||
        input.shape[2] % 32 != 0 || input.shape[3] % 32 != 0) {
        fail(*model, str_cat("input '", input.name, "' is ", shape_string(input.shape),
                             ", expected [1, 3, H, W] with H and W multiples of 32"));
    }
    input_name_ = input.name;
    params_.input_height = static_cast<int>(input.shape[2]);
    params_.input_width = static_cast<int>(input.shape[3]);
    if (d.outputs.size() != 9) {
        fail(*model, str_cat(d.outputs.size(),
                             " outputs, expected 9 (scores, boxes, keypoints for strides 8, 16, "
                             "32)"));
    }
    const int64_t locations8 = (input.shape[2] / 8) * (input.shape[3] / 8);
    const int64_t scores8 = d.tensors[d.outputs[0]].elements();
    if (scores8 % locations8 != 0 || scores8 / locations8 < 1) {
        fail(*model, str_cat("output '", d.tensors[d.outputs[0]].name, "' has ", scores8,
                             " values, not a multiple of the ", locations8, " stride-8 locations"));
    }
    params_.anchors_per_location = static_cast<int>(scores8 / locations8);
    for (size_t kind = 0; kind < 3; ++kind) {
        for (size_t level = 0; level < 3; ++level) {
            const format::TensorDescription& t = d.tensors[d.outputs[kind * 3 + level]];
            const int64_t s = kStrides[level];
            const int64_t want = (input.shape[2] / s) * (input.shape[3] / s) *
                                 params_.anchors_per_location * kValuesPerAnchor[kind];
            if (t.elements() != want) {
                fail(*model, str_cat("output ", kind * 3 + level, " '", t.name, "' is ",
                                     shape_string(t.shape), " (", t.elements(),
                                     " values), expected ", want));
            }
            output_names_.push_back(t.name);
        }
    }
    context_ = make_execution_context(std::move(model), backend);
    input_ = PlanarImage(params_.input_width, params_.input_height, kUninitialized);
}

std::vector<DetectedFace> FaceDetector::detect(const Image& image, float score_threshold,
                                               float nms_iou) {
    const Letterbox box =
        scrfd_letterbox(image.width(), image.height(), params_.input_width, params_.input_height);
    // Padded with black, as insightface pads.
    resize_letterbox_planar_into(image, box.resized_width, box.resized_height,
                                 kDetectorNormalization, input_);
    context_->set_input(input_name_, input_.data(), input_.plane_size() * 3);
    context_->run();

    std::array<ScrfdLevel, 3> levels;
    for (size_t level = 0; level < 3; ++level) {
        levels[level].stride = kStrides[level];
        levels[level].scores = context_->output(output_names_[level]);
        levels[level].boxes = context_->output(output_names_[3 + level]);
        levels[level].keypoints = context_->output(output_names_[6 + level]);
    }
    ScrfdParams params = params_;
    params.score_threshold = score_threshold;
    params.nms_iou = nms_iou;
    return decode_scrfd(levels, box, params);
}

}  // namespace swaprun::pipeline
