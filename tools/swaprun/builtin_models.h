// What the swaprun program carries inside itself, so that `swaprun demo` (and swap/stream
// without models) run on a machine with nothing else: small default models with seeded
// (synthetic) weights, and the sample portrait with its hand-placed landmarks.
#pragma once

#include "pipeline/face_pipeline.h"
#include "pipeline/image.h"

namespace swaprun::cli {

// Printed whenever the embedded models are used.
extern const char* const kSyntheticModelsWarning;

// True when this build embedded the default models (models/builtin/ at build time).
bool have_builtin_models();
// The embedded models, loaded from memory, the swapper with `swapper_options`. Throws
// swaprun::Error (Unsupported) when this build has none.
pipeline::FaceModels open_builtin_models(const format::ReadOptions& swapper_options = {});

// The embedded portrait (data/astronaut.png) and its landmarks.
pipeline::Image builtin_portrait();
pipeline::FivePoints builtin_portrait_landmarks();

}  // namespace swaprun::cli
