#include "pipeline/face_pipeline.h"

#include <algorithm>
#include <chrono>

#include "pipeline/face_detector.h"
#include "pipeline/face_recognizer.h"
#include "pipeline/face_swapper.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace {

void check_pixel_boost(int crop_size, int swapper_size) {
    if (crop_size != 0 && (crop_size < swapper_size || crop_size % swapper_size != 0)) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("pixel boost ", crop_size,
                            " is not a multiple of the swapper's crop size ", swapper_size));
    }
}

void check_selection(const FaceSelection& s) {
    if (s.mode == FaceSelectionMode::Index && s.index < 0) {
        throw Error(ErrorKind::InvalidArgument, str_cat("face index ", s.index, " is negative"));
    }
    if (s.mode == FaceSelectionMode::Reference && s.reference.empty()) {
        throw Error(ErrorKind::InvalidArgument, "face selection by reference without an embedding");
    }
}

}  // namespace

struct FacePipeline::State {
    PipelineOptions options;
    std::unique_ptr<FaceDetector> detector;
    FaceRecognizer recognizer;
    FaceSwapper swapper;
    std::vector<float> source_embedding;
    StageTimes times;  // detection and embedding; the swapper keeps its own parts

    State(FaceModels models, PipelineOptions o)
        : options(std::move(o)),
          recognizer(std::move(models.recognizer), options.backend),
          swapper(std::move(models.swapper), options.backend) {
        if (models.detector) {
            detector = std::make_unique<FaceDetector>(std::move(models.detector), options.backend);
        }
        if (recognizer.embedding_size() != swapper.embedding_size()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("the recognizer gives ", recognizer.embedding_size(),
                                "-d embeddings but the swapper takes ", swapper.embedding_size()));
        }
        check_pixel_boost(options.pixel_boost, swapper.crop_size());
        check_selection(options.selection);
    }
};

DetectedFace face_from_landmarks(const FivePoints& landmarks) {
    double x1 = landmarks[0].x, x2 = x1, y1 = landmarks[0].y, y2 = y1;
    for (const Point2& p : landmarks) {
        x1 = std::min(x1, p.x);
        x2 = std::max(x2, p.x);
        y1 = std::min(y1, p.y);
        y2 = std::max(y2, p.y);
    }
    const double w = x2 - x1;
    const double h = y2 - y1;
    DetectedFace face;
    face.x1 = static_cast<float>(x1 - w / 2);
    face.y1 = static_cast<float>(y1 - h / 2);
    face.x2 = static_cast<float>(x2 + w / 2);
    face.y2 = static_cast<float>(y2 + h / 2);
    face.score = 1.0f;
    face.landmarks = landmarks;
    return face;
}

FacePipeline::FacePipeline(FaceModels models, PipelineOptions options) {
    if (!models.recognizer || !models.swapper) {
        throw Error(ErrorKind::InvalidArgument,
                    "the face pipeline needs a recognizer and a swapper model");
    }
    state_ = std::make_unique<State>(std::move(models), std::move(options));
}

FacePipeline::~FacePipeline() = default;
FacePipeline::FacePipeline(FacePipeline&&) noexcept = default;
FacePipeline& FacePipeline::operator=(FacePipeline&&) noexcept = default;

void FacePipeline::set_source(const Image& image, const std::optional<FivePoints>& landmarks) {
    FivePoints points;
    if (landmarks) {
        points = *landmarks;
    } else {
        const std::vector<DetectedFace> faces = detect(image);
        if (faces.empty()) {
            throw Error(ErrorKind::InvalidArgument,
                        "no face found in the source image (give its landmarks by hand)");
        }
        const auto best = std::max_element(
            faces.begin(), faces.end(),
            [](const DetectedFace& a, const DetectedFace& b) { return a.score < b.score; });
        points = best->landmarks;
    }
    set_source_embedding(embed(image, points));
}

