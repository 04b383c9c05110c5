// The face-swap pipeline: detect faces (SCRFD), align them (five points to the ArcFace
// template), embed the source face once (ArcFace), and swap every selected target face
// with the generator, pasting the result back through a feathered mask.
//
// One FacePipeline owns one execution context per model, so it is used by one thread at
// a time; the loaded models themselves may be shared by several pipelines.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/loaded_model.h"
#include "pipeline/backend_options.h"
#include "pipeline/face_selection.h"
#include "pipeline/face_template.h"
#include "pipeline/image.h"
#include "pipeline/paste_back.h"
#include "pipeline/scrfd_decode.h"

namespace swaprun::pipeline {

struct FaceModels {
    // SCRFD (det_10g / det_500m layout: 9 outputs, scores then boxes then keypoints for
    // strides 8, 16, 32). May be null: then every image needs landmarks given by hand.
    std::shared_ptr<const engine::LoadedModel> detector;
    // ArcFace (w600k_r50 layout: one 1x3x112x112 input, one 512-d output). Required.
    std::shared_ptr<const engine::LoadedModel> recognizer;
    // A generator with inputs "target" [1,3,S,S] and "source" [1,512] and output "output"
    // (inswapper_128, live_base, live_mini). Required.
    std::shared_ptr<const engine::LoadedModel> swapper;
};

struct PipelineOptions {
    BackendOptions backend;
    // Thresholds for detection; the input size is taken from the detector model.
    float score_threshold = 0.5f;
    float nms_iou = 0.4f;
    // 0: crop at the swapper's own size. Otherwise the crop size (256 or 512 for a 128
    // model): the crop is split into (size / S)^2 strided S x S sub-images, each run
    // through the generator and re-interleaved (FaceFusion's pixel boost).
    int pixel_boost = 0;
    FaceSelection selection;
};

// Why a face is in the result of process(): found, selected and swapped.
struct SwappedFace {
    DetectedFace face;
    int index = 0;  // its position among all faces found in the frame (left to right)
};

// Wall time spent per stage since the pipeline was made (or reset_stage_times), for
// profiles: what the generator costs against everything around it.
struct StageTimes {
    double detect_ms = 0;     // letterbox, detector model, decoding
    double embed_ms = 0;      // alignment, recognizer model (source, reference selection)
    double crop_ms = 0;       // alignment, warp and normalization of target crops
    double generator_ms = 0;  // the generator model (every sub-image under pixel boost)
    double paste_ms = 0;      // output conversion and paste-back
    int64_t detections = 0;
    int64_t embeddings = 0;
    int64_t swaps = 0;
};

class FacePipeline {
  public:
    // Throws swaprun::Error (InvalidArgument) when a model does not have the inputs and
    // outputs its role needs, or the options do not fit the models (pixel boost not a
    // multiple of the swapper's crop size); Unsupported when the backend is not available.
    FacePipeline(FaceModels models, PipelineOptions options);
    ~FacePipeline();
    FacePipeline(const FacePipeline&) = delete;
    FacePipeline& operator=(const FacePipeline&) = delete;
    FacePipeline(FacePipeline&&) noexcept;
    FacePipeline& operator=(FacePipeline&&) noexcept;

    // Sets the face to swap in from an image: its landmarks if given, else the detector's
    // highest-scoring face. Throws swaprun::Error (InvalidArgument) when no face is found.
    void set_source(const Image& image, const std::optional<FivePoints>& landmarks = std::nullopt);
    // Sets the source identity from an ArcFace embedding (any norm; 512 values).
    void set_source_embedding(std::span<const float> embedding);
    bool has_source() const;
    // The source's L2-normalized embedding (empty before a source is set).
    std::span<const float> source_embedding() const;

    // Faces in `frame`, ordered left to right by their box (the order --face N counts in).
    // Throws swaprun::Error (InvalidArgument) without a detector.
    std::vector<DetectedFace> detect(const Image& frame);
    // The L2-normalized ArcFace embedding of the face at `landmarks`.
    std::vector<float> embed(const Image& frame, const FivePoints& landmarks);
    // The faces the selection keeps, with their positions in `faces`.
    std::vector<SwappedFace> select(const Image& frame, std::span<const DetectedFace> faces);
    // Swaps one face in place; returns the frame rectangle that was written.
    PixelBox swap_face(Image& frame, const FivePoints& landmarks);

    // detect + select + swap: returns the faces swapped (empty when none was found).
    std::vector<SwappedFace> process(Image& frame);
    // select + swap over faces found elsewhere (a tracker, or landmarks given by hand).
    std::vector<SwappedFace> process(Image& frame, std::span<const DetectedFace> faces);

    void set_selection(const FaceSelection& selection);
    // 0 or a multiple of swapper_crop_size(); throws swaprun::Error (InvalidArgument).
    void set_pixel_boost(int crop_size);
    const PipelineOptions& options() const;
    // The generator's own crop size (128 for inswapper_128, 512 for the live models).
    int swapper_crop_size() const;
    bool has_detector() const;
    const StageTimes& stage_times() const;
    void reset_stage_times();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// A face for landmarks given by hand: box = the points' bounding box widened by half its
// size on every side (about where a detector would put it), score 1.
DetectedFace face_from_landmarks(const FivePoints& landmarks);

}  // namespace swaprun::pipeline
