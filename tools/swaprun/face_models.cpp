#include "tools/swaprun/face_models.h"

#include <filesystem>

#include "pipeline/model_store.h"
#include "swaprun/swaprun.h"
#include "tools/swaprun/builtin_models.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::cli {

namespace {

std::string names(std::span<const char* const> stems) {
    std::string s;
    for (const char* stem : stems) s += (s.empty() ? "" : ", ") + std::string(stem) + ".onnx";
    return s;
}

}  // namespace

ResolvedModels resolve_face_models(const FaceArgs& args, std::ostream& log) {
    pipeline::ModelPaths paths;
    if (!args.models_dir.empty()) {
        paths = pipeline::find_models(args.models_dir, args.swapper);
    } else if (!args.swapper.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(args.swapper, ec)) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("--swapper ", args.swapper,
                                ": no such file (a model name needs --models DIR)"));
        }
        paths.swapper = args.swapper;
    }
    if (!args.detector.empty()) paths.detector = args.detector;
    if (!args.recognizer.empty()) paths.recognizer = args.recognizer;

    ResolvedModels out;
    if (paths.detector.empty() && paths.recognizer.empty() && paths.swapper.empty()) {
        if (!have_builtin_models()) {
            throw Error(ErrorKind::InvalidArgument,
                        args.models_dir.empty()
                            ? std::string("no models given (--models DIR), and this build has no "
                                          "embedded default models")
                            : str_cat("no models found in ", args.models_dir, " (looked for ",
                                      names(pipeline::kDetectorNames), ", ",
                                      names(pipeline::kRecognizerNames), ", ",
                                      names(pipeline::kSwapperNames),
                                      " or .swpk), and this build has no embedded default "
                                      "models"));
        }
        log << "swaprun: warning: "
            << (args.models_dir.empty() ? std::string("no models given")
                                        : "no models found in " + args.models_dir)
            << "; using the embedded default models. " << kSyntheticModelsWarning << "\n";
        out.models = open_builtin_models(swapper_read_options(args));
        out.builtin = true;
        if (args.detector_size) {
            pipeline::require_detector_size(*out.models.detector, *args.detector_size,
                                            "--det-size with the embedded detector");
        }
        return out;
    }
    const std::string where = args.models_dir.empty() ? "" : " in " + args.models_dir;
    if (paths.recognizer.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("no face recognizer", where, " (", names(pipeline::kRecognizerNames),
                            " or .swpk; or --recognizer PATH)"));
    }
    if (paths.swapper.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat("no face swapper", where, " (", names(pipeline::kSwapperNames),
                            " or .swpk; or --swapper NAME|PATH)"));
    }
    if (!paths.detector.empty()) {
        out.models.detector = pipeline::load_detector_file(
            paths.detector, args.detector_size.value_or(pipeline::DetectorSize{}),
            args.detector_size.has_value(), &log);
    }
    out.models.recognizer = pipeline::load_model_file(paths.recognizer, &log);
    out.models.swapper = pipeline::load_model_file(paths.swapper, &log, pipeline::kBatchOfOne,
                                                   swapper_read_options(args));
    return out;
}

format::ReadOptions swapper_read_options(const FaceArgs& args) {
    format::ReadOptions options;
    options.low_memory = args.low_memory;
    options.bf16x3 = args.precision == SWR_PRECISION_BF16X3;
    return options;
}

pipeline::FacePipeline make_face_pipeline(const FaceArgs& args, ResolvedModels models) {
    pipeline::PipelineOptions options;
    options.backend.threads = args.threads;
    options.backend.device = args.device;
    options.backend.precision = args.precision;
    options.pixel_boost = args.pixel_boost;
    if (args.face_index) {
        options.selection.mode = pipeline::FaceSelectionMode::Index;
        options.selection.index = *args.face_index;
    }
    return pipeline::FacePipeline(std::move(models.models), options);
}

std::vector<pipeline::DetectedFace> detect_faces(pipeline::FacePipeline& pipeline,
                                                 const pipeline::Image& image,
                                                 const std::string& path,
                                                 const char* landmarks_flag, bool builtin) {
    std::vector<pipeline::DetectedFace> faces = pipeline.detect(image);
    if (faces.empty()) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat(path, ": no face found",
                    builtin ? str_cat(" (the embedded detector has synthetic weights: give ",
                                      landmarks_flag, ")")
                            : str_cat(" (give ", landmarks_flag, " to place it by hand)")));
    }
    return faces;
}

void set_source_face(pipeline::FacePipeline& pipeline, const pipeline::Image& source,
                     const FaceArgs& args, bool builtin) {
    if (args.source_landmarks) {
        pipeline.set_source(source, args.source_landmarks);
        return;
    }
    const auto faces = detect_faces(pipeline, source, args.source, "--source-landmarks", builtin);
    pipeline.set_source(source, faces[0].landmarks);
}

}  // namespace swaprun::cli
