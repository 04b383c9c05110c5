// ArcFace identity embeddings as insightface's ArcFaceONNX computes them: the face
// aligned to the template at the model's input size (112), normalized
// (x - 127.5) / 127.5, the output L2-normalized.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/loaded_model.h"
#include "exec/execution_context.h"
#include "pipeline/backend_options.h"
#include "pipeline/face_template.h"
#include "pipeline/image.h"

namespace swaprun::pipeline {

class FaceRecognizer {
  public:
    // The model must have one [1, 3, S, S] input and one output (the embedding). Throws
    // swaprun::Error (InvalidArgument) naming the model otherwise.
    FaceRecognizer(std::shared_ptr<const engine::LoadedModel> model, const BackendOptions& backend);

    // Throws swaprun::Error (InvalidArgument) when the embedding is all zeros or not finite.
    std::vector<float> embed(const Image& image, const FivePoints& landmarks);

    int crop_size() const { return crop_size_; }
    size_t embedding_size() const { return embedding_size_; }

  private:
    std::unique_ptr<exec::ExecutionContext> context_;
    std::string input_name_;
    std::string output_name_;
    int crop_size_ = 112;
    size_t embedding_size_ = 512;
};

// `values` scaled to unit L2 norm. Throws swaprun::Error (InvalidArgument) naming `what`
// for a zero or non-finite vector.
std::vector<float> l2_normalized(std::span<const float> values, const char* what);

}  // namespace swaprun::pipeline
