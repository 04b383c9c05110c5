// swaprun demo: the whole pipeline on the embedded portrait with the embedded models, so
// that a fresh install shows something without any download.
#include <iostream>

#include "pipeline/image_io.h"
#include "tools/swaprun/builtin_models.h"
#include "tools/swaprun/commands.h"
#include "tools/swaprun/face_models.h"

namespace swaprun::cli {

namespace {

pipeline::Image mirrored(const pipeline::Image& image) {
    pipeline::Image out(image.width(), image.height());
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const uint8_t* from = image.pixel(image.width() - 1 - x, y);
            std::copy(from, from + 3, out.pixel(x, y));
        }
    }
    return out;
}

// The same face mirrored: x flips, and left/right swap so the order stays insightface's.
pipeline::FivePoints mirrored(const pipeline::FivePoints& p, int width) {
    auto m = [&](const pipeline::Point2& q) { return pipeline::Point2{width - 1 - q.x, q.y}; };
    return {m(p[1]), m(p[0]), m(p[2]), m(p[4]), m(p[3])};
}

}  // namespace

int run_demo(const Command& command) {
    const FaceArgs& args = command.face;
    const std::string output = args.output.empty() ? "swaprun-demo.png" : args.output;
    ResolvedModels models;
    models.models = open_builtin_models(swapper_read_options(args));
    models.builtin = true;
    pipeline::FacePipeline pipeline = make_face_pipeline(args, std::move(models));

    pipeline::Image target = builtin_portrait();
    const pipeline::FivePoints landmarks = builtin_portrait_landmarks();
    // The source is the portrait mirrored: a different image of a face, known landmarks.
    pipeline.set_source(mirrored(target), mirrored(landmarks, target.width()));
    const std::vector<pipeline::DetectedFace> faces = {pipeline::face_from_landmarks(landmarks)};
    pipeline.process(target, faces);
    if (output_is_png(output)) {
        pipeline::save_png(output, target);
    } else {
        pipeline::save_jpeg(output, target);
    }
    std::cout << "swaprun demo: aligned, embedded, swapped and pasted back the face of the "
                 "bundled portrait (astronaut, 512x512; the source is the portrait mirrored) and "
                 "wrote "
              << output << "\n"
              << "The face was placed by the portrait's bundled hand-placed landmarks: a "
                 "detector with synthetic weights does not find real faces.\n"
              << kSyntheticModelsWarning << "\n";
    return 0;
}

}  // namespace swaprun::cli