void FacePipeline::set_source_embedding(std::span<const float> embedding) {
    std::vector<float> normed = l2_normalized(embedding, "the source embedding");
    state_->swapper.set_source(normed);
    state_->source_embedding = std::move(normed);
}

bool FacePipeline::has_source() const { return state_->swapper.has_source(); }

std::span<const float> FacePipeline::source_embedding() const { return state_->source_embedding; }

std::vector<DetectedFace> FacePipeline::detect(const Image& frame) {
    if (!state_->detector) {
        throw Error(ErrorKind::InvalidArgument,
                    "no detector model: give the face's landmarks by hand");
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<DetectedFace> faces =
        state_->detector->detect(frame, state_->options.score_threshold, state_->options.nms_iou);
    state_->times.detect_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ++state_->times.detections;
    std::stable_sort(faces.begin(), faces.end(),
                     [](const DetectedFace& a, const DetectedFace& b) { return a.x1 < b.x1; });
    return faces;
}

std::vector<float> FacePipeline::embed(const Image& frame, const FivePoints& landmarks) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<float> embedding = state_->recognizer.embed(frame, landmarks);
    state_->times.embed_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ++state_->times.embeddings;
    return embedding;
}

std::vector<SwappedFace> FacePipeline::select(const Image& frame,
                                              std::span<const DetectedFace> faces) {
    const FaceSelection& s = state_->options.selection;
    std::vector<SwappedFace> out;
    switch (s.mode) {
        case FaceSelectionMode::All:
            for (size_t i = 0; i < faces.size(); ++i)
                out.push_back({faces[i], static_cast<int>(i)});
            break;
        case FaceSelectionMode::Index:
            if (static_cast<size_t>(s.index) < faces.size()) {
                out.push_back({faces[static_cast<size_t>(s.index)], s.index});
            }
            break;
        case FaceSelectionMode::Reference: {
            std::vector<std::vector<float>> embeddings;
            for (const DetectedFace& f : faces) embeddings.push_back(embed(frame, f.landmarks));
            const int best = most_similar(embeddings, s.reference);
            if (best >= 0) out.push_back({faces[static_cast<size_t>(best)], best});
            break;
        }
    }
    return out;
}

PixelBox FacePipeline::swap_face(Image& frame, const FivePoints& landmarks) {
    const PixelBox box = state_->swapper.swap(frame, landmarks, state_->options.pixel_boost);
    ++state_->times.swaps;
    return box;
}

std::vector<SwappedFace> FacePipeline::process(Image& frame) {
    const std::vector<DetectedFace> faces = detect(frame);
    return process(frame, faces);
}

std::vector<SwappedFace> FacePipeline::process(Image& frame, std::span<const DetectedFace> faces) {
    if (!has_source()) {
        throw Error(ErrorKind::InvalidArgument, "no source face set: set one before swapping");
    }
    // Selection looks at the frame as it came in, before any face is pasted over.
    std::vector<SwappedFace> selected = select(frame, faces);
    for (const SwappedFace& f : selected) swap_face(frame, f.face.landmarks);
    return selected;
}

void FacePipeline::set_selection(const FaceSelection& selection) {
    check_selection(selection);
    state_->options.selection = selection;
}

void FacePipeline::set_pixel_boost(int crop_size) {
    check_pixel_boost(crop_size, state_->swapper.crop_size());
    state_->options.pixel_boost = crop_size;
}

const PipelineOptions& FacePipeline::options() const { return state_->options; }

int FacePipeline::swapper_crop_size() const { return state_->swapper.crop_size(); }

bool FacePipeline::has_detector() const { return state_->detector != nullptr; }

const StageTimes& FacePipeline::stage_times() const {
    const FaceSwapper::Times& parts = state_->swapper.times();
    state_->times.crop_ms = parts.crop_ms;
    state_->times.generator_ms = parts.generator_ms;
    state_->times.paste_ms = parts.paste_ms;
    return state_->times;
}

void FacePipeline::reset_stage_times() {
    state_->times = {};
    state_->swapper.times() = {};
}

}  // namespace swaprun::pipeline
