// Writes the seeded test models under insightface's file names, for the swaprun swap
// command-line tests:
//   pipeline_cli_models DIR  ->  DIR/det_10g.swpk (reports the sample portrait's face when
//   given a 512x512 image), DIR/w600k_r50.swpk, DIR/inswapper_128.swpk (per-pixel),
//   and DIR/no_faces/det_10g.swpk (a detector that finds nothing) with the same others.
#include <filesystem>
#include <iostream>

#include "synthetic_models.h"

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    using namespace swaprun::pipeline;
    if (argc != 2) {
        std::cerr << "usage: pipeline_cli_models DIR\n";
        return 2;
    }
    try {
        // Run from the project root, as ctest does (data/ is relative to it).
        FivePoints in_input = testing::astronaut_landmarks();
        for (Point2& p : in_input) p = {p.x * 1.25, p.y * 1.25};  // 512 -> 640 letterbox
        for (const fs::path& dir : {fs::path(argv[1]), fs::path(argv[1]) / "no_faces"}) {
            fs::create_directories(dir);
            const bool finds = dir == fs::path(argv[1]);
            testing::planted_detector((dir / "det_10g.swpk").string(),
                                      finds ? std::vector<testing::PlantedFace>{{in_input, 0.9f}}
                                            : std::vector<testing::PlantedFace>{});
            testing::small_recognizer((dir / "w600k_r50.swpk").string());
            testing::per_pixel_swapper((dir / "inswapper_128.swpk").string(), 128);
        }
    } catch (const std::exception& e) {
        std::cerr << "pipeline_cli_models: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
