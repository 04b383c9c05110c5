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

// The sizes an .onnx model's dynamic input dimensions get at conversion, by position:
// insightface leaves the detectors' height and width open (their det_size, 640 x 640 by
// default, is chosen at run time) and the recognizers' batch; the .swpk fixes them.
inline const std::vector<int64_t> kBatchOfOne = {1};

// A detector's input size (insightface's det_size): the frame is letterboxed into it.
struct DetectorSize {
    int width = 640;
    int height = 640;
    // The largest side accepted; SCRFD's strides need multiples of 32.
    static constexpr int kMaxSide = 2048;
    static constexpr int kMultiple = 32;
    static constexpr bool valid_side(int side) {
        return side >= kMultiple && side <= kMaxSide && side % kMultiple == 0;
    }
};

// {1, 3, height, width}: the dimensions a detector's open input takes at conversion.
std::vector<int64_t> detector_input_dims(const DetectorSize& size);

// Throws swaprun::Error (InvalidArgument) unless both sides are multiples of 32 from 32
// to 2048; `what` names the setting in the message.
void check_detector_size(const DetectorSize& size, const std::string& what);

// The name <stem>.<16 hex digits>.swpk in the file's directory: a hash of the content and
// of `dynamic_dims`, so that a changed file, or the same file sized differently (a
// detector at another det_size), is converted again.
std::string converted_cache_path(const std::string& onnx_path,
                                 const std::vector<int64_t>& dynamic_dims = kBatchOfOne);

// The size of a detector's one [1, 3, H, W] input. Throws swaprun::Error (InvalidArgument)
// for a model with another input.
DetectorSize detector_input_size(const engine::LoadedModel& model);

// Throws swaprun::Error (InvalidArgument) naming `where` when `model`'s input size is not
// `size`.
void require_detector_size(const engine::LoadedModel& model, const DetectorSize& size,
                           const std::string& where);

// Opens a detector's .swpk file, or converts its .onnx file with open height and width
// at `size`. A file whose size is fixed must have `size` when `required` is set, else it
// keeps its own. Throws swaprun::Error naming the file (InvalidArgument for a size that
// differs).
std::shared_ptr<const engine::LoadedModel> load_detector_file(const std::string& path,
                                                              const DetectorSize& size,
                                                              bool required,
                                                              std::ostream* log = nullptr);

// Opens a .swpk file, or converts an .onnx file (reusing the cache when present; a cache
// that cannot be written is replaced by a temporary file, with a note on `log`), its
// dynamic input dimensions sized by position from `dynamic_dims`, with `read`'s
// options. Throws swaprun::Error naming the file.
std::shared_ptr<const engine::LoadedModel> load_model_file(
    const std::string& path, std::ostream* log = nullptr,
    const std::vector<int64_t>& dynamic_dims = kBatchOfOne, const format::ReadOptions& read = {});

}  // namespace swaprun::pipeline
