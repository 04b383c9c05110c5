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

// Hash of the file's bytes, read in blocks.
uint64_t file_hash(const std::string& path) {
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

std::string converted_cache_path(const std::string& onnx_path) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx",
                  static_cast<unsigned long long>(file_hash(onnx_path)));
    const fs::path p(onnx_path);
    return (p.parent_path() / (p.stem().string() + "." + hex + ".swpk")).string();
}

std::shared_ptr<const engine::LoadedModel> load_model_file(
    const std::string& path, std::ostream* log, const std::vector<int64_t>& dynamic_dims) {
    if (!ends_with(path, ".onnx")) return engine::LoadedModel::open(path);
    const std::string cache = converted_cache_path(path);
    std::error_code ec;
    if (fs::is_regular_file(cache, ec)) {
        try {
            return engine::LoadedModel::open(cache);
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
        return engine::LoadedModel::open(cache);
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
    return engine::LoadedModel::open(temp.string());
}

}  // namespace swaprun::pipeline
