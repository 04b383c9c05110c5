// Small seeded models in the three roles of the face pipeline, written as .swpk files (at `path`)
// and opened, for tests that run the pipeline without the reference replicas.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/loaded_model.h"
#include "pipeline/face_template.h"
#include "test_support.h"

namespace swaprun::pipeline::testing {

// A generator that works pixel by pixel: output = sigmoid(conv1x1(target) + g(latent)),
// with g a Gemm 512 -> 3 (so the source shifts the colours), an emap "buff2fs" [512, 512]
// and the metadata the converter writes. target/output [1, 3, size, size].
std::shared_ptr<const engine::LoadedModel> per_pixel_swapper(const std::string& path, int size);

// An ArcFace-shaped recognizer: [1, 3, 112, 112] -> conv 8x8 stride 8 (3 -> 8) ->
// flatten -> Gemm 1568 -> 512. Seeded random weights.
std::shared_ptr<const engine::LoadedModel> small_recognizer(const std::string& path);

// A face as a detector output: the anchor of one stride-32 location that reports it.
struct PlantedFace {
    FivePoints landmarks;  // in the detector's 640x640 input
    float score = 0.9f;
};

// An SCRFD-shaped detector ([1, 3, 640, 640] -> 9 outputs, 2 anchors per location)
// whose outputs do not depend on the image: it reports `faces` (each at the stride-32
// anchor nearest its nose, box = landmarks' bounding box widened by half) and scores
// 0.01 everywhere else.
std::shared_ptr<const engine::LoadedModel> planted_detector(const std::string& path,
                                                            const std::vector<PlantedFace>& faces);

// data/astronaut.landmarks.json's points (paths relative to the project root).
FivePoints astronaut_landmarks();

}  // namespace swaprun::pipeline::testing
