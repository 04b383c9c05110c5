// Which of the faces found in a frame get swapped.
#pragma once

#include <span>
#include <vector>

namespace swaprun::pipeline {

enum class FaceSelectionMode {
    All,        // every face
    Index,      // the face at `index` in left-to-right order
    Reference,  // the face whose embedding is closest (cosine) to `reference`
};

struct FaceSelection {
    FaceSelectionMode mode = FaceSelectionMode::All;
    int index = 0;
    std::vector<float> reference;  // an ArcFace embedding, any norm
};

// Cosine similarity of two embeddings of equal length (0 when either is all zeros).
float cosine_similarity(std::span<const float> a, std::span<const float> b);

// Position of the embedding most similar to `reference`, or -1 for an empty list.
int most_similar(std::span<const std::vector<float>> embeddings, std::span<const float> reference);

}  // namespace swaprun::pipeline
