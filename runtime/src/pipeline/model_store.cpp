#include "pipeline/model_store.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "converter/convert.h"
#include "format/checksum64.h"
#include "format/swpk_io.h"
#include "util/error.h"
#include "util/str_cat.h"

namespace swaprun::pipeline {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string find_stem(const fs::path& dir, const std::string& stem) {
    for (const char* ext : {".swpk", ".onnx"}) {
        const fs::path p = dir / (stem + ext);
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return {};
}

template <size_t N>
std::string find_any(const fs::path& dir, const char* const (&stems)[N]) {
    for (const char* stem : stems) {
        std::string p = find_stem(dir, stem);
        if (!p.empty()) return p;
    }
    return {};
}

// The hash of the file's bytes (read in blocks) followed by `salt`'s values.
uint64_t file_hash(const std::string& path, const std::vector<int64_t>& salt) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::Io, str_cat(path, ": cannot open for reading"));
    format::Checksum64 hash;
    std::vector<char> block(1 << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const std::streamsize got = in.gcount();
        if (got > 0)
            hash.update(reinterpret_cast<const uint8_t*>(block.data()), static_cast<uint64_t>(got));
    }
    if (in.bad()) throw Error(ErrorKind::Io, str_cat(path, ": read error"));
    for (const int64_t value : salt) {
        uint8_t bytes[8];
        for (int i = 0; i < 8; ++i)
            bytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * i));
        hash.update(bytes, sizeof bytes);
    }
    return hash.digest();
}

// Removes a file when it goes out of scope.
class RemoveOnExit {
  public:
    explicit RemoveOnExit(fs::path path) : path_(std::move(path)) {}
    RemoveOnExit(const RemoveOnExit&) = delete;
    RemoveOnExit& operator=(const RemoveOnExit&) = delete;
    ~RemoveOnExit() {
        std::error_code ec;
        fs::remove(path_, ec);  // best effort: a leftover temp file is harmless
    }

  private:
    fs::path path_;
};

}  // namespace

ModelPaths find_models(const std::string& dir, const std::string& swapper) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(ErrorKind::Io, str_cat(dir, ": not a directory (--models)"));
    }
    ModelPaths paths;
    paths.detector = find_any(dir, kDetectorNames);
    paths.recognizer = find_any(dir, kRecognizerNames);
    if (swapper.empty()) {
        paths.swapper = find_any(dir, kSwapperNames);
    } else if (fs::is_regular_file(swapper, ec)) {
        paths.swapper = swapper;
    } else {
        paths.swapper = find_stem(dir, swapper);
        if (paths.swapper.empty()) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat("swapper '", swapper, "': no such file, and no ", swapper,
                                ".swpk or ", swapper, ".onnx in ", dir));
        }
    }
    return paths;
}

std::vector<int64_t> detector_input_dims(const DetectorSize& size) {
    return {1, 3, size.height, size.width};
}

void check_detector_size(const DetectorSize& size, const std::string& what) {
    for (const int side : {size.width, size.height}) {
        if (!DetectorSize::valid_side(side)) {
            throw Error(ErrorKind::InvalidArgument,
                        str_cat(what, " ", size.width, "x", size.height,
                                ": each side must be a multiple of ", DetectorSize::kMultiple,
                                " from ", DetectorSize::kMultiple, " to ", DetectorSize::kMaxSide));
        }
    }
}

std::string converted_cache_path(const std::string& onnx_path,
                                 const std::vector<int64_t>& dynamic_dims) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(file_hash(onnx_path, dynamic_dims)));
    const fs::path p(onnx_path);
    return (p.parent_path() / (p.stem().string() + "." + hex + ".swpk")).string();
}

std::shared_ptr<const engine::LoadedModel> load_model_file(const std::string& path,
                                                           std::ostream* log,
                                                           const std::vector<int64_t>& dynamic_dims,
                                                           const format::ReadOptions& read) {
    if (!ends_with(path, ".onnx")) return engine::LoadedModel::open(path, read);
    const std::string cache = converted_cache_path(path, dynamic_dims);
    std::error_code ec;
    if (fs::is_regular_file(cache, ec)) {
        try {
            return engine::LoadedModel::open(cache, read);
        } catch (const Error& e) {
            // Written by another version, or damaged: convert again over it.
            if (log)
                *log << "swaprun: note: converting again, the cache is unusable: " << e.what()
                     << "\n";
        }
    }
    if (log) *log << "swaprun: converting " << path << " (once; cached as " << cache << ")\n";
    convert::ConvertOptions options;
    options.input_shapes.fallback = dynamic_dims;
    const auto converted = convert::convert_onnx_file(path, options);
    try {
        format::write_swpk(converted->description, cache);
        return engine::LoadedModel::open(cache, read);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Io) throw;
        if (log)
            *log << "swaprun: note: cannot cache the conversion (" << e.what()
                 << "); using a temporary file\n";
    }
    // The mapping keeps the data once opened, so the file can go right after.
    std::random_device random;
    const fs::path temp =
        fs::temp_directory_path() /
        str_cat("swaprun-", fs::path(path).stem().string(), "-", random(), ".swpk");
    RemoveOnExit remove(temp);
    format::write_swpk(converted->description, temp.string());
    return engine::LoadedModel::open(temp.string(), read);
}

DetectorSize detector_input_size(const engine::LoadedModel& model) {
    const format::ModelDescription& d = model.description();
    if (d.inputs.size() == 1) {
        const std::vector<int64_t>& shape = d.tensors[d.inputs[0]].shape;
        if (shape.size() == 4 && shape[2] <= DetectorSize::kMaxSide &&
            shape[3] <= DetectorSize::kMaxSide) {
            return {static_cast<int>(shape[3]), static_cast<int>(shape[2])};
        }
    }
    throw Error(ErrorKind::InvalidArgument,
                str_cat(model.path(),
                        ": a detector needs one [1, 3, H, W] input with H and W up "
                        "to ",
                        DetectorSize::kMaxSide));
}

void require_detector_size(const engine::LoadedModel& model, const DetectorSize& size,
                           const std::string& where) {
    const DetectorSize own = detector_input_size(model);
    if (own.width != size.width || own.height != size.height) {
        throw Error(ErrorKind::InvalidArgument,
                    str_cat(where, ": the detector's input size is fixed at ", own.width, "x",
                            own.height, "; it cannot run at ", size.width, "x", size.height,
                            " (a detector .onnx with open height and width can)"));
    }
}

std::shared_ptr<const engine::LoadedModel> load_detector_file(const std::string& path,
                                                              const DetectorSize& size,
                                                              bool required, std::ostream* log) {
    check_detector_size(size, "detector size");
    auto model = load_model_file(path, log, detector_input_dims(size));
    // A file with open dimensions now has `size`; one that differs was fixed before.
    if (required) require_detector_size(*model, size, path);
    return model;
}

}  // namespace swaprun::pipeline
