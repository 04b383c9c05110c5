// The options of the face-swapping commands (swap, demo, and stream too): where the models
// are, where they run, which faces to swap. Parsed before any file is touched.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/face_template.h"
#include "pipeline/model_store.h"

namespace swaprun::cli {

struct FaceArgs {
    std::string source;  // --source image
    std::string target;  // --target image
    std::string output;  // -o / --output image (.png, .jpg, .jpeg)
    std::string models_dir;
    std::string detector, recognizer, swapper;  // --detector/--recognizer PATH, --swapper NAME|PATH
    int threads = 0;
    int device = 0;     // as swr_context_options.device
    int precision = 0;  // SWR_PRECISION_*: bf16x3 the swapper's (swr_pipeline_options)
    bool all_faces = false;
    std::optional<int> face_index;  // --face N
    int pixel_boost = 0;            // 0, 256 or 512
    bool low_memory = false;        // --low-memory: the swapper's swr_model_options.low_memory
    // --det-size WxH: the detector's input; unset: 640x640 for a detector whose size is
    // open, its own for one whose size is fixed.
    std::optional<pipeline::DetectorSize> detector_size;
    std::optional<pipeline::FivePoints> source_landmarks, target_landmarks;
};

// Tries to read the option at args[i] (and its value, advancing i). Returns false when
// args[i] is not one of the shared face options. Throws UsageError for a bad value or an
// option given twice.
bool parse_face_option(const std::vector<std::string>& args, size_t& i, FaceArgs& out);

// A whole number from 0 to max, the value of `flag`. Throws UsageError naming flag.
int parse_count(const std::string& flag, const std::string& text, int max);

// --device's value as swr_context_options.device: 0 for "cpu", 1 for "vulkan", 2 + N for
// "vulkan:N". Throws UsageError for anything else.
int parse_device(const std::string& text);

// --precision's value: SWR_PRECISION_FP32 for "fp32", _FP16 for "fp16", _BF16X3 for
// "bf16x3". Throws UsageError for anything else.
int parse_precision(const std::string& text);
// Throws UsageError where bf16x3 (the CPU's) is asked of a Vulkan device.
void check_precision_device(int precision, int device);

// "x1,y1,x2,y2,...,x5,y5": ten finite numbers. Throws UsageError naming `flag`.
pipeline::FivePoints parse_landmark_list(const std::string& flag, const std::string& text);

// The output format from the file name: true for PNG, false for JPEG. Throws UsageError
// for other extensions.
bool output_is_png(const std::string& path);

}  // namespace swaprun::cli
