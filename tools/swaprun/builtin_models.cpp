#include "tools/swaprun/builtin_models.h"

#include <cstdlib>
#include <string>

#include "format/swpk_io.h"
#include "pipeline/image_io.h"
#include "tools/swaprun/embedded_files.h"
#include "util/error.h"

namespace swaprun::cli {

const char* const kSyntheticModelsWarning =
    "The embedded default models have synthetic (seeded) weights: they show the pipeline "
    "working end to end, but they cannot give a real face swap. For real results give "
    "--models DIR with insightface's det_10g.onnx, w600k_r50.onnx and inswapper_128.onnx.";

namespace {

std::span<const uint8_t> find_file(std::string_view name) {
    for (const EmbeddedFile& f : embedded_files()) {
        if (f.name == name) return f.bytes;
    }
    return {};
}

std::shared_ptr<const engine::LoadedModel> open_embedded(std::string_view role,
                                                         const format::ReadOptions& options = {}) {
    const std::span<const uint8_t> bytes = find_file(role);
    // The embedded bytes live as long as the program, as SwpkFile::from_memory requires.
    return engine::LoadedModel::from_file(
        format::SwpkFile::from_memory(bytes.data(), bytes.size(),
                                      "embedded " + std::string(role) + " model"),
        {}, options);
}

}  // namespace

bool have_builtin_models() {
    return !find_file("detector").empty() && !find_file("recognizer").empty() &&
           !find_file("swapper").empty();
}

pipeline::FaceModels open_builtin_models(const format::ReadOptions& swapper_options) {
    if (!have_builtin_models()) {
        throw Error(ErrorKind::Unsupported,
                    "this build of swaprun has no embedded default models (models/builtin/ was "
                    "empty when it was built): give --models DIR");
    }
    pipeline::FaceModels models;
    models.detector = open_embedded("detector");
    models.recognizer = open_embedded("recognizer");
    models.swapper = open_embedded("swapper", swapper_options);
    return models;
}

pipeline::Image builtin_portrait() {
    return pipeline::decode_image(find_file("portrait"), "embedded portrait");
}

pipeline::FivePoints builtin_portrait_landmarks() {
    // The ten numbers after "points" in the embedded astronaut.landmarks.json.
    const std::span<const uint8_t> bytes = find_file("landmarks");
    const std::string text(bytes.begin(), bytes.end());
    size_t at = text.find("\"points\"");
    pipeline::FivePoints points;
    for (pipeline::Point2& p : points) {
        for (double* v : {&p.x, &p.y}) {
            at = at == std::string::npos ? at : text.find_first_of("-0123456789", at + 1);
            if (at == std::string::npos) {
                throw Error(ErrorKind::Internal, "the embedded portrait landmarks are malformed");
            }
            char* end = nullptr;
            *v = std::strtod(text.c_str() + at, &end);
            at = static_cast<size_t>(end - text.c_str());
        }
    }
    return points;
}

}  // namespace swaprun::cli
