// Finding and loading the pipeline's models: a models directory holds .swpk files or
// ONNX files (insightface's names), and an ONNX file is converted on first use and cached
// as .swpk beside it, named by a hash of its content so that a changed file is
// converted again.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/loaded_model.h"

namespace swaprun::pipeline {

// Model files by role; an empty path means none was found.
struct ModelPaths {
    std::string detector;
    std::string recognizer;
    std::string swapper;
};

// The stems looked for, in order of preference.
inline constexpr const char* kDetectorNames[] = {"det_10g", "det_500m"};
inline constexpr const char* kRecognizerNames[] = {"w600k_r50"};
inline constexpr const char* kSwapperNames[] = {"inswapper_128", "live_base", "live_mini"};

// Looks in `dir` for <stem>.swpk, then <stem>.onnx, for each role's names. `swapper`, when
// not empty, is a file path or a stem to look for instead of kSwapperNames. Throws
// swaprun::Error (Io) when `dir` is not a readable directory, (InvalidArgument) when a
// named swapper is not found.
ModelPaths find_models(const std::string& dir, const std::string& swapper = "");

// The name <stem>.<16 hex digits of the content's hash>.swpk in the file's directory.
std::string converted_cache_path(const std::string& onnx_path);

// The sizes an .onnx model's dynamic input dimensions get at conversion, by position:
// insightface leaves the detectors' height and width open (their det_size, 640 x 640 by
// default, is chosen at run time) and the recognizers' batch; the .swpk fixes them.
inline const std::vector<int64_t> kDetectorInputDims = {1, 3, 640, 640};
inline const std::vector<int64_t> kBatchOfOne = {1};

// Opens a .swpk file, or converts an .onnx file (reusing the cache when present; a cache
// that cannot be written is replaced by a temporary file, with a note on `log`), its
// dynamic input dimensions sized by position from `dynamic_dims`. Throws swaprun::Error
// naming the file.
std::shared_ptr<const engine::LoadedModel> load_model_file(
    const std::string& path, std::ostream* log = nullptr,
    const std::vector<int64_t>& dynamic_dims = kBatchOfOne);

}  // namespace swaprun::pipeline
