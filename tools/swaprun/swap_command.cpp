// swaprun swap: one source face into the faces of one target image, written to a file.
#include <iostream>

#include "pipeline/image_io.h"
#include "tools/swaprun/builtin_models.h"
#include "tools/swaprun/commands.h"
#include "tools/swaprun/face_models.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::cli {

namespace {

void check_inside(const pipeline::FivePoints& points, const pipeline::Image& image,
                  const std::string& flag) {
    for (const pipeline::Point2& p : points) {
        if (p.x < 0 || p.y < 0 || p.x >= image.width() || p.y >= image.height()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat(flag, ": point (", p.x, ", ", p.y, ") is outside the ",
                                image.width(), "x", image.height(), " image"));
        }
    }
}

}  // namespace

int run_swap(const Command& command) {
    const FaceArgs& args = command.face;
    // Every input is read and checked before the models load (which may convert).
    const pipeline::Image source = pipeline::load_image(args.source);
    pipeline::Image target = pipeline::load_image(args.target);
    if (args.source_landmarks) check_inside(*args.source_landmarks, source, "--source-landmarks");
    if (args.target_landmarks) check_inside(*args.target_landmarks, target, "--target-landmarks");

    ResolvedModels models = resolve_face_models(args, std::cerr);
    const bool builtin = models.builtin;
    pipeline::FacePipeline pipeline = make_face_pipeline(args, std::move(models));
    if (!pipeline.has_detector() && (!args.source_landmarks || !args.target_landmarks)) {
        throw Error(ErrorKind::InvalidArgument,
                    "no face detector model: give --source-landmarks and --target-landmarks");
    }
    set_source_face(pipeline, source, args, builtin);

    std::vector<pipeline::DetectedFace> faces;
    if (args.target_landmarks) {
        faces.push_back(pipeline::face_from_landmarks(*args.target_landmarks));
    } else {
        faces = detect_faces(pipeline, target, args.target, "--target-landmarks", builtin);
    }
    if (args.face_index && static_cast<size_t>(*args.face_index) >= faces.size()) {
        throw Error(
            ErrorKind::InvalidArgument,
            str_cat("--face ", *args.face_index, ": ", args.target, " has ", faces.size(),
                    faces.size() == 1 ? " face" : " faces", " (numbered from 0, left to right)"));
    }
    const size_t found = faces.size();
    if (!args.all_faces && !args.face_index) faces.resize(1);  // the first from the left

    const auto swapped = pipeline.process(target, faces);
    if (output_is_png(args.output)) {
        pipeline::save_png(args.output, target);
    } else {
        pipeline::save_jpeg(args.output, target);
    }
    std::cout << "swapped " << swapped.size() << (swapped.size() == 1 ? " face" : " faces")
              << " of " << found << " found; wrote " << args.output << "\n";
    if (builtin) std::cout << kSyntheticModelsWarning << "\n";
    return 0;
}

}  // namespace swaprun::cli
