#include "pipeline/face_selection.h"

#include <cmath>

namespace swaprun::pipeline {

float cosine_similarity(std::span<const float> a, std::span<const float> b) {
    double dot = 0, aa = 0, bb = 0;
    const size_t n = a.size() < b.size() ? a.size() : b.size();
    for (size_t i = 0; i < n; ++i) {
        dot += static_cast<double>(a[i]) * b[i];
        aa += static_cast<double>(a[i]) * a[i];
        bb += static_cast<double>(b[i]) * b[i];
    }
    if (aa == 0 || bb == 0) return 0.0f;
    return static_cast<float>(dot / std::sqrt(aa * bb));
}

int most_similar(std::span<const std::vector<float>> embeddings, std::span<const float> reference) {
    int best = -1;
    float best_similarity = 0;
    for (size_t i = 0; i < embeddings.size(); ++i) {
        const float s = cosine_similarity(embeddings[i], reference);
        if (best < 0 || s > best_similarity) {
            best = static_cast<int>(i);
            best_similarity = s;
        }
    }
    return best;
}

}  // namespace swaprun::pipeline
