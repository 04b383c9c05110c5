// The models the face commands run: found in --models DIR or given one by one, else the
// embedded defaults (with a warning that they cannot give a real swap).
#pragma once

#include <ostream>

#include "format/swpk_io.h"
#include "pipeline/face_pipeline.h"
#include "tools/swaprun/face_args.h"

namespace swaprun::cli {

struct ResolvedModels {
    pipeline::FaceModels models;
    bool builtin = false;  // the embedded defaults
};

// Throws swaprun::Error naming what is missing when only some roles are found, or when
// nothing is found and this build has no embedded models. Notes go to `log`.
ResolvedModels resolve_face_models(const FaceArgs& args, std::ostream& log);

// How `args` has the swapper loaded: --low-memory, --precision bf16x3.
format::ReadOptions swapper_read_options(const FaceArgs& args);

// A pipeline on the resolved models with the options in `args`.
pipeline::FacePipeline make_face_pipeline(const FaceArgs& args, ResolvedModels models);

}  // namespace swaprun::cli
