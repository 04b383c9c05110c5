// SCRFD face detection as insightface's SCRFD.detect runs it: the frame letterboxed into
// the model's input at the top-left, normalized (x - 127.5) / 128, the outputs decoded.
#pragma once

#include <memory>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"
#include "pipeline/backend_options.h"
#include "pipeline/image.h"
#include "pipeline/scrfd_decode.h"

namespace swaprun::pipeline {

class FaceDetector {
  public:
    // The model must have one [1, 3, H, W] input and 9 outputs: scores for strides 8, 16
    // and 32, then boxes for the three, then keypoints, each [A, k] or [1, A, k] with
    // A = (H / stride) * (W / stride) * anchors per location. Throws swaprun::Error
    // (InvalidArgument) naming the model otherwise.
    FaceDetector(std::shared_ptr<const engine::LoadedModel> model, const BackendOptions& backend);

    // Faces in image coordinates, highest score first.
    std::vector<DetectedFace> detect(const Image& image, float score_threshold, float nms_iou);

    int input_width() const { return params_.input_width; }
    int input_height() const { return params_.input_height; }

  private:
    std::unique_ptr<exec::ExecutionContext> context_;
    std::string input_name_;
    std::vector<std::string> output_names_;  // 9, in the order above
    ScrfdParams params_;
    PlanarImage input_;  // the letterboxed frame, reused from frame to frame
};

}  // namespace swaprun::pipeline
