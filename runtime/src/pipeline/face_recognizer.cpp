#include "pipeline/face_recognizer.h"

#include <cmath>

#include "pipeline/image_convert.h"
#include "pipeline/warp_affine.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

std::vector<float> l2_normalized(std::span<const float> values, const char* what) {
    double sum = 0;
    for (float v : values) sum += static_cast<double>(v) * v;
    if (!(sum > 0) || !std::isfinite(sum)) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(what, " has no direction (zero or not finite): cannot be normalized"));
    }
    const double inv = 1.0 / std::sqrt(sum);
    std::vector<float> out(values.size());
    for (size_t i = 0; i < values.size(); ++i) out[i] = static_cast<float>(values[i] * inv);
    return out;
}

FaceRecognizer::FaceRecognizer(std::shared_ptr<const engine::LoadedModel> model,
                               const BackendOptions& backend) {
    const format::ModelDescription& d = model->description();
    if (d.inputs.size() != 1 || d.outputs.size() != 1) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(model->path(), ": not an ArcFace recognizer: ", d.inputs.size(),
                            " inputs and ", d.outputs.size(), " outputs, expected 1 and 1"));
    }
    const format::TensorDescription& input = d.tensors[d.inputs[0]];
    if (input.shape.size() != 4 || input.shape[0] != 1 || input.shape[1] != 3 ||
        input.shape[2] != input.shape[3] || input.shape[2] % 112 != 0) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat(model->path(), ": not an ArcFace recognizer: input '", input.name, "' is ",
                    shape_string(input.shape), ", expected [1, 3, S, S] with S a multiple of 112"));
    }
    input_name_ = input.name;
    crop_size_ = static_cast<int>(input.shape[2]);
    const format::TensorDescription& output = d.tensors[d.outputs[0]];
    output_name_ = output.name;
    embedding_size_ = static_cast<size_t>(output.elements());
    context_ = make_execution_context(std::move(model), backend);
}

std::vector<float> FaceRecognizer::embed(const Image& image, const FivePoints& landmarks) {
    const Affine2 m = align_to_template(landmarks, crop_size_);
    const Image crop = warp_affine(image, m, crop_size_, crop_size_);
    const PlanarImage input = to_planar(crop, kRecognizerNormalization);
    context_->set_input(input_name_, input.data(), input.plane_size() * 3);
    context_->run();
    return l2_normalized(context_->output(output_name_), "the face embedding");
}

}  // namespace swaprun::pipeline
