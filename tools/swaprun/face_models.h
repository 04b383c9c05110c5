// The models the face commands run: found in --models DIR or given one by one, else the
// embedded defaults (with a warning that they cannot give a real swap).
#pragma once

#include <ostream>
#include <string>
#include <vector>

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

// The faces the pipeline's detector finds in `image`, read from `path`, left to right.
// Where it finds none, throws swaprun::Error (InvalidArgument) naming the file and the
// option that places a face by hand (`landmarks_flag`), and saying so where the
// detector is the embedded one (`builtin`), whose weights are synthetic.
std::vector<pipeline::DetectedFace> detect_faces(pipeline::FacePipeline& pipeline,
                                                 const pipeline::Image& image,
                                                 const std::string& path,
                                                 const char* landmarks_flag, bool builtin);

// The source face set on the pipeline: the one at --source-landmarks, or else the first
// the detector finds in `source` (detect_faces).
void set_source_face(pipeline::FacePipeline& pipeline, const pipeline::Image& source,
                     const FaceArgs& args, bool builtin);

}  // namespace swaprun::cli
